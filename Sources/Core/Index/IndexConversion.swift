import Foundation

/// Builds a new index (from a factory string) out of a flat one: trains it on a seeded sample,
/// adds every vector in chunks (keeping the source's ids), saves it atomically, and measures
/// what the conversion costs: build time, memory before and after, and recall against the
/// source's exact search. The CLI's `convert` and the explorer's convert action run this job.
public struct IndexConversion {
    /// What to build and how to judge it.
    public struct Options: Sendable {
        /// FAISS factory string of the new index.
        public var factory: String
        /// Vectors sampled for training; nil picks min(count, max(100,000, 256 × nlist)).
        public var trainSize: Int?
        /// Queries sampled from the source for recall (they stay in both indexes).
        public var queryCount = 1000
        /// Seed of the training and query samples.
        public var seed: UInt64 = 1234
        /// Sets `nprobe` on an IVF result before measuring (and saving).
        public var nprobe: Int?
        /// Rows read from the source per chunk.
        public var chunkRows = 65_536

        /// Options for `factory` with the defaults above.
        public init(factory: String) { self.factory = factory }
    }

    /// What a conversion did and measured.
    public struct Report: Sendable {
        /// FAISS class of the source.
        public var sourceClassName: String
        /// FAISS class of the result (`IndexIVFPQ`, `IndexIDMap2`, …).
        public var targetClassName: String
        /// Vectors converted.
        public var count: Int
        /// Their dimension.
        public var dimension: Int
        /// Their metric.
        public var metric: Metric
        /// Vectors the training sample held (0 when the type needs no training).
        public var trainVectors: Int
        /// Time reading the sample and training.
        public var trainSeconds: Double
        /// Time reading and adding every vector.
        public var addSeconds: Double
        /// Time writing the file.
        public var saveSeconds: Double
        /// The source's memory by component (after the recall measurement).
        public var sourceMemory: [MemoryComponent]
        /// The result's memory by component.
        public var targetMemory: [MemoryComponent]
        /// Size of the written file.
        public var targetFileBytes: Int
        /// The process's anonymous resident memory before the job.
        public var processAnonymousBefore: Int
        /// The same after it (the result and caches included).
        public var processAnonymousAfter: Int
        /// Queries the recall was measured on.
        public var queryCount: Int
        /// Share of queries whose exact best match came first.
        public var recallAt1: Double
        /// Mean share of the exact top 10 found in the top 10.
        public var recallAt10: Double
        /// Time of the exact search of the queries (the ground truth).
        public var exactSearchSeconds: Double
        /// Time of the same search in the result.
        public var targetSearchSeconds: Double
        /// How the source's ids were carried over, for people.
        public var idHandling: String
        /// The result's structure (`IndexDetails`), empty for types without.
        public var targetDetails: [(name: String, value: JSONValue)]
    }

    /// The phases progress is reported for.
    public enum Phase: String, Sendable {
        case sampling, training, adding, saving, measuring
    }

    /// What this job builds.
    public let options: Options

    /// A job with these options.
    public init(options: Options) { self.options = options }

