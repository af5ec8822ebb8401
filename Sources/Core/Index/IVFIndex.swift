import Foundation

/// A search or build parameter out of range (nprobe 0, ids with an array direct map, …).
public struct IndexParameterError: Error, Equatable, CustomStringConvertible {
    /// What is wrong, for people.
    public let description: String

    /// An error with this message.
    public init(_ description: String) { self.description = description }
}

/// An index that can list its structure for `info` and the explorer (nlist, code size, …).
public protocol IndexDetails: VectorIndex {
    /// Named parameters and statistics, in display order.
    var details: [(name: String, value: JSONValue)] { get }
}

/// FAISS's inverted-file index (`IndexIVFFlat`, `IndexIVFScalarQuantizer`, `IndexIVFPQ`): a
/// coarse quantizer (normally a flat index of `nlist` centroids) assigns each vector to a list,
/// the list stores its code (the raw vector, a scalar-quantized or a product-quantized one, of
/// the residual to the centroid when `byResidual`) and its id; a search scans the `nprobe`
/// lists whose centroids are nearest the query, as FAISS does (`parallel_mode` 0).
public final class IVFIndex: TrainableIndex, IndexDetails {
    /// How vectors are stored in the lists.
    public enum Encoding {
        /// Raw float32 vectors (`IndexIVFFlat`).
        case flat
        /// Scalar-quantized (`IndexIVFScalarQuantizer`).
        case scalarQuantizer(ScalarQuantizer)
        /// Product-quantized (`IndexIVFPQ`).
        case productQuantizer(ProductQuantizer)
    }

    /// FAISS's direct map types, as stored in files.
    public enum DirectMapKind: UInt8, Sendable {
        case none = 0
        case array = 1
        case hashtable = 2
    }

    public let dimension: Int
    public let metric: Metric
    /// Number of inverted lists (centroids).
    public let nlist: Int
    /// Lists scanned per query when a search's parameters do not say (FAISS stores it in the
    /// file; default 1). Set it while building or opening, not while others search.
    public var nprobe: Int
    /// IVF-PQ over L2 by residual: use FAISS's precomputed per-list table (built on the first
    /// search, nlist × M × 2^nbits floats, when at most 2 GiB); false computes tables per list.
    public var usePrecomputedTable = true
    /// How vectors are coded in the lists.
    public let encoding: Encoding
    /// Whether codes encode x − centroid (IVF-SQ and IVF-PQ by default; never for IVF-Flat).
    public let byResidual: Bool
    /// The coarse quantizer (its vectors are the centroids).
    public private(set) var quantizer: any VectorIndex
    /// The inverted lists.
    public let lists: InvertedLists
    /// Vectors in the lists (FAISS `ntotal`).
    public private(set) var count: Int
    /// Whether the quantizer and the encoder are trained.
    public private(set) var isTrained: Bool
    /// The direct map as FAISS stored it (kept for byte-identical saves).
    public private(set) var directMapKind: DirectMapKind
    /// For `.array`: one `list << 32 | offset` per id (−1 for a vector no list took).
    public private(set) var directMapArray: [Int64]
    /// For `.hashtable`: (id, list << 32 | offset) pairs in the order the file had them, then
    /// added ones. FAISS writes its `unordered_map` in hash order, which no other library
    /// reproduces: a map built here saves in insertion order.
    public private(set) var directMapPairs: [(Int64, Int64)]

    private let cacheLock = NSLock()
    private var centroidCache: [Float]?
    private var precomputedTable: [Float]?
    private var lookup: [Int64: Int64]?

    /// FAISS's limit for the IVF-PQ precomputed table (`precomputed_table_max_bytes`, 2 GiB).
    static let precomputedTableMaxBytes = 1 << 31
    /// Vectors encoded per batch when adding (FAISS's block of 65,536).
    static let addBlock = 65_536

