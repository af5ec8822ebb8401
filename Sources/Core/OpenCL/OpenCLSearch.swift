/// How a device search splits its work so that scratch memory stays under a temp budget:
/// queries go in blocks of `queryBlock`, the database in tiles of `tileRows` rows, and each
/// query's tile scores are reduced to top-k in up to `maxPartitions` partitions on the device.
///
/// Scratch buffers: the zero-padded query block (`roundUp(queryBlock, 8) × d` fp32), the tile's
/// scores (`queryBlock × tileRows` fp32) and the partition candidates (`queryBlock ×
/// maxPartitions × k` score + id pairs, 8 bytes each). `scratchBytes` is their sum and never
/// exceeds the budget.
public struct DeviceSearchPlan: Sendable, Equatable {
    /// The query count, dimension and k the plan was made for.
    public let queryCount: Int, dimension: Int, k: Int
    /// Queries scored together in one pass over the database.
    public let queryBlock: Int
    /// Database rows scored per kernel launch.
    public let tileRows: Int
    /// Top-k partitions per query per tile (the device reduces a tile to ≤ this many k-lists).
    public let maxPartitions: Int
    /// Device bytes the search allocates for its scratch buffers.
    public let scratchBytes: Int

    /// The largest k a device search accepts (as FAISS's GPU indexes).
    public static let maxK = 2048

    /// Plans a search of `queryCount` queries against slabs of at most `maxSlabRows` rows.
    /// The query block shrinks (halving) until a tile spans `preferredTileRows` rows or one query.
    /// Throws `invalidArgument` when k is out of range or the budget cannot hold one query
    /// against one row.
    public init(queryCount: Int, dimension: Int, k: Int, maxSlabRows: Int, tempBudgetBytes: Int,
                device: OpenCLDeviceInfo, preferredTileRows: Int = 8192) throws {
        let label = "cl\(device.index) (\(device.name))"
        guard dimension > 0 else {
            throw OpenCLError.invalidArgument(device: label, message: "dimension must be > 0 (got \(dimension))")
        }
        guard queryCount >= 0, maxSlabRows >= 0 else {
            throw OpenCLError.invalidArgument(device: label, message: "negative query or row count")
        }
        guard k >= 1, k <= DeviceSearchPlan.maxK else {
            throw OpenCLError.invalidArgument(device: label, message: "k = \(k) is outside the device "
                + "search range 1…\(DeviceSearchPlan.maxK); search on the CPU for larger k")
        }
        let queries = max(1, queryCount)
        let rows = max(1, maxSlabRows)
        // Each partition covers at least this many rows, so candidates stay ≤ half the scores.
        let minPartitionRows = DeviceSearchPlan.minPartitionRows(k: k)
        let maxAlloc = max(1, device.maxAllocationBytes)
        let wantedRows = max(1, min(rows, preferredTileRows))
        var block = min(queries, 1024)
        var tile = 0
        while true {
            let queryBytes = DeviceSearchPlan.paddedQueries(block) * dimension * 4
            let available = tempBudgetBytes - queryBytes - block * k * 8
            // scores (4 B) + candidates (≤ 2 B per row, as partitions span ≥ 4k rows) per row.
            tile = available > 0 ? available / (block * 6) : 0
            tile = min(tile, rows, maxAlloc / (block * 4), 1 << 30)
            if tile >= wantedRows || block == 1 { break }
            block = (block + 1) / 2
        }
        guard tile >= 1 else {
            let needed = DeviceSearchPlan.paddedQueries(1) * dimension * 4 + k * 8 + 6
            throw OpenCLError.invalidArgument(device: label, message: "a temp budget of \(tempBudgetBytes) "
                + "bytes is too small to search d = \(dimension), k = \(k): at least \(needed) bytes are needed")
        }
        // Enough partitions to keep the device busy, none shorter than minPartitionRows.
        let parallelTarget = device.computeUnits * (device.type == .gpu ? 64 : 4)
        let wantedPartitions = (parallelTarget + block - 1) / block
        var partitions = max(1, min(wantedPartitions, tile / minPartitionRows))
        while partitions > 1 && block * partitions * k * 4 > maxAlloc { partitions -= 1 }
        self.queryCount = queryCount
        self.dimension = dimension
        self.k = k
        queryBlock = block
        tileRows = tile
        maxPartitions = partitions
        scratchBytes = DeviceSearchPlan.paddedQueries(block) * dimension * 4 + block * tile * 4
            + block * partitions * k * 8
    }

