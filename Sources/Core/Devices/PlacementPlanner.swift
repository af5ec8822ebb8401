extension DevicePrecision: CaseIterable {
    public static var allCases: [DevicePrecision] { [.fp32, .fp16] }
}

/// How an index is spread over several devices.
public enum Layout: String, Sendable, CaseIterable {
    /// All rows on one device.
    case single
    /// Rows split between devices; every query goes to all, results merged.
    case shard
    /// A full copy on each device; queries split between them.
    case replicate
}

/// What the planner needs to know of an index: its shape, not its vectors.
public struct IndexShape: Sendable, Equatable {
    public let className: String
    public let rows: Int
    public let dimension: Int
    /// Whether 64-bit ids are kept beside the vectors (IDMap); they stay in host memory.
    public let hasIDs: Bool

    public init(className: String, rows: Int, dimension: Int, hasIDs: Bool) {
        self.className = className
        self.rows = rows
        self.dimension = dimension
        self.hasIDs = hasIDs
    }

    /// Bytes of vector data at a precision.
    public func vectorBytes(_ precision: DevicePrecision, rows count: Int? = nil) -> Int {
        (count ?? rows) * dimension * precision.bytesPerComponent
    }
}

/// A device as the planner sees it: how much it may hold, and its largest single allocation.
public struct PlanDevice: Sendable, Equatable {
    public let name: String
    /// The bytes this device may use: its memory, or less if the user set a budget.
    public let capacityBytes: Int
    public let maxAllocationBytes: Int
    /// Scratch memory for search tiles on this device.
    public let tempBudgetBytes: Int

    public init(name: String, capacityBytes: Int, maxAllocationBytes: Int, tempBudgetBytes: Int) {
        self.name = name
        self.capacityBytes = capacityBytes
        self.maxAllocationBytes = maxAllocationBytes
        self.tempBudgetBytes = tempBudgetBytes
    }

    /// The default scratch budget: the smaller of 1 GiB and a tenth of the device.
    public static func defaultTempBudget(memoryBytes: Int) -> Int { min(1 << 30, memoryBytes / 10) }
}

/// One way to place an index, with its predicted memory per device.
public struct PlanOption: Sendable, Equatable {
    public let precision: DevicePrecision
    public let layout: Layout
    public let devices: [PlanDevice]
    public let rowsPerDevice: [Int]
    public let residentBytesPerDevice: [Int]
    public let peakBytesPerDevice: [Int]
    public let slabsPerDevice: [Int]
    public let chunkBytes: Int

    /// Whether every device can hold its peak.
    public var fits: Bool { zip(peakBytesPerDevice, devices).allSatisfy { $0 <= $1.capacityBytes } }

    /// "fp16 on cl0", "fp32 sharded over cl0, cl1".
    public var summary: String {
        let names = devices.map(\.name).joined(separator: ", ")
        switch layout {
        case .single: return "\(precision.rawValue) on \(names)"
        case .shard: return "\(precision.rawValue) sharded over \(names)"
        case .replicate: return "\(precision.rawValue) replicated on \(names)"
        }
    }
}

/// A compressed index type that would fit where the exact one does not, with its size.
public struct CompressedEstimate: Sendable, Equatable {
    public let factory: String
    public let bytes: Int
    public let note: String
}

/// Predicts resident and peak bytes per device for a placement, before anything moves and
/// without reading vectors. Peak = resident + one upload chunk (staging) + search scratch,
/// because moves upload in bounded chunks (converting to fp16 on the device) rather than
/// copying the whole index first, which is what makes FAISS run out of memory.
public enum PlacementPlanner {
    /// Upload and download chunk size unless the user sets one.
    public static let defaultChunkBytes = 64 << 20

    /// The prediction for one placement.
    public static func evaluate(_ shape: IndexShape, on devices: [PlanDevice], layout: Layout,
                                precision: DevicePrecision, chunkBytes: Int = defaultChunkBytes) -> PlanOption {
        precondition(!devices.isEmpty)
        let rows: [Int]
        switch layout {
        case .single, .replicate: rows = devices.map { _ in shape.rows }
        case .shard: rows = shardRows(total: shape.rows, parts: devices.count)
        }
        let resident = rows.map { shape.vectorBytes(precision, rows: $0) }
        let rowBytes = max(1, shape.dimension * precision.bytesPerComponent)
        // The chunk shrinks (down to 1 MiB, or one row) when that lets every device fit: a
        // smaller chunk costs transfer speed, not feasibility.
        let fp32RowBytes = max(1, shape.dimension * 4)
        let fullChunk = min(chunkBytes, max(fp32RowBytes, shape.vectorBytes(.fp32)))
        let floor = min(fullChunk, max(fp32RowBytes, 1 << 20))
        let room = zip(resident, devices).map { $1.capacityBytes - $0 - $1.tempBudgetBytes }.min() ?? fullChunk
        let chunk = room >= floor ? min(fullChunk, room) : fullChunk
        let slabs = zip(rows, devices).map { count, device -> Int in
            let rowsPerSlab = max(1, device.maxAllocationBytes / rowBytes)
            return count == 0 ? 0 : (count + rowsPerSlab - 1) / rowsPerSlab
        }
        let peak = zip(resident, devices).map { $0 + chunk + $1.tempBudgetBytes }
        return PlanOption(precision: precision, layout: layout, devices: devices, rowsPerDevice: rows,
                          residentBytesPerDevice: resident, peakBytesPerDevice: peak, slabsPerDevice: slabs, chunkBytes: chunk)
    }

