/// The vocabulary every index shares, in FAISS's terms with Swift names.
public protocol VectorIndex: AnyObject {
    /// Vector dimension (FAISS `d`).
    var dimension: Int { get }
    /// Number of vectors stored (FAISS `ntotal`).
    var count: Int { get }
    /// How vectors are compared.
    var metric: Metric { get }
    /// Whether the index can accept vectors (flat indexes always can).
    var isTrained: Bool { get }
    /// FAISS's class name for this index (`IndexFlatIP`, `IndexIDMap2`, …).
    var faissClassName: String { get }

    /// Appends vectors; `ids` are required by id-mapping indexes and refused by the others.
    /// - Throws: `IndexError` on a dimension mismatch or when ids do not fit the index.
    func add(_ vectors: VectorMatrix, ids: [Int64]?) throws

    /// The `k` best matches of each query, best first, padded with id −1, searched with
    /// `parameters` (what they leave nil, and what does not apply to this index, as the index's
    /// own defaults). The index is not changed, so searches with different parameters may run
    /// at once.
    /// - Throws: `IndexError` on a dimension mismatch or a negative k; `IndexParameterError`
    ///   when a parameter is out of range.
    func search(_ queries: VectorMatrix, k: Int, parameters: SearchParameters) throws -> SearchResult

    /// The stored vector with this id (the row number, for indexes without an id map).
    /// - Throws: `IndexError.idNotFound`.
    func reconstruct(id: Int64) throws -> [Float]

    /// What the index holds in memory, by component.
    var memoryUsage: [MemoryComponent] { get }
}

extension VectorIndex {
    /// The `k` best matches of each query with the index's own search parameters.
    /// - Throws: as `search(_:k:parameters:)`.
    public func search(_ queries: VectorMatrix, k: Int) throws -> SearchResult {
        try search(queries, k: k, parameters: SearchParameters())
    }
}

/// Per-call settings of a search (FAISS's `SearchParameters`): each travels with one call
/// instead of being set on a shared index. Nil takes the index's own value (as saved in its
/// file); a setting for another kind of index is ignored, as an IDMap passes both to its inner
/// index (translating the selector from its ids to the inner index's rows).
public struct SearchParameters: Sendable, Equatable {
    /// IVF: inverted lists scanned per query (at least 1; more than nlist scans them all).
    public var nprobe: Int?
    /// HNSW: candidate list size (at least 1; at least k is used).
    public var efSearch: Int?
    /// Which ids may be returned (FAISS's `sel`), for every kind of index; nil: all. The k
    /// results are the best k that pass, padded with −1 only when fewer pass.
    public var selector: IDSelector?

    public init(nprobe: Int? = nil, efSearch: Int? = nil, selector: IDSelector? = nil) {
        self.nprobe = nprobe
        self.efSearch = efSearch
        self.selector = selector
    }
}

extension SearchParameters {
    /// `nprobe` (IVF) and `efSearch` (HNSW), when given, checked against `index` or the index inside its IDMap.
    /// - Throws: `UsageError` when a parameter does not fit the index or is below 1.
    public static func checked(nprobe: Int?, efSearch: Int?, for index: any VectorIndex, path: String) throws -> SearchParameters {
        let core = index.tunedIndex
        if let nprobe {
            guard core is IVFIndex else {
                throw UsageError(description: "--nprobe applies to IVF indexes, and \(path) is \(core.faissClassName)")
            }
            guard nprobe >= 1 else { throw UsageError(description: "--nprobe must be at least 1 (got \(nprobe)) for \(path)") }
        }
        if let efSearch {
            guard core is HNSWIndex else {
                throw UsageError(description: "--ef-search applies to HNSW indexes, and \(path) is \(core.faissClassName)")
            }
            guard efSearch >= 1 else { throw UsageError(description: "--ef-search must be at least 1 (got \(efSearch))") }
        }
        return SearchParameters(nprobe: nprobe, efSearch: efSearch)
    }
}

/// An index that searches through another one (an IDMap its inner index, a refine index its
/// base): `nprobe` and `efSearch` are that index's settings.
public protocol WrappingIndex: VectorIndex {
    /// The index this one's searches go through.
    var searchedIndex: any VectorIndex { get }
}

extension VectorIndex {
    /// The index that `nprobe` and `efSearch` tune: this one, or what its wrappers search.
    public var tunedIndex: any VectorIndex {
        var index: any VectorIndex = self
        while let wrapper = index as? WrappingIndex { index = wrapper.searchedIndex }
        return index
    }
}

/// An exact index whose vectors can be read back as fp32 rows: a flat index on the host or
/// on devices. Saving, moving and IDMap wrappers work through this.
public protocol FlatRows: VectorIndex {
    /// Where the rows live and how, for people ("host RAM (memory-mapped)", "fp16 on cl0").
    var placementDescription: String { get }
    /// Copies rows `range` as fp32 into `destination` (`range.count × dimension` floats).
    /// - Throws: a device error when a device transfer fails.
    func readRows(_ range: Range<Int>, into destination: UnsafeMutablePointer<Float>) throws
}

