import Dispatch
import Foundation
import Synchronization

/// Problems with an HNSW index's own parameters (as opposed to how it is called).
public enum HNSWError: Error, Equatable, CustomStringConvertible {
    /// The level tables (read from a file) cannot place new nodes.
    case unusableLevelTables(String)
    /// Node ids are 32-bit in FAISS's graph: at most Int32.max vectors.
    case tooManyVectors(Int)

    public var description: String {
        switch self {
        case let .unusableLevelTables(why): return "this HNSW graph cannot take new vectors: \(why)"
        case let .tooManyVectors(n): return "an HNSW graph holds at most \(Int32.max) vectors (FAISS's node ids are 32-bit); \(n) asked"
        }
    }
}

/// A graph index over exact vectors (FAISS `IndexHNSWFlat`): search follows FAISS's HNSW
/// algorithm step for step, so a FAISS-built graph searched with the same `efSearch` gives
/// the same neighbours; construction is FAISS's too (same level generator, insertion order
/// and neighbour selection), on every core. Vectors live in a `FlatIndex`, memory-mapped
/// when read from a file, as are the graph's neighbour ids. Searches may run concurrently;
/// adding while searching is not supported (as in FAISS).
public final class HNSWIndex: TrainableIndex, IndexDetails {
    /// The vectors, numbered as the graph's nodes.
    public let storage: FlatIndex
    /// Candidate list size when a search's parameters do not say (FAISS `efSearch`, saved in the
    /// file, default 16); at least k is used. Set it while building or opening, not while others search.
    public var efSearch: Int
    /// Candidate list size when linking new vectors (FAISS `efConstruction`, default 40).
    public var efConstruction: Int
    let graph: HNSWGraph
    private let scratchLock = NSLock()
    private var scratchPool: [HNSWSearcher.Scratch] = []
    /// Threads used to build (tests pin 1 to compare with a single-threaded FAISS build).
    var buildThreads = Parallel.workerCount

    /// An empty index of `dimension`-d vectors with `m` links per node (2m on layer 0).
    /// M below 2 is raised to 2 (FAISS's level distribution needs log M > 0).
    public init(dimension: Int, metric: Metric, m: Int) {
        storage = FlatIndex(dimension: dimension, metric: metric)
        graph = HNSWGraph(m: max(m, 2))
        efSearch = 16
        efConstruction = 40
    }

    /// An index over an existing graph and storage (as read from a file).
    init(storage: FlatIndex, graph: HNSWGraph, efSearch: Int, efConstruction: Int, isTrained: Bool) {
        self.storage = storage
        self.graph = graph
        self.efSearch = efSearch
        self.efConstruction = efConstruction
        self.isTrained = isTrained
    }

    public var dimension: Int { storage.dimension }
    public var count: Int { storage.count }
    public var metric: Metric { storage.metric }
    /// Always true for vectors VecTUI builds (flat storage needs no training); as stored for files.
    public private(set) var isTrained = true
    public var faissClassName: String { "IndexHNSWFlat" }

    /// Links per node on the upper layers (2M on layer 0).
    public var m: Int { graph.m }
    /// The top layer (−1 when empty).
    public var maxLevel: Int { Int(graph.maxLevel) }
    /// The entry node (−1 when empty).
    public var entryPoint: Int { Int(graph.entryPoint) }
    /// How many nodes live on each layer, from layer 0 (every node) to the top layer.
    public var nodesPerLayer: [Int] {
        var counts = graph.nodesPerLevel
        for layer in stride(from: counts.count - 2, through: 0, by: -1) { counts[layer] += counts[layer + 1] }
        return counts
    }

    /// The top layer node `row` lives on (0: the bottom layer only).
    public func topLayer(ofRow row: Int) -> Int { Int(graph.levels[row]) - 1 }