    /// A new, untrained index with a flat coarse quantizer of the same metric.
    /// - Parameter byResidual: defaults to FAISS's choice (false for flat, true otherwise).
    public init(dimension: Int, metric: Metric, nlist: Int, encoding: Encoding, byResidual: Bool? = nil) {
        precondition(nlist >= 1)
        self.dimension = dimension
        self.metric = metric
        self.nlist = nlist
        self.encoding = encoding
        if case .flat = encoding { self.byResidual = false } else { self.byResidual = byResidual ?? true }
        nprobe = 1
        quantizer = FlatIndex(dimension: dimension, metric: metric)
        lists = InvertedLists(nlist: nlist, codeSize: Self.codeSize(encoding, dimension))
        count = 0
        isTrained = false
        directMapKind = .none
        directMapArray = []
        directMapPairs = []
    }

    /// An index as a file describes it (the reader checks the pieces agree first).
    init(dimension: Int, metric: Metric, nlist: Int, nprobe: Int, encoding: Encoding, byResidual: Bool,
         quantizer: any VectorIndex, lists: InvertedLists, count: Int, isTrained: Bool,
         directMapKind: DirectMapKind, directMapArray: [Int64], directMapPairs: [(Int64, Int64)]) {
        self.dimension = dimension
        self.metric = metric
        self.nlist = nlist
        self.nprobe = nprobe
        self.encoding = encoding
        self.byResidual = byResidual
        self.quantizer = quantizer
        self.lists = lists
        self.count = count
        self.isTrained = isTrained
        self.directMapKind = directMapKind
        self.directMapArray = directMapArray
        self.directMapPairs = directMapPairs
    }

    static func codeSize(_ encoding: Encoding, _ d: Int) -> Int {
        switch encoding {
        case .flat: return d * 4
        case let .scalarQuantizer(sq): return sq.codeSize
        case let .productQuantizer(pq): return pq.codeSize
        }
    }

    /// Bytes per stored code.
    public var codeSize: Int { lists.codeSize }

    public var faissClassName: String {
        switch encoding {
        case .flat: return "IndexIVFFlat"
        case .scalarQuantizer: return "IndexIVFScalarQuantizer"
        case .productQuantizer: return "IndexIVFPQ"
        }
    }

    // MARK: - Training

    public func train(_ vectors: VectorMatrix, progress: ProgressHandler) throws {
        guard vectors.dimension == dimension else {
            throw IndexError.dimensionMismatch(expected: dimension, found: vectors.dimension, what: "the training vectors")
        }
        let n = vectors.rows
        let d = dimension
        let coarseDone = quantizer.count == nlist && quantizer.isTrained
        // Progress units: k-means assignments, then encoder training, scaled to one total.
        let coarseUnits = coarseDone ? 0 : min(n, nlist * 256) * 10
        let encoderUnits: Int
        switch encoding {
        case .flat: encoderUnits = 0
        case .scalarQuantizer: encoderUnits = 1
        case let .productQuantizer(pq): encoderUnits = pq.m * min(n, pq.ksub * 256) * 25
        }
        let total = max(1, coarseUnits + encoderUnits)
        try vectors.values.withUnsafeBufferPointer { buffer in
            let x = buffer.baseAddress ?? UnsafePointer(bitPattern: 64)!
            if !coarseDone {
                var parameters = KMeansParameters()
                parameters.iterations = 10
                parameters.spherical = metric == .innerProduct
                let result = try KMeans.train(x, count: n, dimension: d, clusters: nlist, metric: quantizer.metric,
                                              parameters: parameters, progress: { done, _ in progress(done, total) })
                let fresh = FlatIndex(dimension: d, metric: quantizer.metric)
                try fresh.append(VectorMatrix(rows: nlist, dimension: d, values: result.centroids))
                quantizer = fresh
                invalidateCaches()
            }
            switch encoding {
            case .flat:
                break
            case let .scalarQuantizer(sq):
                let sample = try trainingSample(x, n, limit: 100_000)
                sample.withUnsafeBufferPointer { sq.train($0.baseAddress!, count: sample.count / max(1, d)) }
                guard progress(total, total) else { throw CancellationError() }
            case let .productQuantizer(pq):
                let sample = try trainingSample(x, n, limit: pq.ksub * 256)
                try sample.withUnsafeBufferPointer { s in
                    try pq.train(s.baseAddress!, count: sample.count / max(1, d),
                                 progress: { done, _ in progress(coarseUnits + done, total) })
                }
            }
        }
        isTrained = true
        invalidateCaches()
    }