/// One part of an index's memory: what it is, how many bytes, and whether those bytes are
/// file-backed (memory-mapped, shared with the page cache) or anonymous (the process's own).
public struct MemoryComponent: Sendable, Equatable {
    public let name: String
    public let bytes: Int
    public let fileBacked: Bool

    public init(name: String, bytes: Int, fileBacked: Bool) {
        self.name = name
        self.bytes = bytes
        self.fileBacked = fileBacked
    }
}

/// Mistakes in how an index is used (as opposed to what a file holds).
public enum IndexError: Error, Equatable, CustomStringConvertible {
    case dimensionMismatch(expected: Int, found: Int, what: String)
    case invalidK(Int)
    case idNotFound(Int64)
    case idsNotAccepted(className: String)
    case idsRequired(className: String)
    case idCountMismatch(vectors: Int, ids: Int)
    case resultTooLarge(queries: Int, k: Int, bytes: Int, availableBytes: Int)

    public var description: String {
        switch self {
        case let .dimensionMismatch(expected, found, what):
            return "\(what) has dimension \(found), but the index has dimension \(expected)"
        case let .invalidK(k):
            return "k must be at least 1 (got \(k))"
        case let .idNotFound(id):
            return "no vector with id \(id) in the index"
        case let .idsNotAccepted(name):
            return "\(name) numbers its vectors itself and does not take ids: wrap it in an IDMap"
        case let .idsRequired(name):
            return "\(name) needs an id for every vector added"
        case let .idCountMismatch(vectors, ids):
            return "\(vectors) vectors were given with \(ids) ids"
        case let .resultTooLarge(queries, k, bytes, available):
            let size = bytes == Int.max ? "more bytes than a 64-bit size can count" : ByteSize.format(bytes)
            return "\(queries) queries × k = \(k) results would need \(size), more than half of the \(ByteSize.format(available)) of memory available"
        }
    }
}

extension IndexError {
    /// Checks that `queries × k` results (12 bytes each: score and id) fit in half the memory
    /// available, so a huge k is refused instead of crashing the allocation.
    static func checkResultSize(queries: Int, k: Int) throws {
        guard k >= 1 else { throw IndexError.invalidK(k) }
        let (entries, overflow1) = queries.multipliedReportingOverflow(by: k)
        let (bytes, overflow2) = entries.multipliedReportingOverflow(by: 12)
        // Results under 64 MiB always fit: only larger ones read /proc/meminfo (per search, it costs tens of µs).
        if !overflow1 && !overflow2 && bytes <= 64 << 20 { return }
        let available = HostInfo.current().availableMemoryBytes
        if overflow1 || overflow2 || bytes > max(available, 1 << 30) / 2 {
            throw IndexError.resultTooLarge(queries: queries, k: k, bytes: overflow1 || overflow2 ? Int.max : bytes,
                                            availableBytes: available)
        }
    }
}

/// Called during long work with (units done, units total); returning false cancels it, and the
/// work then throws `CancellationError` leaving what it was building unused.
public typealias ProgressHandler = (_ done: Int, _ total: Int) -> Bool

/// An index that learns from data before vectors are added (IVF, PQ, SQ) or builds a structure
/// while adding (HNSW): the long steps report progress and can be cancelled.
public protocol TrainableIndex: VectorIndex {
    /// Learns the index's parameters (centroids, codebooks, ranges) from `vectors`.
    func train(_ vectors: VectorMatrix, progress: ProgressHandler) throws
    /// Adds vectors (with ids where the index keeps them), reporting progress.
    func add(_ vectors: VectorMatrix, ids: [Int64]?, progress: ProgressHandler) throws
}

/// An index that can size its storage for vectors still to come, so that adding them in
/// chunks never reallocates (a reallocation holds the old and the new buffer at once: a
/// second copy of everything added so far). `IndexConversion` reserves the final count.
protocol CapacityReserving: VectorIndex {
    /// Makes room for `total` vectors in all.
    func reserveCapacity(forTotal total: Int)
}

extension FlatIndex: CapacityReserving {
    func reserveCapacity(forTotal total: Int) { storage.reserveCapacity(rows: total) }
}

extension ScalarQuantizerIndex: CapacityReserving {
    func reserveCapacity(forTotal total: Int) { codes.reserveCapacity(total) }
}

extension PQIndex: CapacityReserving {
    func reserveCapacity(forTotal total: Int) { codes.reserveCapacity(total) }
}

extension HNSWIndex: CapacityReserving {
    func reserveCapacity(forTotal total: Int) {
        storage.reserveCapacity(forTotal: total)
        graph.reserve(nodes: total)
    }
}