    /// Partitions of a tile of `rows` rows (≤ `maxPartitions`, each ≥ the minimum length).
    func partitions(forTileOf rows: Int, k: Int) -> Int {
        max(1, min(maxPartitions, rows / DeviceSearchPlan.minPartitionRows(k: k)))
    }

    /// Shortest partition: long enough that a k-list reduces it at least fourfold.
    static func minPartitionRows(k: Int) -> Int { max(4 * k, 256) }

    /// Query rows allocated for a block of `n` (padded for the widest kernel variant).
    static func paddedQueries(_ n: Int) -> Int {
        let widest = OpenCLKernels.queriesPerItemVariants.last!
        return (n + widest - 1) / widest * widest
    }
}

extension OpenCLDevice {
    /// Exact k-nearest-neighbour search of `queryCount` fp32 queries (row-major, host memory)
    /// against one slab on this device. See `search(queries:queryCount:dimension:slabs:…)`.
    public func search(queries: UnsafePointer<Float>, queryCount: Int, dimension: Int, slab: DeviceSlab,
                       metric: Metric, k: Int, tempBudgetBytes: Int) throws -> SearchResult {
        try search(queries: queries, queryCount: queryCount, dimension: dimension, slabs: [slab],
                   metric: metric, k: k, tempBudgetBytes: tempBudgetBytes)
    }

    /// Exact k-nearest-neighbour search against several slabs of this device, merged: per query
    /// the k best (score, global row id) pairs, best first with FAISS's conventions (IP larger
    /// is better; L2 is the squared distance, ascending), padded with id −1 and the metric's
    /// sentinel score. Which of several equal scores makes the cut is unspecified (as in FAISS);
    /// in the output, equal scores are ordered by ascending id.
    ///
    /// Work: for each block of queries and each tile of each slab, one kernel scores the tile
    /// (fp32 arithmetic; L2 by direct differences Σ(q − x)², so no norms are stored and close
    /// neighbours lose no precision) and one reduces each query's scores to sorted top-k lists
    /// per partition; the host merges those lists. Scratch stays within `tempBudgetBytes`
    /// (see `DeviceSearchPlan`); k is limited to `DeviceSearchPlan.maxK`.
    public func search(queries: UnsafePointer<Float>, queryCount: Int, dimension: Int, slabs: [DeviceSlab],
                       metric: Metric, k: Int, tempBudgetBytes: Int) throws -> SearchResult {
        guard queryCount >= 0 else { throw invalid("queryCount must be ≥ 0 (got \(queryCount))") }
        if k == 0 { return SearchResult(queryCount: queryCount, k: 0, scores: [], ids: []) }
        let maxSlabRows = slabs.map(\.rowCount).max() ?? 0
        let plan = try DeviceSearchPlan(queryCount: queryCount, dimension: dimension, k: k,
                                        maxSlabRows: maxSlabRows, tempBudgetBytes: tempBudgetBytes, device: info)
        return try search(queries: queries, slabs: slabs, metric: metric, plan: plan)
    }