    /// FAISS's `fvecs_maybe_subsample` (seed 1234) then, when `byResidual`, the residuals to
    /// each vector's nearest centroid.
    private func trainingSample(_ x: UnsafePointer<Float>, _ n: Int, limit: Int) throws -> [Float] {
        var sample: [Float]
        if n > limit {
            sample = gatherRows(x, dimension: dimension, rows: faissRandomPermutation(n, seed: 1234)[0..<limit])
        } else {
            sample = Array(UnsafeBufferPointer(start: x, count: n * dimension))
        }
        if byResidual {
            let rows = sample.count / max(1, dimension)
            let labels = try assign(VectorMatrix(rows: rows, dimension: dimension, values: sample))
            try subtractCentroids(&sample, labels: labels)
        }
        return sample
    }

    /// The nearest list of each vector (the quantizer's top-1), −1 where there is none.
    private func assign(_ vectors: VectorMatrix) throws -> [Int] {
        guard vectors.rows > 0 else { return [] }
        return try quantizer.search(vectors, k: 1).ids.map { Int($0) }
    }

    private func subtractCentroids(_ x: inout [Float], labels: [Int]) throws {
        let centroids = try centroidArray()
        let d = dimension
        x.withUnsafeMutableBufferPointer { out in
            centroids.withUnsafeBufferPointer { c in
                for (i, label) in labels.enumerated() where label >= 0 {
                    let row = out.baseAddress! + i * d, centroid = c.baseAddress! + label * d
                    for j in 0..<d { row[j] -= centroid[j] }
                }
            }
        }
    }

    // MARK: - Adding

    public func add(_ vectors: VectorMatrix, ids: [Int64]?) throws {
        try add(vectors, ids: ids, progress: { _, _ in true })
    }

    public func add(_ vectors: VectorMatrix, ids: [Int64]?, progress: ProgressHandler) throws {
        guard isTrained else { throw TrainingError.notTrained(className: faissClassName) }
        guard vectors.dimension == dimension else {
            throw IndexError.dimensionMismatch(expected: dimension, found: vectors.dimension, what: "the vectors added")
        }
        if let ids, ids.count != vectors.rows { throw IndexError.idCountMismatch(vectors: vectors.rows, ids: ids.count) }
        if ids != nil && directMapKind == .array {
            throw IndexParameterError("\(faissClassName) keeps an array direct map, which needs sequential ids: it cannot add vectors with ids")
        }
        let n = vectors.rows
        let d = dimension
        let cs = codeSize
        var start = 0
        let codes = UnsafeMutableRawPointer.allocate(byteCount: max(1, min(n, Self.addBlock) * cs), alignment: 16)
        defer { codes.deallocate() }
        while start < n {
            let rows = min(Self.addBlock, n - start)
            var block = vectors.rows(start..<(start + rows))
            let labels = try assign(block)
            switch encoding {
            case .flat:
                block.values.withUnsafeBytes { codes.copyMemory(from: $0.baseAddress!, byteCount: rows * cs) }
            case let .scalarQuantizer(sq):
                if byResidual { try subtractCentroids(&block.values, labels: labels) }
                block.values.withUnsafeBufferPointer { x in
                    let x = x.baseAddress!
                    let out = codes.assumingMemoryBound(to: UInt8.self)
                    Parallel.forEachSlice(of: rows, parts: rows * d < 1 << 16 ? 1 : Parallel.workerCount) { _, range in
                        for i in range { sq.encode(x + i * d, into: out + i * cs) }
                    }
                }
            case let .productQuantizer(pq):
                if byResidual { try subtractCentroids(&block.values, labels: labels) }
                block.values.withUnsafeBufferPointer {
                    pq.encode($0.baseAddress!, count: rows, into: codes.assumingMemoryBound(to: UInt8.self))
                }
            }
            cacheLock.lock()
            for i in 0..<rows {
                let id = ids?[start + i] ?? Int64(count + i)
                let label = labels[i]
                var entry: Int64 = -1
                if label >= 0 && label < nlist {
                    let offset = lists.append(list: label, code: codes + i * cs, id: id)
                    entry = Int64(label) << 32 | Int64(offset)
                    lookup?[id] = entry
                }
                switch directMapKind {
                case .none: break
                case .array: directMapArray.append(entry)
                case .hashtable: if entry >= 0 { directMapPairs.append((id, entry)) }
                }
            }
            count += rows
            cacheLock.unlock()
            start += rows
            guard progress(start, n) else { throw CancellationError() }
        }
    }