    /// Converts `source` (a flat index, or an IDMap over one) and writes the result to `path`.
    /// - Parameter progress: (phase, done, total); false cancels (nothing is written).
    /// - Throws: `IndexFactoryError`, `IndexParameterError` for a source that is not flat,
    ///   training, device and file errors, `CancellationError`.
    public func run(source: any VectorIndex, writingTo path: String,
                    progress: (Phase, Int, Int) -> Bool = { _, _, _ in true }) throws -> (index: any VectorIndex, report: Report) {
        let anonymousBefore = HostInfo.current().residentAnonymousBytes
        let (rows, sourceIDs, sourceKind) = try Self.flatRows(of: source)
        let n = rows.count, d = rows.dimension
        var target = try IndexFactory.make(options.factory, dimension: d, metric: rows.metric, vectorCount: n)

        // Ids: the source's travel with the vectors. IVF stores ids itself; other types get an IDMap.
        var idHandling = "row numbers (the source has no ids)"
        var idsForAdd: (Range<Int>) -> [Int64]? = { _ in nil }
        if let wrapper = target as? IDMapIndex {
            idHandling = sourceIDs == nil ? "row numbers, stored in the \(wrapper.faissClassName)" : "the source's ids, stored in the \(wrapper.faissClassName)"
            idsForAdd = { range in sourceIDs.map { Array($0[range]) } ?? range.map { Int64($0) } }
        } else if let sourceIDs {
            if target is IVFIndex {
                idHandling = "the source's ids, stored in the inverted lists"
                idsForAdd = { range in Array(sourceIDs[range]) }
            } else {
                target = try IDMapIndex(kind: sourceKind ?? .idMap, inner: target, ids: [])
                idHandling = "the source's ids, kept by wrapping the new index in an \(target.faissClassName)"
                idsForAdd = { range in Array(sourceIDs[range]) }
            }
        }
        let core = (target as? IDMapIndex)?.inner ?? target

        // Training on a seeded sample of rows (in file order).
        var trainVectors = 0
        let trainStart = Date()
        if let trainable = core as? TrainableIndex, Self.needsTraining(trainable) {
            let size = min(n, options.trainSize ?? Self.defaultTrainSize(for: trainable, count: n))
            let rowsToRead = Self.sample(size, of: n, seed: options.seed).sorted()
            var values = [Float](repeating: 0, count: size * d)
            try values.withUnsafeMutableBufferPointer { out in
                var i = 0
                while i < rowsToRead.count {
                    var j = i + 1
                    while j < rowsToRead.count && rowsToRead[j] == rowsToRead[j - 1] + 1 && j - i < options.chunkRows { j += 1 }
                    try rows.readRows(rowsToRead[i]..<(rowsToRead[j - 1] + 1), into: out.baseAddress! + i * d)
                    i = j
                    guard progress(.sampling, i, rowsToRead.count) else { throw CancellationError() }
                }
            }
            trainVectors = size
            try trainable.train(VectorMatrix(rows: size, dimension: d, values: values),
                                progress: { done, total in progress(.training, done, total) })
        }
        let trainSeconds = Date().timeIntervalSince(trainStart)

        // Adding everything, chunk by chunk, into storage sized for all of it (no reallocation);
        // a cancelled conversion discards the index, so HNSW need not keep an undo copy.
        (target as? CapacityReserving)?.reserveCapacity(forTotal: n)
        (core as? HNSWIndex)?.undoesCancelledAdds = false
        let addStart = Date()
        var row = 0
        let chunk = max(1, min(options.chunkRows, (256 << 20) / max(1, d * 4)))
        var buffer = [Float](repeating: 0, count: min(n, chunk) * d)
        while row < n {
            let end = min(n, row + chunk)
            // The last chunk may be shorter: drop the tail (capacity kept, nothing copied).
            if buffer.count > (end - row) * d { buffer.removeLast(buffer.count - (end - row) * d) }
            try buffer.withUnsafeMutableBufferPointer { try rows.readRows(row..<end, into: $0.baseAddress!) }
            // The matrix shares the buffer's storage; it is gone before the next read, so that
            // read writes in place rather than copying.
            let matrix = VectorMatrix(rows: end - row, dimension: d, values: buffer)
            let ids = idsForAdd(row..<end)
            if let trainable = target as? TrainableIndex {
                try trainable.add(matrix, ids: ids, progress: { done, _ in progress(.adding, row + done, n) })
            } else {
                try target.add(matrix, ids: ids)
            }
            row = end
            guard progress(.adding, row, n) else { throw CancellationError() }
        }
        let addSeconds = Date().timeIntervalSince(addStart)
        if let nprobe = options.nprobe {
            guard let ivf = core.tunedIndex as? IVFIndex else {
                throw IndexParameterError("nprobe applies to IVF indexes; \(options.factory) builds \(core.faissClassName)")
            }
            guard nprobe >= 1 else { throw IndexParameterError("nprobe must be at least 1 (got \(nprobe))") }
            ivf.nprobe = nprobe
        }

        let saveStart = Date()
        try FaissIndexFile.write(target, to: path, progress: { done, total in progress(.saving, done, total) })
        let saveSeconds = Date().timeIntervalSince(saveStart)
        let fileBytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0

        // Recall: queries sampled from the source, exact neighbours from the source itself.
        let q = min(options.queryCount, n)
        var recall1 = 0.0, recall10 = 0.0, exactSeconds = 0.0, targetSeconds = 0.0
        if q > 0 {
            let queryRows = Self.sample(q, of: n, seed: options.seed &+ 1)
            var values = [Float](repeating: 0, count: q * d)
            try values.withUnsafeMutableBufferPointer { out in
                for (i, r) in queryRows.enumerated() { try rows.readRows(r..<(r + 1), into: out.baseAddress! + i * d) }
            }
            let queries = VectorMatrix(rows: q, dimension: d, values: values)
            guard progress(.measuring, 0, 2) else { throw CancellationError() }
            let k = 10
            var start = Date()
            let exact = try source.search(queries, k: k)
            exactSeconds = Date().timeIntervalSince(start)
            guard progress(.measuring, 1, 2) else { throw CancellationError() }
            start = Date()
            let found = try target.search(queries, k: k)
            targetSeconds = Date().timeIntervalSince(start)
            guard progress(.measuring, 2, 2) else { throw CancellationError() }
            (recall1, recall10) = Self.recall(found: found, exact: exact)
        }

        let report = Report(
            sourceClassName: source.faissClassName, targetClassName: target.faissClassName, count: n, dimension: d,
            metric: rows.metric, trainVectors: trainVectors, trainSeconds: trainSeconds, addSeconds: addSeconds,
            saveSeconds: saveSeconds, sourceMemory: source.memoryUsage, targetMemory: target.memoryUsage,
            targetFileBytes: fileBytes, processAnonymousBefore: anonymousBefore,
            processAnonymousAfter: HostInfo.current().residentAnonymousBytes, queryCount: q,
            recallAt1: recall1, recallAt10: recall10, exactSearchSeconds: exactSeconds, targetSearchSeconds: targetSeconds,
            idHandling: idHandling, targetDetails: (core as? IndexDetails)?.details ?? [])
        return (target, report)
    }