    /// The search above with a plan made beforehand (so that a memory ledger can record
    /// `plan.scratchBytes` first); the plan fixes the query count, dimension and k.
    /// - Parameter rowMask: the global rows that may be returned (nil: all). It is copied to
    ///   the device (count / 8 bytes) and each tile's filtered scores are set to the worst
    ///   before the device's top-k, so the k results are the best k that pass.
    public func search(queries: UnsafePointer<Float>, slabs: [DeviceSlab], metric: Metric,
                       plan: DeviceSearchPlan, rowMask: IDBitmap? = nil) throws -> SearchResult {
        let queryCount = plan.queryCount, dimension = plan.dimension, k = plan.k
        for slab in slabs {
            guard slab.device === self else {
                throw invalid("slab at row \(slab.firstRow) lives on \(slab.device), not on this device")
            }
            guard slab.dimension == dimension else {
                throw invalid("slab at row \(slab.firstRow) has dimension \(slab.dimension), queries have \(dimension)")
            }
        }
        let maxSlabRows = slabs.map(\.rowCount).max() ?? 0
        var scores = [Float](repeating: metric.sentinelScore, count: queryCount * k)
        var ids = [Int64](repeating: -1, count: queryCount * k)
        if queryCount == 0 || maxSlabRows == 0 {
            return SearchResult(queryCount: queryCount, k: k, scores: scores, ids: ids)
        }

        let program = try program(named: OpenCLKernels.searchProgram, source: OpenCLKernels.searchSource)
        let d = dimension
        let block = plan.queryBlock
        let paddedBlock = DeviceSearchPlan.paddedQueries(block)
        let candidateCount = block * plan.maxPartitions * k
        let queryBuffer = try makeBuffer(byteCount: paddedBlock * d * 4, touch: true)
        let scoreBuffer = try makeBuffer(byteCount: block * plan.tileRows * 4, touch: true)
        let candidateScores = try makeBuffer(byteCount: candidateCount * 4, touch: true)
        let candidateIDs = try makeBuffer(byteCount: candidateCount * 4, touch: true)
        let topK = try kernel(OpenCLKernels.topKKernelName, in: program)
        var maskBuffer: OpenCLBuffer?
        let maskKernel = rowMask == nil ? nil : try kernel(OpenCLKernels.maskKernelName, in: program)
        if let rowMask {
            let buffer = try makeBuffer(byteCount: max(8, rowMask.words.count * 8))
            try rowMask.words.withUnsafeBytes { bytes in
                if let base = bytes.baseAddress { try buffer.write(from: base, count: bytes.count) }
            }
            maskBuffer = buffer
        }

        var hostQueries = [Float](repeating: 0, count: paddedBlock * d)
        var hostScores = [Float](repeating: 0, count: candidateCount)
        var hostIDs = [Int32](repeating: -1, count: candidateCount)
        let largerIsBetter = metric.largerIsBetter

        var queryStart = 0
        while queryStart < queryCount {
            let n = min(block, queryCount - queryStart)
            let perItem = OpenCLKernels.queriesPerItem(forBlockOf: n)
            let padded = (n + perItem - 1) / perItem * perItem
            hostQueries.withUnsafeMutableBufferPointer { host in
                let base = host.baseAddress!
                base.update(from: queries + queryStart * d, count: n * d)
                (base + n * d).update(repeating: 0, count: (padded - n) * d)
            }
            try queryBuffer.write(from: hostQueries, count: padded * d * 4)
            let heaps = TopKHeaps(count: n, k: k)

            for slab in slabs where slab.rowCount > 0 {
                let name = OpenCLKernels.scoresKernelName(precision: slab.precision, metric: metric,
                                                          queriesPerItem: perItem)
                let scoreKernel = try kernel(name, in: program)
                // GPUs get work-groups of 64 consecutive rows (the query loads are then uniform
                // across a group); CPU drivers such as PoCL choose their own, which measured best.
                let group = rowGroupOverride ?? (info.type == .gpu ? 64 : nil)
                let rowGroup = group.map { min($0, scoreKernel.maxWorkGroupSize) }
                var tileStart = 0
                while tileStart < slab.rowCount {
                    let rows = min(plan.tileRows, slab.rowCount - tileStart)
                    let partitions = plan.partitions(forTileOf: rows, k: k)
                    try scoreKernel.set(0, queryBuffer)
                    try scoreKernel.set(1, uint: n)
                    try scoreKernel.set(2, uint: d)
                    try scoreKernel.set(3, slab.buffer)
                    try scoreKernel.set(4, ulong: tileStart)
                    try scoreKernel.set(5, uint: rows)
                    try scoreKernel.set(6, scoreBuffer)
                    try scoreKernel.set(7, uint: plan.tileRows)
                    if let group = rowGroup {
                        try scoreKernel.enqueue(global: [(rows + group - 1) / group * group, padded / perItem],
                                                local: [group, 1])
                    } else {
                        try scoreKernel.enqueue(global: [rows, padded / perItem])
                    }

                    if let maskKernel, let maskBuffer {
                        try maskKernel.set(0, scoreBuffer)
                        try maskKernel.set(1, uint: plan.tileRows)
                        try maskKernel.set(2, uint: rows)
                        try maskKernel.set(3, uint: n)
                        try maskKernel.set(4, maskBuffer)
                        try maskKernel.set(5, ulong: slab.firstRow + tileStart)
                        try maskKernel.set(6, int: metric == .l2 ? 1 : 0)
                        try maskKernel.enqueue(global: [rows, n])
                    }
                    try topK.set(0, scoreBuffer)
                    try topK.set(1, uint: plan.tileRows)
                    try topK.set(2, uint: rows)
                    try topK.set(3, uint: n)
                    try topK.set(4, uint: partitions)
                    try topK.set(5, uint: k)
                    try topK.set(6, int: largerIsBetter ? 0 : 1)
                    try topK.set(7, candidateScores)
                    try topK.set(8, candidateIDs)
                    try topK.enqueue(global: [n * partitions])

                    let lists = n * partitions
                    try candidateScores.read(into: &hostScores, count: lists * k * 4)
                    try candidateIDs.read(into: &hostIDs, count: lists * k * 4)
                    merge(hostScores, hostIDs, queries: n, partitions: partitions, k: k,
                          firstRow: slab.firstRow + tileStart, largerIsBetter: largerIsBetter, into: heaps)
                    tileStart += rows
                }
            }
            let blockResult = heaps.result(metric: metric)
            scores.replaceSubrange((queryStart * k)..<((queryStart + n) * k), with: blockResult.scores)
            ids.replaceSubrange((queryStart * k)..<((queryStart + n) * k), with: blockResult.ids)
            queryStart += n
        }
        return SearchResult(queryCount: queryCount, k: k, scores: scores, ids: ids)
    }