    // MARK: - Searching

    public func search(_ queries: VectorMatrix, k: Int, parameters: SearchParameters) throws -> SearchResult {
        guard k >= 1 else { throw IndexError.invalidK(k) }
        let nprobe = parameters.nprobe ?? self.nprobe
        guard queries.dimension == dimension else {
            throw IndexError.dimensionMismatch(expected: dimension, found: queries.dimension, what: "the queries")
        }
        try IndexError.checkResultSize(queries: queries.rows, k: k)
        guard nprobe >= 1 else { throw IndexParameterError("nprobe must be at least 1 (got \(nprobe))") }
        let n = queries.rows
        let heaps = TopKHeaps(count: n, k: k, metric: metric)
        guard n > 0, count > 0, quantizer.count > 0 else { return heaps.result(metric: metric) }
        let np = min(nprobe, nlist)
        let coarse = try quantizer.search(queries, k: np)
        // Entries the selector refuses are skipped as the lists are scanned (FAISS's `sel`).
        func scanLists(_ filter: IDFilter?) throws {
        try queries.values.withUnsafeBufferPointer { q in
            let q = q.baseAddress!
            switch encoding {
            case .flat:
                if metric == .l2 {
                    run(n, np, q, coarse, filter, heaps) { FlatListScanner<SquaredL2Scan>(index: self) }
                } else {
                    run(n, np, q, coarse, filter, heaps) { FlatListScanner<InnerProductScan>(index: self) }
                }
            case let .scalarQuantizer(sq):
                let centroids = byResidual ? try centroidArray() : []
                centroids.withUnsafeBufferPointer { c in
                    let c = c.baseAddress
                    run(n, np, q, coarse, filter, heaps) { SQListScanner(index: self, quantizer: sq, centroids: c) }
                }
            case let .productQuantizer(pq):
                let mode = pqMode(pq)
                let centroids = mode == .l2ResidualDirect ? try centroidArray() : []
                let table = mode == .l2ResidualPrecomputed ? try precomputedTableArray(pq) : []
                centroids.withUnsafeBufferPointer { c in
                    table.withUnsafeBufferPointer { t in
                        let c = c.baseAddress, t = t.baseAddress
                        run(n, np, q, coarse, filter, heaps) { PQListScanner(index: self, pq: pq, mode: mode, centroids: c, precomputed: t) }
                    }
                }
            }
        }
        }
        if let selector = parameters.selector { try selector.withIDFilter { try scanLists($0) } } else { try scanLists(nil) }
        return heaps.result(metric: metric)
    }