    /// M, efSearch, efConstruction, the top layer, the entry node and the nodes per layer, for `info`.
    public var details: [(name: String, value: JSONValue)] {
        [("M", .int(Int64(m))), ("efSearch", .int(Int64(efSearch))), ("efConstruction", .int(Int64(efConstruction))),
         ("max_level", .int(Int64(maxLevel))), ("entry_point", .int(Int64(entryPoint))),
         ("nodes_per_layer", .array(nodesPerLayer.map { .int(Int64($0)) }))]
    }

    /// Flat storage needs no training: only checks the dimension, as FAISS does nothing more.
    public func train(_ vectors: VectorMatrix, progress: ProgressHandler) throws {
        guard vectors.dimension == dimension else {
            throw IndexError.dimensionMismatch(expected: dimension, found: vectors.dimension, what: "the training vectors")
        }
        guard progress(vectors.rows, vectors.rows) else { throw CancellationError() }
    }

    public func add(_ vectors: VectorMatrix, ids: [Int64]?) throws {
        try add(vectors, ids: ids, progress: { _, _ in true })
    }

    /// Whether a cancelled or failed `add` puts the graph back as it was, which needs a copy of
    /// its links for the duration of the add. A conversion, which throws the whole index away
    /// when cancelled, turns this off to build without that copy.
    var undoesCancelledAdds = true

    /// Adds vectors and links them into the graph on every core, reporting (vectors linked,
    /// vectors to link). Cancelling leaves the index exactly as it was before the call (unless
    /// `undoesCancelledAdds` is off).
    public func add(_ vectors: VectorMatrix, ids: [Int64]?, progress: ProgressHandler) throws {
        guard ids == nil else { throw IndexError.idsNotAccepted(className: faissClassName) }
        guard vectors.dimension == dimension else {
            throw IndexError.dimensionMismatch(expected: dimension, found: vectors.dimension, what: "the vectors added")
        }
        let n = vectors.rows
        guard n > 0 else { return }
        let n0 = count
        guard n0 + n <= Int(Int32.max) else {
            throw HNSWError.tooManyVectors(n0 + n)
        }
        try checkLevelTables()
        let snapshot = undoesCancelledAdds ? graph.snapshot() : nil
        do {
            try vectors.values.withUnsafeBytes { newRows in
                try build(newRows: newRows.baseAddress ?? UnsafeRawPointer(bitPattern: 64)!, n0: n0, n: n, progress: progress)
            }
        } catch {
            if let snapshot { graph.restore(snapshot) }
            throw error
        }
        try storage.append(vectors)
        releaseScratch()
    }

    private func checkLevelTables() throws {
        let cum = graph.cumNeighbors
        guard !graph.assignProbas.isEmpty, cum.count > graph.assignProbas.count, cum.first == 0,
              zip(cum, cum.dropFirst()).allSatisfy({ $0 <= $1 }) else {
            throw HNSWError.unusableLevelTables("\(graph.assignProbas.count) level probabilities for \(cum.count) cumulative neighbour counts")
        }
    }

    /// FAISS `hnsw_add_vertices_deterministic`: levels, buckets, then `link`.
    private func build(newRows: UnsafeRawPointer, n0: Int, n: Int, progress: ProgressHandler) throws {
        _ = graph.prepareLevels(count: n)
        // Bucket the new nodes by level, in id order (FAISS's histogram and bucket sort).
        var histogram = [Int]()
        for i in 0..<n {
            let level = Int(graph.levels[n0 + i]) - 1
            if level >= histogram.count { histogram += [Int](repeating: 0, count: level + 1 - histogram.count) }
            histogram[level] += 1
        }
        var starts = [Int](repeating: 0, count: histogram.count + 1)
        for level in 0..<histogram.count { starts[level + 1] = starts[level] + histogram[level] }
        var order = [Int32](repeating: 0, count: n)
        for i in 0..<n {
            let level = Int(graph.levels[n0 + i]) - 1
            order[starts[level]] = Int32(n0 + i)
            starts[level] += 1
        }

        let base = storage.storage.baseAddress ?? UnsafeRawPointer(bitPattern: 64)!
        let rows = HNSWRows(base: base, split: n0, extra: newRows, stride: dimension * 4, dimension: dimension)
        let total = n0 + n
        #if arch(x86_64)
        if CPUFeatures.avx512 {
            switch metric {
            case .l2: try link(HNSWL2SpaceAVX512.self, rows: rows, order: &order, histogram: histogram, total: total, progress: progress)
            case .innerProduct: try link(HNSWIPSpaceAVX512.self, rows: rows, order: &order, histogram: histogram, total: total, progress: progress)
            }
            return
        }
        if CPUFeatures.avx2FMA {
            switch metric {
            case .l2: try link(HNSWL2SpaceAVX2.self, rows: rows, order: &order, histogram: histogram, total: total, progress: progress)
            case .innerProduct: try link(HNSWIPSpaceAVX2.self, rows: rows, order: &order, histogram: histogram, total: total, progress: progress)
            }
            return
        }
        #endif
        switch metric {
        case .l2: try link(HNSWL2Space.self, rows: rows, order: &order, histogram: histogram, total: total, progress: progress)
        case .innerProduct: try link(HNSWIPSpace.self, rows: rows, order: &order, histogram: histogram, total: total, progress: progress)
        }
    }

