import Foundation

/// Exact search over every stored vector (FAISS `IndexFlatIP` / `IndexFlatL2`). Rows are
/// numbered 0…count−1 and those numbers are the ids. Vectors may be memory-mapped from the
/// file they were read from.
public final class FlatIndex: FlatRows {
    public let dimension: Int
    public let metric: Metric
    /// The vectors, row-major.
    public let storage: VectorStorage
    private let normsLock = NSLock()
    private var cachedNorms: [Float]?
    private let normsEntry = MemoryLedger.shared.record(device: MemoryLedger.hostDevice, kind: .norms, bytes: 0)

    /// An empty index.
    public init(dimension: Int, metric: Metric) {
        self.dimension = dimension
        self.metric = metric
        storage = VectorStorage(dimension: dimension)
    }

    /// An index over existing vectors (owned or mapped), without copying them.
    public init(metric: Metric, storage: VectorStorage) {
        self.dimension = storage.dimension
        self.metric = metric
        self.storage = storage
    }

    public var count: Int { storage.rows }
    public var isTrained: Bool { true }
    public var faissClassName: String { metric == .innerProduct ? "IndexFlatIP" : "IndexFlatL2" }

    public func add(_ vectors: VectorMatrix, ids: [Int64]?) throws {
        guard ids == nil else { throw IndexError.idsNotAccepted(className: faissClassName) }
        try append(vectors)
    }

    /// Appends vectors; their ids are the next row numbers.
    public func append(_ vectors: VectorMatrix) throws {
        guard vectors.dimension == dimension else {
            throw IndexError.dimensionMismatch(expected: dimension, found: vectors.dimension, what: "the vectors added")
        }
        normsLock.lock()
        cachedNorms = nil
        normsEntry.release()
        normsLock.unlock()
        vectors.values.withUnsafeBytes { storage.append($0) }
    }

    public func search(_ queries: VectorMatrix, k: Int, parameters: SearchParameters) throws -> SearchResult {
        try IndexError.checkResultSize(queries: queries.rows, k: k)
        guard queries.dimension == dimension else {
            throw IndexError.dimensionMismatch(expected: dimension, found: queries.dimension, what: "the queries")
        }
        func search(_ filter: IDFilter?) -> SearchResult {
            queries.values.withUnsafeBufferPointer { q in
                FlatSearch.search(storage: storage, queries: q.baseAddress ?? UnsafePointer(bitPattern: 64)!,
                                  n: queries.rows, k: k, metric: metric, filter: filter,
                                  squaredNorms: { squaredNorms() })
            }
        }
        guard let selector = parameters.selector else { return search(nil) }
        return selector.rowMask(count: count).withFilter { search($0) }
    }

    public var placementDescription: String { storage.isMapped ? "host RAM (memory-mapped)" : "host RAM" }

    public func readRows(_ range: Range<Int>, into destination: UnsafeMutablePointer<Float>) throws {
        let bytes = storage.bytes(rows: range)
        if let base = bytes.baseAddress { UnsafeMutableRawPointer(destination).copyMemory(from: base, byteCount: bytes.count) }
    }

    public func reconstruct(id: Int64) throws -> [Float] {
        guard id >= 0 && id < Int64(count) else { throw IndexError.idNotFound(id) }
        return storage.row(Int(id))
    }

    public var memoryUsage: [MemoryComponent] {
        var parts = [MemoryComponent(name: "vectors", bytes: storage.byteCount, fileBacked: storage.isMapped)]
        normsLock.lock()
        if let norms = cachedNorms {
            parts.append(MemoryComponent(name: "norms", bytes: norms.count * 4, fileBacked: false))
        }
        normsLock.unlock()
        return parts
    }

    /// ‖x‖² per row for the L2 BLAS path, computed once and kept (4 bytes a row).
    private func squaredNorms() -> [Float] {
        normsLock.lock()
        defer { normsLock.unlock() }
        if cachedNorms == nil {
            cachedNorms = FlatSearch.squaredNorms(of: storage)
            normsEntry.resize(to: count * 4)
        }
        // The search holds its own reference (a pointer must not escape withUnsafeBufferPointer).
        return cachedNorms!
    }
}