    /// Scans the probed lists: queries split over the cores, or (a few queries over long
    /// lists) the probes split over the cores with per-core heaps merged at the end.
    private func run<S: ListScanner>(_ n: Int, _ np: Int, _ queries: UnsafePointer<Float>, _ coarse: SearchResult,
                                     _ filter: IDFilter?, _ heaps: TopKHeaps, _ make: () -> S) {
        let d = dimension
        let workers = Parallel.workerCount
        coarse.ids.withUnsafeBufferPointer { lids in
            coarse.scores.withUnsafeBufferPointer { lscores in
                let lids = lids.baseAddress!, lscores = lscores.baseAddress!
                if n >= workers || workers == 1 {
                    var work = 0
                    for i in 0..<min(n * np, 64) where lids[i] >= 0 { work += lists.count(Int(lids[i])) }
                    let parts = n * np > 64 || work * codeSize > 1 << 16 ? workers : 1
                    Parallel.forEachSlice(of: n, parts: parts) { _, range in
                        let scanner = make()
                        for qi in range {
                            scanner.setQuery(queries + qi * d)
                            for p in 0..<np {
                                let list = Int(lids[qi * np + p])
                                guard list >= 0, list < nlist, lists.count(list) > 0 else { continue }
                                scanner.scan(list: list, coarse: lscores[qi * np + p], filter: filter, heaps: heaps, query: qi)
                            }
                        }
                    }
                    return
                }
                var work = 0
                for i in 0..<(n * np) where lids[i] >= 0 { work += lists.count(Int(lids[i])) }
                let parts = work * codeSize > 1 << 17 ? min(workers, np) : 1
                var partial = [TopKHeaps]()
                for part in 0..<parts { partial.append(part == 0 ? heaps : TopKHeaps(count: n, k: heaps.k, largerIDsWorse: heaps.largerIDsWorse)) }
                Parallel.forEachSlice(of: np, parts: parts) { part, probes in
                    let scanner = make()
                    let local = partial[part]
                    for qi in 0..<n {
                        scanner.setQuery(queries + qi * d)
                        for p in probes {
                            let list = Int(lids[qi * np + p])
                            guard list >= 0, list < nlist, lists.count(list) > 0 else { continue }
                            scanner.scan(list: list, coarse: lscores[qi * np + p], filter: filter, heaps: local, query: qi)
                        }
                    }
                }
                for part in 1..<parts { heaps.merge(partial[part]) }
            }
        }
    }

    enum PQMode {
        case innerProduct
        case l2Direct
        case l2ResidualPrecomputed
        case l2ResidualDirect
    }

    private func pqMode(_ pq: ProductQuantizer) -> PQMode {
        if metric == .innerProduct { return .innerProduct }
        if !byResidual { return .l2Direct }
        let bytes = nlist.multipliedReportingOverflow(by: pq.m * pq.ksub * 4)
        return usePrecomputedTable && !bytes.overflow && bytes.partialValue <= Self.precomputedTableMaxBytes
            ? .l2ResidualPrecomputed : .l2ResidualDirect
    }

    // MARK: - Caches

    private func invalidateCaches() {
        cacheLock.lock()
        centroidCache = nil
        precomputedTable = nil
        cacheLock.unlock()
    }

    /// The nlist × d centroids, copied once from the quantizer.
    func centroidArray() throws -> [Float] {
        cacheLock.lock()
        defer { cacheLock.unlock() }
        if let centroidCache { return centroidCache }
        var values = [Float](repeating: 0, count: nlist * dimension)
        if let flat = quantizer as? FlatIndex, flat.count >= nlist {
            values.withUnsafeMutableBytes { $0.copyMemory(from: flat.storage.bytes(rows: 0..<nlist)) }
        } else {
            for list in 0..<min(nlist, quantizer.count) {
                let row = try quantizer.reconstruct(id: Int64(list))
                for j in 0..<dimension { values[list * dimension + j] = row[j] }
            }
        }
        centroidCache = values
        return values
    }

    /// FAISS's IVF-PQ precomputed table: per list, ‖r_{m,k}‖² + 2⟨c_m, r_{m,k}⟩ (nlist × M × ksub).
    private func precomputedTableArray(_ pq: ProductQuantizer) throws -> [Float] {
        let centroids = try centroidArray()
        cacheLock.lock()
        defer { cacheLock.unlock() }
        if let precomputedTable { return precomputedTable }
        let width = pq.m * pq.ksub
        var norms = [Float](repeating: 0, count: width)
        pq.centroids.withUnsafeBufferPointer { c in
            for i in 0..<width { norms[i] = Distances.innerProduct(c.baseAddress! + i * pq.dsub, c.baseAddress! + i * pq.dsub, pq.dsub) }
        }
        var table = [Float](repeating: 0, count: nlist * width)
        table.withUnsafeMutableBufferPointer { t in
            centroids.withUnsafeBufferPointer { c in
                let t = t.baseAddress!, c = c.baseAddress!
                Parallel.forEachSlice(of: nlist, parts: nlist < 64 ? 1 : Parallel.workerCount) { _, range in
                    for list in range {
                        let row = t + list * width
                        pq.innerProductTable(c + list * dimension, into: row)
                        for i in 0..<width { row[i] = norms[i] + 2 * row[i] }
                    }
                }
            }
        }
        precomputedTable = table
        return table
    }

