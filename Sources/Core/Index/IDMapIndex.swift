/// Gives the vectors of an inner index arbitrary 64-bit ids (FAISS `IndexIDMap`, and
/// `IndexIDMap2`, which also looks vectors up by id). Both look ids up here, building the
/// reverse map on first use, since similar-item lookups need `reconstruct(id:)`.
public final class IDMapIndex: WrappingIndex, CapacityReserving {
    /// FAISS's two wrappers. They store the same bytes; IDMap2 promises lookup by id.
    public enum Kind: Sendable {
        case idMap
        case idMap2
    }

    public let kind: Kind
    public let inner: any VectorIndex
    public var searchedIndex: any VectorIndex { inner }
    /// External id of each inner row.
    public private(set) var ids: [Int64] {
        didSet { idsEntry.resize(to: ids.capacity * 8) }
    }
    private let idsEntry = MemoryLedger.shared.record(device: MemoryLedger.hostDevice, kind: .ids, bytes: 0)
    /// Inner row by id, built on first lookup; locked, since searches and lookups run at once.
    private let rowByID = Locked<[Int64: Int]?>(nil)
    /// Rows sorted by id (ties by row), built on the first search with a selector: it turns a
    /// selector over ids into one over rows without testing every row.
    private let rowsByIDOrder = Locked<[Int]?>(nil)

    /// Makes room for `total` ids, and in the inner index for as many vectors when it can.
    func reserveCapacity(forTotal total: Int) {
        ids.reserveCapacity(total)
        (inner as? CapacityReserving)?.reserveCapacity(forTotal: total)
    }

    /// Wraps `inner`, whose row i has id `ids[i]`.
    /// - Throws: `IndexError.idCountMismatch` when the counts differ.
    public init(kind: Kind, inner: any VectorIndex, ids: [Int64]) throws {
        guard ids.count == inner.count else { throw IndexError.idCountMismatch(vectors: inner.count, ids: ids.count) }
        self.kind = kind
        self.inner = inner
        self.ids = ids
        idsEntry.resize(to: ids.capacity * 8)
    }

    public var dimension: Int { inner.dimension }
    public var count: Int { inner.count }
    public var metric: Metric { inner.metric }
    public var isTrained: Bool { inner.isTrained }
    public var faissClassName: String { kind == .idMap ? "IndexIDMap" : "IndexIDMap2" }

    public func add(_ vectors: VectorMatrix, ids newIDs: [Int64]?) throws {
        guard let newIDs else { throw IndexError.idsRequired(className: faissClassName) }
        guard newIDs.count == vectors.rows else { throw IndexError.idCountMismatch(vectors: vectors.rows, ids: newIDs.count) }
        let firstRow = inner.count
        try inner.add(vectors, ids: nil)
        ids.append(contentsOf: newIDs)
        rowByID.withLock { map in
            guard map != nil else { return }
            for (offset, id) in newIDs.enumerated() { map![id] = firstRow + offset }
        }
        rowsByIDOrder.withLock { $0 = nil }
    }

    /// Searches the inner index; a selector over ids becomes a bitmap over the inner rows.
    public func search(_ queries: VectorMatrix, k: Int, parameters: SearchParameters) throws -> SearchResult {
        var innerParameters = parameters
        if let selector = parameters.selector {
            innerParameters.selector = .bitmap(selector.rowMask(ids: ids, order: rowsSortedByID()))
        }
        var result = try inner.search(queries, k: k, parameters: innerParameters)
        for i in result.ids.indices where result.ids[i] >= 0 { result.ids[i] = ids[Int(result.ids[i])] }
        return result
    }

    public func reconstruct(id: Int64) throws -> [Float] {
        guard let row = row(of: id) else { throw IndexError.idNotFound(id) }
        return try inner.reconstruct(id: Int64(row))
    }

    /// The inner row that holds `id`, if any.
    /// Repeated ids (FAISS does not forbid them) resolve to the last row, as in FAISS's IDMap2.
    public func row(of id: Int64) -> Int? {
        rowByID.withLock { map in
            if map == nil {
                var built = [Int64: Int](minimumCapacity: ids.count)
                for (row, id) in ids.enumerated() { built[id] = row }
                map = built
            }
            return map![id]
        }
    }

    private func rowsSortedByID() -> [Int] {
        rowsByIDOrder.withLock { order in
            if let order { return order }
            let ids = self.ids
            let sorted = Array(ids.indices).sorted { ids[$0] < ids[$1] || (ids[$0] == ids[$1] && $0 < $1) }
            order = sorted
            return sorted
        }
    }

    public var memoryUsage: [MemoryComponent] {
        var parts = inner.memoryUsage
        parts.append(MemoryComponent(name: "ids", bytes: ids.count * 8, fileBacked: false))
        if let capacity = rowByID.withLock({ $0?.capacity }) {
            // A Swift dictionary entry costs about the key, the value and one word of table.
            parts.append(MemoryComponent(name: "id lookup", bytes: capacity * 24, fileBacked: false))
        }
        if let rows = rowsByIDOrder.withLock({ $0?.count }) {
            parts.append(MemoryComponent(name: "id order", bytes: rows * 8, fileBacked: false))
        }
        return parts
    }
}
