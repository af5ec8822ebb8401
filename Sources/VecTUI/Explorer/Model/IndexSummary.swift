import Core

/// What the Index and Devices panes show about the open index: a snapshot taken when it was
/// opened and after every move.
struct IndexSummary: Equatable, Sendable {
    /// The rows one device holds.
    struct Shard: Equatable, Sendable {
        /// The device's name (`cpu`, `cl0`, …).
        var device: String
        /// The rows it holds (all of them, for a replica).
        var rows: Range<Int>
        /// Bytes of vector data there.
        var bytes: Int
    }

    /// The file the index was opened from.
    var path: String
    /// FAISS's class name (`IndexIDMap2`, `IndexFlatIP`).
    var className: String
    /// The class of the index the id map wraps, if any.
    var innerClassName: String?
    var dimension: Int
    var count: Int
    var metric: Metric
    /// How vectors are stored where they live.
    var precision: DevicePrecision
    /// Bytes the index holds, all components together.
    var bytes: Int
    /// Where the vectors live, for people ("host RAM (memory-mapped)", "fp16 on cl0").
    var placement: String
    /// Where the rows are, device by device.
    var shards: [Shard]
    /// How the rows are spread when on several devices.
    var layout: Layout
    /// Whether 64-bit ids are kept beside the vectors (in host memory).
    var hasIDs: Bool
    /// Bytes of those ids.
    var idBytes: Int
    /// Whether the index can move to OpenCL devices (flat indexes, with or without an id map).
    var isMovable: Bool

    /// A summary of `index`, opened from `path`.
    init(index: any VectorIndex, path: String) {
        self.path = path
        className = index.faissClassName
        dimension = index.dimension
        count = index.count
        metric = index.metric
        bytes = index.memoryUsage.reduce(0) { $0 + $1.bytes }
        let wrapper = index as? IDMapIndex
        let inner: any VectorIndex = wrapper?.inner ?? index
        innerClassName = wrapper?.inner.faissClassName
        hasIDs = wrapper != nil
        idBytes = (wrapper?.ids.count ?? 0) * 8
        isMovable = inner is FlatRows
        if let device = inner as? DeviceFlatIndex {
            precision = device.precision
            layout = device.layout
            placement = device.placementDescription
            shards = device.shards.map { Shard(device: $0.device.name, rows: $0.rows, bytes: $0.residentBytes) }
        } else {
            precision = .fp32
            layout = .single
            placement = (inner as? FlatRows)?.placementDescription ?? "host RAM"
            shards = [Shard(device: MemoryLedger.hostDevice, rows: 0..<index.count,
                            bytes: inner.memoryUsage.reduce(0) { $0 + $1.bytes })]
        }
    }

    /// What the placement planner needs to know.
    var shape: IndexShape {
        IndexShape(className: className, rows: count, dimension: dimension, hasIDs: hasIDs)
    }

    /// Whether the vectors are in host memory.
    var isOnHost: Bool { shards.allSatisfy { $0.device == MemoryLedger.hostDevice } }

    /// "fp32 on cpu", "fp16 sharded over cl0, cl1": where the vectors are, briefly.
    var placementSummary: String {
        let names = shards.map(\.device).joined(separator: ", ")
        switch layout {
        case .single: return "\(precision) on \(names)"
        case .shard: return "\(precision) sharded over \(names)"
        case .replicate: return "\(precision) replicated on \(names)"
        }
    }
}
