/// FAISS's `IndexScalarQuantizer`: every vector scalar-quantized, searched exhaustively with
/// each code decoded in the distance loop. Codes read from a file stay memory-mapped.
public final class ScalarQuantizerIndex: TrainableIndex, IndexDetails {
    public let dimension: Int
    public let metric: Metric
    /// The codec.
    public let quantizer: ScalarQuantizer
    /// The codes, in id order.
    public let codes: CodeStorage
    /// Whether the quantizer's range is trained.
    public private(set) var isTrained: Bool

    /// Codes decoded and scored together, so a block stays in cache across queries.
    static let blockRows = 64

    /// A new index (trained already for the types that need no training: fp16, bf16, direct).
    public init(dimension: Int, metric: Metric, type: ScalarQuantizer.QuantizerType) {
        self.dimension = dimension
        self.metric = metric
        quantizer = ScalarQuantizer(type: type, dimension: dimension)
        codes = CodeStorage(codeSize: quantizer.codeSize)
        isTrained = !type.needsTraining
    }

    /// An index as a file describes it.
    init(dimension: Int, metric: Metric, quantizer: ScalarQuantizer, codes: CodeStorage, isTrained: Bool) {
        self.dimension = dimension
        self.metric = metric
        self.quantizer = quantizer
        self.codes = codes
        self.isTrained = isTrained
    }

    public var count: Int { codes.count }
    public var faissClassName: String { "IndexScalarQuantizer" }

    public func train(_ vectors: VectorMatrix, progress: ProgressHandler) throws {
        guard vectors.dimension == dimension else {
            throw IndexError.dimensionMismatch(expected: dimension, found: vectors.dimension, what: "the training vectors")
        }
        if quantizer.type.needsTraining {
            guard vectors.rows > 0 else { throw TrainingError.tooFewPoints(points: 0, clusters: 1) }
            vectors.values.withUnsafeBufferPointer { quantizer.train($0.baseAddress!, count: vectors.rows) }
        }
        isTrained = true
        guard progress(1, 1) else { throw CancellationError() }
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
        let d = dimension, cs = quantizer.codeSize
        try codes.appendEncoded(vectors, progress: progress) { x, rows, out in
            Parallel.forEachSlice(of: rows, parts: rows * d < 1 << 16 ? 1 : Parallel.workerCount) { _, range in
                for i in range { quantizer.encode(x + i * d, into: out + i * cs) }
            }
        }
    }

    public func search(_ queries: VectorMatrix, k: Int, parameters: SearchParameters) throws -> SearchResult {
        guard k >= 1 else { throw IndexError.invalidK(k) }
        guard queries.dimension == dimension else {
            throw IndexError.dimensionMismatch(expected: dimension, found: queries.dimension, what: "the queries")
        }
        try IndexError.checkResultSize(queries: queries.rows, k: k)
        let n = queries.rows, d = dimension, cs = quantizer.codeSize
        let heaps = TopKHeaps(count: n, k: k, metric: metric)
        guard n > 0, count > 0, let base = codes.baseAddress else { return heaps.result(metric: metric) }
        let decoder = quantizer.decoder
        let l2 = metric == .l2
        let mask = parameters.selector?.rowMask(count: count)
        func scan(_ filter: IDFilter?) {
        queries.values.withUnsafeBufferPointer { q in
            let q = q.baseAddress!
            heaps.scanInParallel(rows: count, parallel: count * d * max(1, n) >= 1 << 16) { range, local in
                let decoded = UnsafeMutablePointer<Float>.allocate(capacity: Self.blockRows * max(1, d))
                defer { decoded.deallocate() }
                var blockStart = range.lowerBound
                while blockStart < range.upperBound {
                    let blockEnd = min(blockStart + Self.blockRows, range.upperBound)
                    if let filter, !filter.anyInRange(blockStart..<blockEnd) {
                        blockStart = blockEnd
                        continue
                    }
                    for row in blockStart..<blockEnd {
                        decoder.decode(base + row * cs, into: decoded + (row - blockStart) * d)
                    }
                    for qi in 0..<n {
                        let qp = q + qi * d
                        var threshold = local.threshold(qi)
                        for row in blockStart..<blockEnd {
                            let x = decoded + (row - blockStart) * d
                            let key = l2 ? -Distances.squaredL2(qp, x, d) : Distances.innerProduct(qp, x, d)
                            if key > threshold && (filter == nil || filter!.contains(Int64(row))) {
                                local.replaceTop(qi, key: key, id: Int64(row))
                                threshold = local.threshold(qi)
                            }
                        }
                    }
                    blockStart = blockEnd
                }
            }
        }
        }
        if let mask { mask.withFilter { scan($0) } } else { scan(nil) }
        return heaps.result(metric: metric)
    }

    public func reconstruct(id: Int64) throws -> [Float] {
        guard id >= 0 && id < Int64(count) else { throw IndexError.idNotFound(id) }
        return quantizer.decode(codes.code(Int(id)))
    }

    public var memoryUsage: [MemoryComponent] {
        [MemoryComponent(name: "codes", bytes: codes.byteCount, fileBacked: codes.isMapped),
         MemoryComponent(name: "SQ ranges", bytes: quantizer.trained.count * 4, fileBacked: false)]
    }

    public var details: [(name: String, value: JSONValue)] {
        [("sq_type", .string(quantizer.type.description)),
         ("code_size", .int(Int64(quantizer.codeSize))),
         ("range_stat", .string(["RS_minmax", "RS_meanstd", "RS_quantiles", "RS_optim"][Int(quantizer.rangeStat.rawValue)]))]
    }
}
