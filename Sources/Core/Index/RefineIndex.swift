import Foundation

/// FAISS's `IndexRefine` and `IndexRefineFlat` (factory `…,Refine(…)` and `…,RFlat`): a fast
/// base index proposes `k × kFactor` candidates, and the refine index, which holds the same
/// vectors more precisely (exactly, for `RFlat`), scores them again; the best k of those scores
/// are the results, as FAISS returns them. Both indexes number the vectors alike (rows).
public final class RefineIndex: TrainableIndex, WrappingIndex, IndexDetails, CapacityReserving {
    /// The index searched first.
    public let base: any VectorIndex
    public var searchedIndex: any VectorIndex { base }
    /// The index whose distances rank the candidates.
    public let refine: any VectorIndex
    /// Candidates fetched from the base per result wanted (FAISS's `k_factor`, saved in the file).
    public var kFactor: Float
    public private(set) var isTrained: Bool

    /// Joins `base` and `refine`, which must agree in dimension, metric and count.
    /// - Throws: `IndexParameterError` when they do not.
    public init(base: any VectorIndex, refine: any VectorIndex, kFactor: Float = 1, isTrained: Bool? = nil) throws {
        guard base.dimension == refine.dimension, base.metric == refine.metric else {
            throw IndexParameterError("a refine index needs a base and a refine index of one dimension and metric; got \(base.faissClassName) (d \(base.dimension), \(base.metric)) and \(refine.faissClassName) (d \(refine.dimension), \(refine.metric))")
        }
        guard base.count == refine.count else {
            throw IndexParameterError("the base index holds \(base.count) vectors and the refine index \(refine.count): they must hold the same ones")
        }
        self.base = base
        self.refine = refine
        self.kFactor = kFactor
        self.isTrained = isTrained ?? (base.isTrained && refine.isTrained)
    }

    public var dimension: Int { base.dimension }
    public var count: Int { base.count }
    public var metric: Metric { base.metric }
    /// `IndexRefineFlat` when the refine index is exact, as `faiss.read_index` names it.
    public var faissClassName: String { refine is FlatRows ? "IndexRefineFlat" : "IndexRefine" }

    public func train(_ vectors: VectorMatrix, progress: ProgressHandler) throws {
        if let trainable = base as? TrainableIndex, !base.isTrained { try trainable.train(vectors, progress: progress) }
        if let trainable = refine as? TrainableIndex, !refine.isTrained { try trainable.train(vectors, progress: progress) }
        isTrained = true
    }

    public func add(_ vectors: VectorMatrix, ids: [Int64]?) throws {
        try add(vectors, ids: ids, progress: { _, _ in true })
    }

    /// Adds to both indexes (FAISS's IndexRefine takes no ids: wrap it in an IDMap).
    public func add(_ vectors: VectorMatrix, ids: [Int64]?, progress: ProgressHandler) throws {
        guard ids == nil else { throw IndexError.idsNotAccepted(className: faissClassName) }
        guard isTrained else { throw TrainingError.notTrained(className: faissClassName) }
        if let trainable = base as? TrainableIndex { try trainable.add(vectors, ids: nil, progress: progress) } else { try base.add(vectors, ids: nil) }
        try refine.add(vectors, ids: nil)
    }

    func reserveCapacity(forTotal total: Int) {
        (base as? CapacityReserving)?.reserveCapacity(forTotal: total)
        (refine as? CapacityReserving)?.reserveCapacity(forTotal: total)
    }

    /// Candidates fetched from the base for `k` results: FAISS's `idx_t(k * k_factor)`.
    /// - Throws: `IndexParameterError` when that is fewer than k.
    public func baseK(for k: Int) throws -> Int {
        let product = Float(k) * kFactor
        guard product.isFinite, product < Float(Int32.max) else {
            throw IndexParameterError("k = \(k) × k_factor \(kFactor) is too many candidates")
        }
        let candidates = Int(product)
        guard candidates >= k else {
            throw IndexParameterError("k_factor \(kFactor) gives \(candidates) candidates for k = \(k); it must be at least 1")
        }
        return candidates
    }

    /// Searches the base (with `parameters`: nprobe, efSearch and the selector apply there), then
    /// ranks each query's candidates by the refine index's distances.
    public func search(_ queries: VectorMatrix, k: Int, parameters: SearchParameters) throws -> SearchResult {
        guard k >= 1 else { throw IndexError.invalidK(k) }
        guard queries.dimension == dimension else {
            throw IndexError.dimensionMismatch(expected: dimension, found: queries.dimension, what: "the queries")
        }
        try IndexError.checkResultSize(queries: queries.rows, k: k)
        let kBase = try baseK(for: k)
        let candidates = try base.search(queries, k: kBase, parameters: parameters)
        let n = queries.rows, d = dimension
        let heaps = TopKHeaps(count: n, k: k, metric: metric)
        let l2 = metric == .l2
        let exactRows = refine as? FlatRows
        var failure: Error?
        let failureLock = NSLock()
        queries.values.withUnsafeBufferPointer { q in
            Parallel.forEachSlice(of: n, parts: n * kBase * d < 1 << 16 ? 1 : Parallel.workerCount) { _, range in
                let row = UnsafeMutablePointer<Float>.allocate(capacity: max(1, d))
                defer { row.deallocate() }
                do {
                    for i in range {
                        let query = UnsafeRawPointer(q.baseAddress! + i * d)
                        for j in 0..<kBase {
                            let id = candidates.ids[i * kBase + j]
                            guard id >= 0, id < Int64(count) else { continue }
                            if let exactRows {
                                try exactRows.readRows(Int(id)..<Int(id) + 1, into: row)
                            } else {
                                let decoded = try refine.reconstruct(id: id)
                                decoded.withUnsafeBufferPointer { row.update(from: $0.baseAddress!, count: d) }
                            }
                            let key = l2 ? -Distances.squaredL2(query, row, d) : Distances.innerProduct(query, row, d)
                            heaps.push(i, key: key, id: id)
                        }
                    }
                } catch {
                    failureLock.lock()
                    if failure == nil { failure = error }
                    failureLock.unlock()
                }
            }
        }
        if let failure { throw failure }
        return heaps.result(metric: metric)
    }

    /// The refine index's copy of the vector, as FAISS's `IndexRefine::reconstruct` returns it.
    public func reconstruct(id: Int64) throws -> [Float] { try refine.reconstruct(id: id) }

    public var memoryUsage: [MemoryComponent] {
        base.memoryUsage.map { MemoryComponent(name: "base \($0.name)", bytes: $0.bytes, fileBacked: $0.fileBacked) }
            + refine.memoryUsage.map { MemoryComponent(name: "refine \($0.name)", bytes: $0.bytes, fileBacked: $0.fileBacked) }
    }

    /// The base index's structure, then the refinement.
    public var details: [(name: String, value: JSONValue)] {
        ((base as? IndexDetails)?.details ?? [])
            + [("base_index", .string(base.faissClassName)), ("refine_index", .string(refine.faissClassName)),
               ("k_factor", .double(Double(kFactor)))]
    }
}