    /// FAISS 1.15.1 `hnsw_add_vertices_deterministic` (see `HNSWBuilder`).
    private func link<S: HNSWSpace>(_: S.Type, rows: HNSWRows, order: inout [Int32], histogram: [Int], total: Int,
                                    progress: ProgressHandler) throws {
        let n = order.count
        let offsets = graph.offsets
        try offsets.withUnsafeBufferPointer { offsetBuffer in
            let builder = HNSWBuilder<S>(graph: graph, rows: rows, efConstruction: max(1, efConstruction),
                                         offsets: offsetBuffer.baseAddress!)
            let threads = max(1, buildThreads)
            let cum = graph.cumNeighbors
            let maxDegree = zip(cum, cum.dropFirst()).map { Int($1 - $0) }.max() ?? 0
            let workers = (0..<threads).map { _ in HNSWBuilder<S>.Worker(nodes: total, maxDegree: maxDegree) }
            // Batches grow by doubling up to 2 % of the index (ParlayANN's theta).
            let theta = max(1, Int(0.02 * Double(total)))
            // Phase A runs in pieces of this many nodes, with progress (and cancellation) between them.
            let piece = 4096
            var shuffle = FaissRandomGenerator(seed: 789)
            var done = 0
            var upper = n
            for level in stride(from: histogram.count - 1, through: 0, by: -1) {
                let lower = upper - histogram[level]
                if lower == upper { continue }
                for j in lower..<upper {
                    order.swapAt(j, j + shuffle.randInt(upper - j))
                }
                var raiseEntryPoint = false
                if graph.entryPoint == -1 {
                    graph.maxLevel = Int32(level)
                    graph.entryPoint = order[lower]
                } else if level > Int(graph.maxLevel) {
                    raiseEntryPoint = true
                }
                var start = lower
                while start < upper {
                    let end = min(upper, start + min(start == lower ? 1 : start - lower, theta))
                    // Phase A: each node's own links, against the graph as it was before the batch.
                    var pieceStart = start
                    while pieceStart < end {
                        let pieceEnd = min(end, pieceStart + piece)
                        try order.withUnsafeBufferPointer { ids in
                            let counter = HNSWWorkCounter(start: pieceStart, end: pieceEnd, chunk: 8)
                            let parallel = threads > 1 && pieceEnd - pieceStart > 100
                            Parallel.onThreads(parallel ? threads : 1) { t in
                                let worker = workers[t]
                                while let chunk = counter.take() {
                                    for i in chunk {
                                        let node = ids[i]
                                        builder.computeForwardLinks(worker, node: node, nodeLevel: Int(self.graph.levels[Int(node)]) - 1)
                                    }
                                }
                            }
                            if pieceEnd < end {
                                guard progress(done + pieceEnd - start, n) else { throw CancellationError() }
                            }
                        }
                        pieceStart = pieceEnd
                    }
                    // Phase B: reverse links, grouped by (target, level); each group is one thread's.
                    var edges = [HNSWReverseEdge]()
                    for worker in workers {
                        edges += worker.edges
                        worker.edges.removeAll(keepingCapacity: true)
                    }
                    edges.sort(by: HNSWIndex.edgeOrder)
                    var groups = [Range<Int>]()
                    var g = 0
                    while g < edges.count {
                        var h = g + 1
                        while h < edges.count && edges[h].dest == edges[g].dest && edges[h].level == edges[g].level { h += 1 }
                        groups.append(g..<h)
                        g = h
                    }
                    let counter = HNSWWorkCounter(start: 0, end: groups.count, chunk: 32)
                    edges.withUnsafeBufferPointer { edgeBuffer in
                        Parallel.onThreads(threads > 1 && edges.count > 100 ? threads : 1) { t in
                            let worker = workers[t]
                            while let chunk = counter.take() {
                                for group in chunk {
                                    let range = groups[group]
                                    let first = edgeBuffer[range.lowerBound]
                                    builder.mergeReverseLinks(worker, node: first.dest, level: Int(first.level),
                                                              incoming: edgeBuffer[range])
                                }
                            }
                        }
                    }
                    if raiseEntryPoint {
                        graph.maxLevel = Int32(level)
                        graph.entryPoint = order[lower]
                        raiseEntryPoint = false
                    }
                    done += end - start
                    guard progress(done, n) else { throw CancellationError() }
                    start = end
                }
                upper = lower
            }
        }
    }