    /// Recall@1 (the exact best is found first) and 10-recall@10 (|found ∩ exact top 10| / 10),
    /// averaged over queries; with fewer than 10 vectors, over the exact list's length.
    public static func recall(found: SearchResult, exact: SearchResult) -> (at1: Double, at10: Double) {
        guard exact.queryCount > 0 else { return (0, 0) }
        var r1 = 0.0, r10 = 0.0
        for q in 0..<exact.queryCount {
            let truth = exact.ids(ofQuery: q).filter { $0 >= 0 }
            let got = found.ids(ofQuery: q).filter { $0 >= 0 }
            guard let best = truth.first else { continue }
            if got.first == best { r1 += 1 }
            let top = Set(truth.prefix(10))
            r10 += Double(Set(got.prefix(10)).intersection(top).count) / Double(top.count)
        }
        return (r1 / Double(exact.queryCount), r10 / Double(exact.queryCount))
    }

    /// The rows behind a flat source, its ids (for an IDMap), and the IDMap kind.
    static func flatRows(of source: any VectorIndex) throws -> (FlatRows, [Int64]?, IDMapIndex.Kind?) {
        if let rows = source as? FlatRows { return (rows, nil, nil) }
        if let wrapper = source as? IDMapIndex, let rows = wrapper.inner as? FlatRows { return (rows, wrapper.ids, wrapper.kind) }
        throw IndexParameterError("convert reads the vectors of a flat index (IndexFlat, or an IDMap over one); \(source.faissClassName) holds compressed vectors")
    }

    static func needsTraining(_ index: TrainableIndex) -> Bool {
        switch index {
        case let ivf as IVFIndex: return !ivf.isTrained
        default: return !index.isTrained
        }
    }

    /// min(count, max(100,000, 256 × nlist)): what FAISS's k-means and encoders use at most.
    static func defaultTrainSize(for index: TrainableIndex, count: Int) -> Int {
        let nlist = (index.tunedIndex as? IVFIndex)?.nlist ?? 0
        return min(count, max(100_000, 256 * nlist))
    }

    /// `size` distinct row numbers out of `n`, seeded (a partial Fisher–Yates shuffle with SplitMix64).
    public static func sample(_ size: Int, of n: Int, seed: UInt64) -> [Int] {
        var rng = SplitMix64(seed: seed)
        let size = min(size, n)
        var swapped = [Int: Int]()
        var out = [Int]()
        out.reserveCapacity(size)
        for i in 0..<size {
            let j = i + Int(rng.next() % UInt64(n - i))
            let atJ = swapped[j] ?? j
            swapped[j] = swapped[i] ?? i
            out.append(atJ)
        }
        return out
    }
}
