import Dispatch

/// A flat index whose vectors live on OpenCL devices: on one, sharded (rows split, every
/// query to every device, results merged) or replicated (a full copy each, queries split).
/// Vectors are stored fp32 or fp16 in slabs no larger than a device's largest allocation;
/// arithmetic is fp32. Built by `IndexMover`; searched with one host thread per device.
public final class DeviceFlatIndex: FlatRows, Sendable {
    /// The rows one device holds.
    public struct Shard: Sendable {
        public let device: DeviceRegistry.Device
        let openCL: OpenCLDevice
        /// Global row numbers held (all rows, for a replica).
        public let rows: Range<Int>
        let slabs: [DeviceSlab]
        let ledgerEntries: [LedgerEntry]
        /// Device scratch allowed for search tiles.
        public let tempBudgetBytes: Int

        /// Bytes of vector data on the device.
        public var residentBytes: Int { slabs.reduce(0) { $0 + $1.usedBytes } }
        /// How many slabs (device buffers) hold the rows.
        public var slabCount: Int { slabs.count }
    }

    public let dimension: Int
    public let metric: Metric
    public let count: Int
    public let precision: DevicePrecision
    public let layout: Layout
    public let shards: [Shard]

    init(dimension: Int, metric: Metric, count: Int, precision: DevicePrecision, layout: Layout, shards: [Shard]) {
        self.dimension = dimension
        self.metric = metric
        self.count = count
        self.precision = precision
        self.layout = layout
        self.shards = shards
    }

    public var isTrained: Bool { true }
    /// The class it saves as: FAISS has no GPU class in files.
    public var faissClassName: String { metric == .innerProduct ? "IndexFlatIP" : "IndexFlatL2" }

    public var placementDescription: String {
        let names = shards.map(\.device.name).joined(separator: ", ")
        switch layout {
        case .single: return "\(precision) on \(names)"
        case .shard: return "\(precision) sharded over \(names)"
        case .replicate: return "\(precision) replicated on \(names)"
        }
    }

    public func add(_ vectors: VectorMatrix, ids: [Int64]?) throws {
        throw DeviceError.needsHost(operation: "adding vectors", placement: placementDescription)
    }

    public func search(_ queries: VectorMatrix, k: Int, parameters: SearchParameters) throws -> SearchResult {
        try IndexError.checkResultSize(queries: queries.rows, k: k)
        guard queries.dimension == dimension else {
            throw IndexError.dimensionMismatch(expected: dimension, found: queries.dimension, what: "the queries")
        }
        guard queries.rows > 0 else { return SearchResult(queryCount: 0, k: k, scores: [], ids: []) }
        let mask = parameters.selector?.rowMask(count: count)
        switch layout {
        case .single, .shard:
            let parts = try eachShard { shard in try Self.search(shard, queries, k: k, metric: metric, mask: mask) }
            return parts.count == 1 ? parts[0] : SearchResult.merging(parts, metric: metric)
        case .replicate:
            let split = PlacementPlanner.shardRows(total: queries.rows, parts: shards.count)
            let starts = split.reduce(into: [0]) { starts, n in starts.append(starts.last! + n) }
            let parts = try eachShard { shard -> SearchResult in
                let index = shards.firstIndex { $0.device == shard.device }!
                let range = starts[index]..<starts[index + 1]
                if range.isEmpty { return SearchResult(queryCount: 0, k: k, scores: [], ids: []) }
                return try Self.search(shard, queries.rows(range), k: k, metric: metric, mask: mask)
            }
            return SearchResult(queryCount: queries.rows, k: k, scores: parts.flatMap(\.scores), ids: parts.flatMap(\.ids))
        }
    }

    /// Runs `body` for every shard, one host thread per device, and returns results in shard order.
    private func eachShard<T: Sendable>(_ body: @Sendable (Shard) throws -> T) throws -> [T] {
        try Parallel.map(shards.count) { i in try body(shards[i]) }
    }

    /// One shard's search; `mask` (over all rows) keeps filtered rows out on the device.
    private static func search(_ shard: Shard, _ queries: VectorMatrix, k: Int, metric: Metric,
                               mask: IDBitmap?) throws -> SearchResult {
        let maxSlabRows = shard.slabs.map(\.rowCount).max() ?? 0
        let plan = try DeviceSearchPlan(queryCount: queries.rows, dimension: queries.dimension, k: k, maxSlabRows: maxSlabRows,
                                        tempBudgetBytes: shard.tempBudgetBytes, device: shard.openCL.info)
        let maskBytes = mask.map { max(8, ($0.count + 63) / 64 * 8) } ?? 0
        let scratch = MemoryLedger.shared.record(device: shard.device.name, kind: .scratch, bytes: plan.scratchBytes + maskBytes)
        defer { scratch.release() }
        return try queries.values.withUnsafeBufferPointer { q in
            try shard.openCL.search(queries: q.baseAddress!, slabs: shard.slabs, metric: metric, plan: plan, rowMask: mask)
        }
    }

    public func reconstruct(id: Int64) throws -> [Float] {
        guard id >= 0 && id < Int64(count) else { throw IndexError.idNotFound(id) }
        var row = [Float](repeating: 0, count: dimension)
        try row.withUnsafeMutableBufferPointer { try readRows(Int(id)..<Int(id) + 1, into: $0.baseAddress!) }
        return row
    }

    public func readRows(_ range: Range<Int>, into destination: UnsafeMutablePointer<Float>) throws {
        var row = range.lowerBound
        while row < range.upperBound {
            guard let shard = shards.first(where: { $0.rows.contains(row) }),
                  let slab = shard.slabs.first(where: { $0.firstRow <= row && row < $0.firstRow + $0.rowCount }) else {
                throw IndexError.idNotFound(Int64(row))
            }
            let end = min(range.upperBound, slab.firstRow + slab.rowCount)
            let out = destination + (row - range.lowerBound) * dimension
            if precision == .fp16 {
                // Widened on the device through a bounded fp32 staging buffer.
                let stagingRows = max(1, min(end - row, PlacementPlanner.defaultChunkBytes / max(1, dimension * 4)))
                let staging = try shard.openCL.makeBuffer(byteCount: stagingRows * dimension * 4)
                let entry = MemoryLedger.shared.record(device: shard.device.name, kind: .staging, bytes: staging.byteCount)
                defer { entry.release() }
                try slab.read(rows: (row - slab.firstRow)..<(end - slab.firstRow), into: out, staging: staging)
            } else {
                try slab.read(rows: (row - slab.firstRow)..<(end - slab.firstRow), into: out)
            }
            row = end
        }
    }

    public var memoryUsage: [MemoryComponent] {
        shards.map { MemoryComponent(name: "vectors on \($0.device.name)", bytes: $0.residentBytes, fileBacked: false) }
    }
}