    /// Phase B's grouping order: by target node, then level.
    private static func edgeOrder(_ a: HNSWReverseEdge, _ b: HNSWReverseEdge) -> Bool {
        if a.dest != b.dest { return a.dest < b.dest }
        return a.level < b.level
    }

    public func search(_ queries: VectorMatrix, k: Int, parameters: SearchParameters) throws -> SearchResult {
        guard k >= 1 else { throw IndexError.invalidK(k) }
        let efSearch = parameters.efSearch ?? self.efSearch
        guard efSearch >= 1 else { throw IndexParameterError("efSearch must be at least 1 (got \(efSearch))") }
        guard queries.dimension == dimension else {
            throw IndexError.dimensionMismatch(expected: dimension, found: queries.dimension, what: "the queries")
        }
        // FAISS's semantics: refused nodes are still walked through, never returned.
        guard let selector = parameters.selector else { return search(queries, k: k, efSearch: efSearch, filter: nil) }
        return selector.rowMask(count: count).withFilter { search(queries, k: k, efSearch: efSearch, filter: $0) }
    }

    private func search(_ queries: VectorMatrix, k: Int, efSearch: Int, filter: IDFilter?) -> SearchResult {
        #if arch(x86_64)
        if CPUFeatures.avx512 {
            switch metric {
            case .l2: return search(HNSWL2SpaceAVX512.self, queries, k: k, efSearch: efSearch, filter: filter)
            case .innerProduct: return search(HNSWIPSpaceAVX512.self, queries, k: k, efSearch: efSearch, filter: filter)
            }
        }
        if CPUFeatures.avx2FMA {
            switch metric {
            case .l2: return search(HNSWL2SpaceAVX2.self, queries, k: k, efSearch: efSearch, filter: filter)
            case .innerProduct: return search(HNSWIPSpaceAVX2.self, queries, k: k, efSearch: efSearch, filter: filter)
            }
        }
        #endif
        switch metric {
        case .l2: return search(HNSWL2Space.self, queries, k: k, efSearch: efSearch, filter: filter)
        case .innerProduct: return search(HNSWIPSpace.self, queries, k: k, efSearch: efSearch, filter: filter)
        }
    }

