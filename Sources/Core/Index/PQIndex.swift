/// FAISS's `IndexPQ`: every vector product-quantized, searched exhaustively with per-query
/// lookup tables (asymmetric distances, `ST_PQ`), or symmetric ones (`ST_SDC`). Codes read from
/// a file stay memory-mapped.
public final class PQIndex: TrainableIndex, IndexDetails {
    /// FAISS's `IndexPQ::Search_type_t`.
    public enum SearchType: Int32, Sendable, CustomStringConvertible {
        case pq = 0
        case hammingEmbedding = 1
        case generalizedHammingEmbedding = 2
        case sdc = 3
        case polysemous = 4
        case polysemousGeneralize = 5

        /// FAISS's enum name.
        public var description: String {
            ["ST_PQ", "ST_HE", "ST_generalized_HE", "ST_SDC", "ST_polysemous", "ST_polysemous_generalize"][Int(rawValue)]
        }
    }

    public let dimension: Int
    public let metric: Metric
    /// The codec.
    public let pq: ProductQuantizer
    /// The codes, in id order.
    public let codes: CodeStorage
    /// Whether the codebooks are trained.
    public private(set) var isTrained: Bool
    /// How searches score codes (stored in the file; ST_PQ by default).
    public var searchType: SearchType
    /// FAISS's `encode_signs` (stored, unused by search).
    public var encodeSigns: Bool
    /// Hamming threshold of polysemous search (stored; default M·nbits + 1, which filters nothing).
    public var polysemousThreshold: Int32

    /// Codes scanned per block and query.
    static let blockRows = 16_384

    /// A new, untrained index.
    /// - Precondition: `ProductQuantizer.validate(dimension:m:nbits:)` accepts the shape.
    public init(dimension: Int, metric: Metric, m: Int, nbits: Int) {
        self.dimension = dimension
        self.metric = metric
        pq = ProductQuantizer(dimension: dimension, m: m, nbits: nbits)
        codes = CodeStorage(codeSize: pq.codeSize)
        isTrained = false
        searchType = .pq
        encodeSigns = false
        polysemousThreshold = Int32(m * nbits + 1)
    }

    /// An index as a file describes it.
    init(dimension: Int, metric: Metric, pq: ProductQuantizer, codes: CodeStorage, isTrained: Bool,
         searchType: SearchType, encodeSigns: Bool, polysemousThreshold: Int32) {
        self.dimension = dimension
        self.metric = metric
        self.pq = pq
        self.codes = codes
        self.isTrained = isTrained
        self.searchType = searchType
        self.encodeSigns = encodeSigns
        self.polysemousThreshold = polysemousThreshold
    }

    public var count: Int { codes.count }
    public var faissClassName: String { "IndexPQ" }

    public func train(_ vectors: VectorMatrix, progress: ProgressHandler) throws {
        guard vectors.dimension == dimension else {
            throw IndexError.dimensionMismatch(expected: dimension, found: vectors.dimension, what: "the training vectors")
        }
        try vectors.values.withUnsafeBufferPointer { x in
            try pq.train(x.baseAddress ?? UnsafePointer(bitPattern: 64)!, count: vectors.rows, progress: progress)
        }
        isTrained = true
    }

    public func add(_ vectors: VectorMatrix, ids: [Int64]?) throws {
        try add(vectors, ids: ids, progress: { _, _ in true })
    }

    public func add(_ vectors: VectorMatrix, ids: [Int64]?, progress: ProgressHandler) throws {
        guard ids == nil else { throw IndexError.idsNotAccepted(className: faissClassName) }
        guard isTrained else { throw TrainingError.notTrained(className: faissClassName) }
        guard vectors.dimension == dimension else {
            throw IndexError.dimensionMismatch(expected: dimension, found: vectors.dimension, what: "the vectors added")
        }
        try codes.appendEncoded(vectors, progress: progress) { x, rows, out in pq.encode(x, count: rows, into: out) }
    }