    // MARK: - Reconstruction

    /// The inverted list holding `id` and its place in that list, or nil when no list has it.
    /// The first call builds an id → (list, offset) table (8 bytes per vector), which later
    /// calls and `reconstruct` share.
    public func listPosition(of id: Int64) -> (list: Int, offset: Int)? {
        cacheLock.lock()
        defer { cacheLock.unlock() }
        if lookup == nil {
            var map = [Int64: Int64](minimumCapacity: count)
            for list in 0..<nlist {
                for offset in 0..<lists.count(list) { map[lists.id(list: list, offset: offset)] = Int64(list) << 32 | Int64(offset) }
            }
            lookup = map
        }
        return lookup![id].map { (Int($0 >> 32), Int($0 & 0xffff_ffff)) }
    }

    public func reconstruct(id: Int64) throws -> [Float] {
        guard let (list, offset) = listPosition(of: id) else { throw IndexError.idNotFound(id) }
        let code = lists.code(list: list, offset: offset)
        var x: [Float]
        switch encoding {
        case .flat:
            x = [Float](repeating: 0, count: dimension)
            x.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(start: code, count: dimension * 4)) }
        case let .scalarQuantizer(sq): x = sq.decode(code)
        case let .productQuantizer(pq): x = pq.decode(code)
        }
        if byResidual {
            let centroids = try centroidArray()
            for j in 0..<dimension { x[j] += centroids[list * dimension + j] }
        }
        return x
    }

    // MARK: - Memory and details

    public var memoryUsage: [MemoryComponent] {
        var parts = quantizer.memoryUsage.map {
            MemoryComponent(name: $0.name == "vectors" ? "centroids" : "centroid \($0.name)", bytes: $0.bytes, fileBacked: $0.fileBacked)
        }
        let (codes, ids, mappedCodes) = lists.byteCounts
        if mappedCodes > 0 { parts.append(MemoryComponent(name: "list codes", bytes: mappedCodes, fileBacked: true)) }
        if codes - mappedCodes > 0 || codes == 0 {
            parts.append(MemoryComponent(name: "list codes", bytes: codes - mappedCodes, fileBacked: false))
        }
        parts.append(MemoryComponent(name: "list ids", bytes: ids, fileBacked: false))
        switch encoding {
        case .flat: break
        case let .scalarQuantizer(sq): parts.append(MemoryComponent(name: "SQ ranges", bytes: sq.trained.count * 4, fileBacked: false))
        case let .productQuantizer(pq): parts.append(MemoryComponent(name: "PQ codebooks", bytes: pq.centroids.count * 4, fileBacked: false))
        }
        if !directMapArray.isEmpty || !directMapPairs.isEmpty {
            parts.append(MemoryComponent(name: "direct map", bytes: directMapArray.count * 8 + directMapPairs.count * 16, fileBacked: false))
        }
        cacheLock.lock()
        if let centroidCache { parts.append(MemoryComponent(name: "centroid copy", bytes: centroidCache.count * 4, fileBacked: false)) }
        if let precomputedTable { parts.append(MemoryComponent(name: "PQ precomputed table", bytes: precomputedTable.count * 4, fileBacked: false)) }
        if let lookup { parts.append(MemoryComponent(name: "id lookup", bytes: lookup.capacity * 24, fileBacked: false)) }
        cacheLock.unlock()
        return parts
    }

    /// How many vectors each inverted list holds, list by list (the explorer's histogram).
    public var listSizes: [Int] { (0..<nlist).map { lists.count($0) } }

    /// Sizes of the lists: (smallest, mean, largest).
    public var listSizeSpread: (min: Int, mean: Double, max: Int) {
        var low = Int.max, high = 0, total = 0
        for list in 0..<nlist {
            let c = lists.count(list)
            low = min(low, c)
            high = max(high, c)
            total += c
        }
        return (nlist == 0 ? 0 : low, nlist == 0 ? 0 : Double(total) / Double(nlist), high)
    }

    public var details: [(name: String, value: JSONValue)] {
        let spread = listSizeSpread
        var out: [(name: String, value: JSONValue)] = [
            ("nlist", .int(Int64(nlist))),
            ("nprobe", .int(Int64(nprobe))),
            ("quantizer", .string(quantizer.faissClassName)),
            ("list_size_min", .int(Int64(spread.min))),
            ("list_size_mean", .double(spread.mean)),
            ("list_size_max", .int(Int64(spread.max))),
            ("empty_lists", .int(Int64(nlist - lists.nonEmptyCount))),
            ("code_size", .int(Int64(codeSize))),
            ("by_residual", .bool(byResidual)),
        ]
        switch encoding {
        case .flat: break
        case let .scalarQuantizer(sq): out.append(("sq_type", .string(sq.type.description)))
        case let .productQuantizer(pq):
            out.append(("pq_m", .int(Int64(pq.m))))
            out.append(("pq_nbits", .int(Int64(pq.nbits))))
        }
        out.append(("direct_map", .string(["NoMap", "Array", "Hashtable"][Int(directMapKind.rawValue)])))
        return out
    }
}