    /// Searches every query on all cores (queries are handed out in small chunks).
    private func search<S: HNSWSpace>(_: S.Type, _ queries: VectorMatrix, k: Int, efSearch requested: Int,
                                      filter: IDFilter?) -> SearchResult {
        // The candidate heap never holds more than every node, so a larger efSearch (a file may
        // say 2^31) changes nothing but the buffer it would allocate.
        let efSearch = min(requested, max(count, 1))
        let nq = queries.rows
        var scores = [Float](repeating: 0, count: nq * k)
        var ids = [Int64](repeating: -1, count: nq * k)
        let d = dimension
        let base = storage.storage.baseAddress ?? UnsafeRawPointer(bitPattern: 64)!
        let rows = HNSWRows(base: base, split: count, extra: base, stride: d * 4, dimension: d)
        graph.offsets.withUnsafeBufferPointer { offsets in
            graph.cumNeighbors.withUnsafeBufferPointer { cum in
                let view = HNSWGraphView(neighbors: graph.neighborBase, offsets: offsets.baseAddress!, cum: cum.baseAddress!,
                                         entryPoint: graph.entryPoint, maxLevel: Int(graph.maxLevel))
                queries.values.withUnsafeBytes { q in
                    scores.withUnsafeMutableBufferPointer { outScores in
                        ids.withUnsafeMutableBufferPointer { outIDs in
                            let qBase = q.baseAddress ?? UnsafeRawPointer(bitPattern: 64)!
                            let sBase = outScores.baseAddress!, iBase = outIDs.baseAddress!
                            let threads = nq > 1 ? min(Parallel.workerCount, nq) : 1
                            let next = HNSWWorkCounter(start: 0, end: nq, chunk: max(1, min(16, nq / (threads * 8))))
                            let work: (Int) -> Void = { _ in
                                let scratch = self.takeScratch(capacity: max(efSearch, k))
                                while let chunk = next.take() {
                                    for i in chunk {
                                        HNSWSearcher.searchOne(S.self, graph: view, rows: rows, query: qBase + i * d * 4, k: k,
                                                               efSearch: efSearch, filter: filter, scratch: scratch,
                                                               outValues: sBase + i * k, outIDs: iBase + i * k)
                                    }
                                }
                                self.returnScratch(scratch)
                            }
                            Parallel.onThreads(threads, work)
                        }
                    }
                }
            }
        }
        return SearchResult(queryCount: nq, k: k, scores: scores, ids: ids)
    }

    /// Search buffers are kept between calls (the visited table is one byte per node).
    private func takeScratch(capacity: Int) -> HNSWSearcher.Scratch {
        scratchLock.lock()
        defer { scratchLock.unlock() }
        while let scratch = scratchPool.popLast() {
            if scratch.visited.size >= count { return scratch }
        }
        let cum = graph.cumNeighbors
        let maxDegree = zip(cum, cum.dropFirst()).map { Int($1 - $0) }.max() ?? 0
        return HNSWSearcher.Scratch(nodes: count, capacity: capacity, maxDegree: maxDegree)
    }

    private func returnScratch(_ scratch: HNSWSearcher.Scratch) {
        scratchLock.lock()
        if scratchPool.count < Parallel.workerCount { scratchPool.append(scratch) }
        scratchLock.unlock()
    }

    private func releaseScratch() {
        scratchLock.lock()
        scratchPool.removeAll()
        scratchLock.unlock()
    }

    public func reconstruct(id: Int64) throws -> [Float] {
        try storage.reconstruct(id: id)
    }

    public var memoryUsage: [MemoryComponent] {
        var parts = storage.memoryUsage
        parts.append(MemoryComponent(name: "links", bytes: graph.neighborByteCount, fileBacked: false))
        parts.append(MemoryComponent(name: "levels", bytes: graph.levels.count * 4 + graph.offsets.count * 8, fileBacked: false))
        return parts
    }
}

/// Hands out chunks of a range to worker threads.
final class HNSWWorkCounter: Sendable {
    private let next: Atomic<Int>
    private let end: Int
    private let chunk: Int

    init(start: Int, end: Int, chunk: Int) {
        next = Atomic(start)
        self.end = end
        self.chunk = max(1, chunk)
    }

    /// The next chunk, nil once the range is used up.
    func take() -> Range<Int>? {
        let start = next.add(chunk, ordering: .relaxed).oldValue
        guard start < end else { return nil }
        return start..<min(end, start + chunk)
    }
}