    /// Folds sorted per-partition candidate lists into the block's heaps. Each list is best
    /// first, so a list is abandoned at its first entry that cannot enter the heap.
    private func merge(_ scores: [Float], _ ids: [Int32], queries: Int, partitions: Int, k: Int,
                       firstRow: Int, largerIsBetter: Bool, into heaps: TopKHeaps) {
        scores.withUnsafeBufferPointer { scores in
            ids.withUnsafeBufferPointer { ids in
                for q in 0..<queries {
                    for p in 0..<partitions {
                        let base = (q * partitions + p) * k
                        for j in 0..<k {
                            let id = ids[base + j]
                            if id < 0 { break }
                            let key = largerIsBetter ? scores[base + j] : -scores[base + j]
                            if !(key > heaps.threshold(q)) { break }
                            heaps.replaceTop(q, key: key, id: Int64(firstRow) + Int64(id))
                        }
                    }
                }
            }
        }
    }
}

extension SearchResult {
    /// Merges results of the same queries over disjoint parts of an index (shards, slabs,
    /// devices) into the k best per query, best first. At a tie on the cut, earlier parts win;
    /// equal scores are listed by ascending id.
    public static func merging(_ parts: [SearchResult], metric: Metric) -> SearchResult {
        guard let first = parts.first else { return SearchResult(queryCount: 0, k: 0, scores: [], ids: []) }
        let n = first.queryCount
        let k = first.k
        precondition(parts.allSatisfy { $0.queryCount == n && $0.k == k }, "merging results of different shapes")
        let heaps = TopKHeaps(count: n, k: k)
        for part in parts {
            for q in 0..<n {
                for j in 0..<k {
                    let id = part.ids[q * k + j]
                    if id < 0 { continue }
                    let score = part.scores[q * k + j]
                    heaps.push(q, key: metric.largerIsBetter ? score : -score, id: id)
                }
            }
        }
        return heaps.result(metric: metric)
    }
}
