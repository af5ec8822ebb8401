/// Where one stored vector lives and what it looks like, for the explorer's detail view: the
/// storage row, the memory it is in (host RAM, or the device and shard), the inverted list of
/// an IVF index, the top layer of an HNSW node, and the norm of the vector as stored.
public struct VectorLocation: Sendable, Equatable {
    /// The row in the index's storage (nil for IVF indexes, whose vectors live in lists).
    public var row: Int?
    /// The memory holding the vector: "host RAM (memory-mapped)", "fp16 on cl1 (shard 2 of 2)".
    public var memory: String
    /// IVF: the inverted list and the vector's place in it.
    public var list: Int?
    public var listOffset: Int?
    /// IVF: how many vectors that list holds.
    public var listLength: Int?
    /// HNSW: the top layer of the node (0: the bottom layer only).
    public var topLayer: Int?
    /// The L2 norm of the vector as the index returns it (`reconstruct`: decoded for SQ and PQ
    /// codes, rounded for fp16 on a device).
    public var norm: Float
    /// Whether the vector is decoded from a lossy code (the norm is approximate).
    public var isDecoded: Bool

    /// Locates the vector with id `id` (the row number for an index without an id map).
    /// - Throws: `IndexError.idNotFound`, or a device error when reading it back fails.
    public static func locate(id: Int64, in index: any VectorIndex) throws -> VectorLocation {
        let vector = try index.reconstruct(id: id)
        var norm: Float = 0
        for x in vector { norm += x * x }
        var location = VectorLocation(row: nil, memory: "host RAM", norm: norm.squareRoot(), isDecoded: false)
        var inner = index
        var row = id
        if let idMap = index as? IDMapIndex {
            guard let innerRow = idMap.row(of: id) else { throw IndexError.idNotFound(id) }
            inner = idMap.inner
            row = Int64(innerRow)
        }
        switch inner {
        case let flat as FlatIndex:
            location.row = Int(row)
            location.memory = flat.placementDescription
        case let device as DeviceFlatIndex:
            location.row = Int(row)
            location.memory = device.memory(ofRow: Int(row))
        case let ivf as IVFIndex:
            guard let (list, offset) = ivf.listPosition(of: row) else { throw IndexError.idNotFound(id) }
            location.list = list
            location.listOffset = offset
            location.listLength = ivf.lists.count(list)
            if case .flat = ivf.encoding { location.isDecoded = false } else { location.isDecoded = true }
        case let hnsw as HNSWIndex:
            location.row = Int(row)
            location.memory = hnsw.storage.placementDescription
            location.topLayer = hnsw.topLayer(ofRow: Int(row))
        default:
            location.row = Int(row)
            location.isDecoded = true
        }
        return location
    }
}

extension DeviceFlatIndex {
    /// The device (and shard) that holds `row`, for people: "fp16 on cl1 (shard 2 of 2, rows
    /// 500000–999999)"; for replicas, every device.
    public func memory(ofRow row: Int) -> String {
        switch layout {
        case .single, .replicate:
            return placementDescription
        case .shard:
            guard let number = shards.firstIndex(where: { $0.rows.contains(row) }) else { return placementDescription }
            let shard = shards[number]
            return "\(precision) on \(shard.device.name) (shard \(number + 1) of \(shards.count), "
                + "rows \(shard.rows.lowerBound)–\(shard.rows.upperBound - 1))"
        }
    }
}