    /// Every placement worth showing on these devices: each precision on each single device,
    /// sharded over the first 2…N, and replicated on all.
    public static func options(_ shape: IndexShape, devices: [PlanDevice], chunkBytes: Int = defaultChunkBytes) -> [PlanOption] {
        var out = [PlanOption]()
        for precision in DevicePrecision.allCases {
            for device in devices { out.append(evaluate(shape, on: [device], layout: .single, precision: precision, chunkBytes: chunkBytes)) }
            if devices.count > 1 {
                for n in 2...devices.count {
                    out.append(evaluate(shape, on: Array(devices.prefix(n)), layout: .shard, precision: precision, chunkBytes: chunkBytes))
                }
                out.append(evaluate(shape, on: devices, layout: .replicate, precision: precision, chunkBytes: chunkBytes))
            }
        }
        return out
    }

    /// Sizes of compressed conversions (the codes plus ids plus trained tables).
    public static func compressedEstimates(_ shape: IndexShape) -> [CompressedEstimate] {
        let ids = shape.rows * 8  // IVF keeps an id per vector; an IDMap does too.
        let d = shape.dimension
        var out = [CompressedEstimate(factory: "SQ8", bytes: shape.rows * d + (shape.hasIDs ? ids : 0) + 2 * d * 4,
                                      note: "8-bit scalar quantizer, 1 byte per dimension; recall usually ≥ 0.99")]
        let m = [64, 48, 32, 16, 8, 4, 2, 1].first { d % $0 == 0 && $0 * 4 <= max(d, 4) } ?? 1
        var nlist = 1
        while nlist * nlist < 16 * max(shape.rows, 1) && nlist < 65536 { nlist *= 2 }
        let pq = shape.rows * (m + 8) + nlist * d * 4 + d * 256 * 4
        out.append(CompressedEstimate(factory: "IVF\(nlist),PQ\(m)", bytes: pq,
                                      note: "\(m)-byte product-quantizer codes in \(nlist) lists; recall depends on nprobe"))
        return out
    }

    /// Splits `total` rows into `parts` nearly equal contiguous shards.
    public static func shardRows(total: Int, parts: Int) -> [Int] {
        (0..<parts).map { total * ($0 + 1) / parts - total * $0 / parts }
    }
}

/// A placement that does not fit, with the numbers and the placements and conversions that would.
public struct PlacementRefusal: Error, Sendable, CustomStringConvertible {
    public let shape: IndexShape
    public let requested: PlanOption
    public let alternatives: [PlanOption]
    public let compressed: [CompressedEstimate]

    public init(shape: IndexShape, requested: PlanOption, alternatives: [PlanOption], compressed: [CompressedEstimate]) {
        self.shape = shape
        self.requested = requested
        self.alternatives = alternatives
        self.compressed = compressed
    }

    /// Checks `requested`; throws a refusal listing what fits among `candidates` if it does not.
    public static func check(_ requested: PlanOption, shape: IndexShape, candidates: [PlanOption]) throws {
        guard !requested.fits else { return }
        throw PlacementRefusal(shape: shape, requested: requested, alternatives: candidates.filter(\.fits),
                               compressed: PlacementPlanner.compressedEstimates(shape))
    }

    public var description: String {
        var text = "cannot place \(shape.className) \(shape.rows) × \(shape.dimension) as \(requested.summary):"
        for (i, device) in requested.devices.enumerated() where requested.peakBytesPerDevice[i] > device.capacityBytes {
            text += " \(device.name) would need \(ByteSize.format(requested.peakBytesPerDevice[i])) at peak"
                + " (\(ByteSize.format(requested.residentBytesPerDevice[i])) of vectors + \(ByteSize.format(requested.chunkBytes)) upload chunk"
                + " + \(ByteSize.format(device.tempBudgetBytes)) search scratch) but may use \(ByteSize.format(device.capacityBytes));"
        }
        if alternatives.isEmpty {
            text += " no placement of the exact index fits these devices."
        } else {
            let listed = alternatives.prefix(4).map { option in
                "\(option.summary) (peak \(ByteSize.format(option.peakBytesPerDevice.max() ?? 0))\(option.devices.count > 1 ? " each" : ""))"
            }
            text += " placements that fit: " + listed.joined(separator: "; ") + "."
        }
        text += " Compressed instead: " + compressed.map { "\($0.factory) ≈ \(ByteSize.format($0.bytes))" }.joined(separator: ", ") + "."
        return text
    }
}