    public func search(_ queries: VectorMatrix, k: Int, parameters: SearchParameters) throws -> SearchResult {
        guard k >= 1 else { throw IndexError.invalidK(k) }
        guard queries.dimension == dimension else {
            throw IndexError.dimensionMismatch(expected: dimension, found: queries.dimension, what: "the queries")
        }
        try IndexError.checkResultSize(queries: queries.rows, k: k)
        let symmetric: Bool
        switch searchType {
        case .pq: symmetric = false
        case .sdc:
            guard metric == .l2 else { throw IndexParameterError("IndexPQ search type ST_SDC works with L2 only") }
            symmetric = true
        case .polysemous where Int(polysemousThreshold) > pq.m * pq.nbits,
             .polysemousGeneralize where Int(polysemousThreshold) > pq.m:
            // A threshold above the largest possible Hamming distance filters nothing: plain PQ search.
            symmetric = false
        default:
            throw IndexParameterError("IndexPQ search type \(searchType) (polysemous_ht \(polysemousThreshold)) filters by Hamming distance, which VecTUI does not implement; ST_PQ and ST_SDC are supported")
        }
        let n = queries.rows, d = dimension, cs = pq.codeSize
        let heaps = TopKHeaps(count: n, k: k, metric: metric)
        guard n > 0, count > 0, let base = codes.baseAddress else { return heaps.result(metric: metric) }
        let width = pq.m * pq.ksub
        let sign: Float = metric == .l2 ? -1 : 1
        let mask = parameters.selector?.rowMask(count: count)
        func scan(_ filter: IDFilter?) {
        queries.values.withUnsafeBufferPointer { q in
            let q = q.baseAddress!
            heaps.scanInParallel(rows: count, parallel: count * pq.m * max(1, n) >= 1 << 16) { range, local in
                // Tables for a chunk of queries at a time (≤ 8 MiB), each scanned over the codes block by block.
                let chunk = max(1, min(n, (8 << 20) / max(1, width * 4)))
                let tables = UnsafeMutablePointer<Float>.allocate(capacity: max(1, chunk * width))
                defer { tables.deallocate() }
                let decoded = UnsafeMutablePointer<Float>.allocate(capacity: max(1, d))
                defer { decoded.deallocate() }
                let code = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, cs))
                defer { code.deallocate() }
                var q0 = 0
                while q0 < n {
                    let qn = min(chunk, n - q0)
                    for qi in 0..<qn {
                        let table = tables + qi * width, query = q + (q0 + qi) * d
                        if metric == .innerProduct {
                            pq.innerProductTable(query, into: table)
                        } else if symmetric {
                            pq.encode(query, count: 1, into: code)
                            pq.decode(code, into: decoded)
                            pq.distanceTable(decoded, into: table)
                        } else {
                            pq.distanceTable(query, into: table)
                        }
                    }
                    var blockStart = range.lowerBound
                    while blockStart < range.upperBound {
                        let blockEnd = min(blockStart + Self.blockRows, range.upperBound)
                        if filter == nil || filter!.anyInRange(blockStart..<blockEnd) {
                            for qi in 0..<qn {
                                pq.scan(codes: base + blockStart * cs, ids: nil, count: blockEnd - blockStart, table: tables + qi * width,
                                        bias: 0, sign: sign, heaps: local, query: q0 + qi, firstID: Int64(blockStart), filter: filter)
                            }
                        }
                        blockStart = blockEnd
                    }
                    q0 += qn
                }
            }
        }
        }
        if let mask { mask.withFilter { scan($0) } } else { scan(nil) }
        return heaps.result(metric: metric)
    }

    public func reconstruct(id: Int64) throws -> [Float] {
        guard id >= 0 && id < Int64(count) else { throw IndexError.idNotFound(id) }
        return pq.decode(codes.code(Int(id)))
    }

    public var memoryUsage: [MemoryComponent] {
        [MemoryComponent(name: "codes", bytes: codes.byteCount, fileBacked: codes.isMapped),
         MemoryComponent(name: "PQ codebooks", bytes: pq.centroids.count * 4, fileBacked: false)]
    }

    public var details: [(name: String, value: JSONValue)] {
        [("pq_m", .int(Int64(pq.m))), ("pq_nbits", .int(Int64(pq.nbits))), ("code_size", .int(Int64(pq.codeSize))),
         ("search_type", .string(searchType.description))]
    }
}