// MARK: - List scanners

/// Scores the entries of one inverted list for one query, keys "larger is better"; entries
/// whose id `filter` refuses never reach the heaps.
protocol ListScanner {
    func setQuery(_ query: UnsafePointer<Float>)
    func scan(list: Int, coarse: Float, filter: IDFilter?, heaps: TopKHeaps, query q: Int)
}

/// IVF-Flat: exact distances to the stored vectors.
final class FlatListScanner<Kernel: ScanKernel>: ListScanner {
    private let lists: InvertedLists
    private let d: Int
    private var query: UnsafePointer<Float>?

    init(index: IVFIndex) {
        lists = index.lists
        d = index.dimension
    }

    func setQuery(_ query: UnsafePointer<Float>) { self.query = query }

    func scan(list: Int, coarse: Float, filter: IDFilter?, heaps: TopKHeaps, query q: Int) {
        let n = lists.count(list)
        guard let codes = lists.codes(list), let ids = lists.ids(list), let query else { return }
        let stride = d &* 4
        let qp = UnsafeRawPointer(query)
        var threshold = heaps.threshold(q)
        for i in 0..<n {
            let key = Kernel.key(qp, codes + i &* stride, d)
            if key > threshold {
                let id = ids.loadUnaligned(fromByteOffset: i &* 8, as: Int64.self)
                if let filter, !filter.contains(id) { continue }
                heaps.replaceTop(q, key: key, id: id)
                threshold = heaps.threshold(q)
            }
        }
    }
}

/// IVF-SQ: each code decoded into a scratch vector, then scored (residual query for L2,
/// query·centroid added for inner product), as FAISS's IVFSQ scanners.
final class SQListScanner: ListScanner {
    private let lists: InvertedLists
    private let decoder: SQDecoder
    private let quantizer: ScalarQuantizer  // keeps the decoder's range tables alive
    private let d: Int
    private let l2: Bool
    private let byResidual: Bool
    private let centroids: UnsafePointer<Float>?
    private let decoded: UnsafeMutablePointer<Float>
    private let residualQuery: UnsafeMutablePointer<Float>
    private var query: UnsafePointer<Float>?

    init(index: IVFIndex, quantizer: ScalarQuantizer, centroids: UnsafePointer<Float>?) {
        lists = index.lists
        self.quantizer = quantizer
        decoder = quantizer.decoder
        d = index.dimension
        l2 = index.metric == .l2
        byResidual = index.byResidual
        self.centroids = centroids
        decoded = .allocate(capacity: max(1, d))
        residualQuery = .allocate(capacity: max(1, d))
    }

    deinit {
        decoded.deallocate()
        residualQuery.deallocate()
    }

    func setQuery(_ query: UnsafePointer<Float>) { self.query = query }

    func scan(list: Int, coarse: Float, filter: IDFilter?, heaps: TopKHeaps, query q: Int) {
        let n = lists.count(list)
        guard let codes = lists.codes(list), let ids = lists.ids(list), let query else { return }
        var target = query
        var bias: Float = 0
        if byResidual, let centroids {
            let c = centroids + list * d
            if l2 {
                for j in 0..<d { residualQuery[j] = query[j] - c[j] }
                target = UnsafePointer(residualQuery)
            } else {
                bias = Distances.innerProduct(query, c, d)
            }
        }
        let cs = lists.codeSize
        var threshold = heaps.threshold(q)
        for i in 0..<n {
            decoder.decode(codes + i &* cs, into: decoded)
            let key = l2 ? -Distances.squaredL2(target, decoded, d) : bias + Distances.innerProduct(target, decoded, d)
            if key > threshold {
                let id = ids.loadUnaligned(fromByteOffset: i &* 8, as: Int64.self)
                if let filter, !filter.contains(id) { continue }
                heaps.replaceTop(q, key: key, id: id)
                threshold = heaps.threshold(q)
            }
        }
    }
}

/// IVF-PQ: asymmetric distances from lookup tables, as FAISS's IVFPQ scanner (precomputed
/// tables for L2 by residual: d = ‖q − c‖² + Σ_m [‖r‖² + 2⟨c, r⟩ − 2⟨q, r⟩]).
final class PQListScanner: ListScanner {
    private let lists: InvertedLists
    private let pq: ProductQuantizer
    private let mode: IVFIndex.PQMode
    private let d: Int
    private let byResidual: Bool
    private let centroids: UnsafePointer<Float>?
    private let precomputed: UnsafePointer<Float>?
    private let table: UnsafeMutablePointer<Float>
    private let queryTable: UnsafeMutablePointer<Float>
    private let residualQuery: UnsafeMutablePointer<Float>
    private var query: UnsafePointer<Float>?

    init(index: IVFIndex, pq: ProductQuantizer, mode: IVFIndex.PQMode, centroids: UnsafePointer<Float>?,
         precomputed: UnsafePointer<Float>?) {
        lists = index.lists
        self.pq = pq
        self.mode = mode
        d = index.dimension
        byResidual = index.byResidual
        self.centroids = centroids
        self.precomputed = precomputed
        table = .allocate(capacity: pq.m * pq.ksub)
        queryTable = .allocate(capacity: pq.m * pq.ksub)
        residualQuery = .allocate(capacity: max(1, d))
    }

    deinit {
        table.deallocate()
        queryTable.deallocate()
        residualQuery.deallocate()
    }

    func setQuery(_ query: UnsafePointer<Float>) {
        self.query = query
        switch mode {
        case .innerProduct: pq.innerProductTable(query, into: table)
        case .l2Direct: pq.distanceTable(query, into: table)
        case .l2ResidualPrecomputed: pq.innerProductTable(query, into: queryTable)
        case .l2ResidualDirect: break
        }
    }

    func scan(list: Int, coarse: Float, filter: IDFilter?, heaps: TopKHeaps, query q: Int) {
        let n = lists.count(list)
        guard let codes = lists.codes(list), let ids = lists.ids(list), let query else { return }
        let width = pq.m * pq.ksub
        var bias: Float = 0
        var sign: Float = -1
        switch mode {
        case .innerProduct:
            bias = byResidual ? coarse : 0
            sign = 1
        case .l2Direct:
            break
        case .l2ResidualPrecomputed:
            let pre = precomputed! + list * width
            Distances.axpy(pre, -2, queryTable, count: width, into: table)
            bias = coarse
        case .l2ResidualDirect:
            let c = centroids! + list * d
            for j in 0..<d { residualQuery[j] = query[j] - c[j] }
            pq.distanceTable(residualQuery, into: table)
        }
        pq.scan(codes: codes, ids: ids, count: n, table: table, bias: bias, sign: sign, heaps: heaps, query: q, firstID: 0,
                filter: filter)
    }
}
