import CKernels
import Dispatch
import Foundation

/// A (distance, node) pair as FAISS's HNSW construction queues hold them.
struct HNSWNode {
    var d: Float
    var id: Int32
}

/// The `operator<` of a `std::priority_queue` element type.
protocol HNSWNodeOrder {
    static func less(_ a: HNSWNode, _ b: HNSWNode) -> Bool
}

/// FAISS `NodeDistCloserT<C>`: the queue's top is the worst node.
enum WorstOnTop<S: HNSWSpace>: HNSWNodeOrder {
    @inline(__always) static func less(_ a: HNSWNode, _ b: HNSWNode) -> Bool { S.cmp(b.d, a.d) }
}

/// FAISS `NodeDistFartherT<C>`: the queue's top is the best node.
enum BestOnTop<S: HNSWSpace>: HNSWNodeOrder {
    @inline(__always) static func less(_ a: HNSWNode, _ b: HNSWNode) -> Bool { S.cmp(a.d, b.d) }
}

/// `std::priority_queue` as libstdc++ implements it (`push_heap`, `pop_heap`,
/// `__adjust_heap`), so that equal distances come out in the same order as in FAISS.
final class StdPriorityQueue<Order: HNSWNodeOrder> {
    private var first: UnsafeMutablePointer<HNSWNode>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int = 64) {
        self.capacity = max(capacity, 1)
        first = .allocate(capacity: self.capacity)
    }

    deinit { first.deallocate() }

    var isEmpty: Bool { count == 0 }
    var top: HNSWNode { first[0] }

    func removeAll() { count = 0 }

    func push(_ node: HNSWNode) {
        if count == capacity {
            let bigger = UnsafeMutablePointer<HNSWNode>.allocate(capacity: capacity * 2)
            bigger.moveInitialize(from: first, count: count)
            first.deallocate()
            first = bigger
            capacity *= 2
        }
        first[count] = node
        count += 1
        pushHeap(hole: count - 1, top: 0, value: node)
    }

    func pop() {
        if count > 1 {
            let value = first[count - 1]
            first[count - 1] = first[0]
            adjustHeap(hole: 0, length: count - 1, value: value)
        }
        count -= 1
    }

    @inline(__always)
    private func pushHeap(hole: Int, top: Int, value: HNSWNode) {
        var hole = hole
        var parent = (hole - 1) / 2
        while hole > top && Order.less(first[parent], value) {
            first[hole] = first[parent]
            hole = parent
            parent = (hole - 1) / 2
        }
        first[hole] = value
    }

    @inline(__always)
    private func adjustHeap(hole start: Int, length: Int, value: HNSWNode) {
        let top = start
        var hole = start
        var child = start
        while child < (length - 1) / 2 {
            child = 2 * (child + 1)
            if Order.less(first[child], first[child - 1]) { child -= 1 }
            first[hole] = first[child]
            hole = child
        }
        if length & 1 == 0 && child == (length - 2) / 2 {
            child = 2 * (child + 1)
            first[hole] = first[child - 1]
            hole = child - 1
        }
        pushHeap(hole: hole, top: top, value: value)
    }
}

/// A link found in phase A of a batch, applied in phase B: `dest` gains `src` on `level`.
struct HNSWReverseEdge {
    var level: Int32
    var dest: Int32
    var src: Int32
}

/// FAISS's HNSW construction as faiss 1.15.1 runs it (`hnsw_add_vertices_deterministic`, a
/// ParlayANN-style build whose result does not depend on the thread count): nodes are
/// inserted from the highest level down, each level's nodes in a shuffled order (seed 789),
/// in prefix-doubling batches of at most 2 % of the index. Phase A computes each node's own
/// links against the graph as it was before the batch (greedy descent, beam search of width
/// efConstruction, heuristic selection); phase B merges the reverse links into each target,
/// re-selecting in a fixed order (distance, then id) with FAISS's 20 % pruning headroom.
/// Both phases run on every core without locks: each node's slots are written by one thread.
final class HNSWBuilder<S: HNSWSpace> {
    let graph: HNSWGraph
    let rows: HNSWRows
    let efConstruction: Int
    private let neighbors: UnsafeMutablePointer<Int32>
    private let offsets: UnsafePointer<Int>
    private let cum: [Int]
    /// FAISS `prune_headroom` (0.2 by default; not stored in files).
    static var pruneHeadroom: Float { 0.2 }

    /// - Precondition: `graph` already holds the new nodes' levels and slots
    ///   (`prepareLevels`), and `offsets` outlives the builder.
    init(graph: HNSWGraph, rows: HNSWRows, efConstruction: Int, offsets: UnsafePointer<Int>) {
        self.graph = graph
        self.rows = rows
        self.efConstruction = efConstruction
        neighbors = graph.mutableNeighbors()
        self.offsets = offsets
        cum = graph.cumNeighbors.map(Int.init)
    }

    /// Per-thread state.
    final class Worker {
        let visited: HNSWVisitedTable
        let results = StdPriorityQueue<WorstOnTop<S>>()
        let candidates = StdPriorityQueue<BestOnTop<S>>()
        let farther = StdPriorityQueue<BestOnTop<S>>()
        var kept: [HNSWNode] = []
        var edges: [HNSWReverseEdge] = []
        var existing: [Int32] = []
        var scored: [HNSWNode] = []
        var query: UnsafeRawPointer = UnsafeRawPointer(bitPattern: 64)!
        /// Neighbours being scored, and their distances.
        let fresh: UnsafeMutablePointer<Int32>
        let scores: UnsafeMutablePointer<Float>

        init(nodes: Int, maxDegree: Int) {
            visited = HNSWVisitedTable(size: nodes)
            fresh = .allocate(capacity: max(maxDegree, 1))
            scores = .allocate(capacity: max(maxDegree, 1))
        }

        deinit {
            fresh.deallocate()
            scores.deallocate()
        }
    }

    @inline(__always)
    private func range(_ node: Int32, _ level: Int) -> (Int, Int) {
        let o = offsets[Int(node)]
        return (o + cum[level], o + cum[level + 1])
    }

    /// Hints the CPU to fetch `node`'s neighbour slots on `level` (every cache line of them).
    @inline(__always)
    private func prefetchLinks(_ node: Int32, _ level: Int) {
        let (begin, end) = range(node, level)
        var slot = begin
        while slot < end {
            vectui_prefetch(neighbors + slot)
            slot &+= 16
        }
        if begin < end { vectui_prefetch(neighbors + (end - 1)) }
    }

    @inline(__always)
    private func distance(_ worker: Worker, _ node: Int32) -> Float {
        S.distance(worker.query, rows.row(node), rows.dimension)
    }

    @inline(__always)
    private func symmetric(_ a: Int32, _ b: Int32) -> Float {
        S.distance(rows.row(b), rows.row(a), rows.dimension)
    }

    /// Scores `count` nodes listed at `nodes` against the worker's query into `worker.scores`,
    /// four at a time (FAISS `distances_batch_4`), after prefetching their vectors.
    @inline(__always)
    private func score(_ worker: Worker, _ nodes: UnsafeMutablePointer<Int32>, _ count: Int) {
        for i in 0..<count { rows.prefetch(nodes[i]) }
        let out = worker.scores
        var i = 0
        while i &+ 4 <= count {
            (out[i], out[i &+ 1], out[i &+ 2], out[i &+ 3]) = S.distance4(
                worker.query, rows.row(nodes[i]), rows.row(nodes[i &+ 1]), rows.row(nodes[i &+ 2]), rows.row(nodes[i &+ 3]),
                rows.dimension)
            i &+= 4
        }
        while i < count {
            out[i] = distance(worker, nodes[i])
            i &+= 1
        }
    }

    /// FAISS `greedy_update_nearest` during construction.
    private func greedy(_ worker: Worker, level: Int, nearest: inout Int32, distance dNearest: inout Float) {
        while true {
            let previous = nearest
            let (begin, end) = range(nearest, level)
            var count = 0
            for j in begin..<end {
                let v = neighbors[j]
                if v < 0 { break }
                worker.fresh[count] = v
                count += 1
            }
            score(worker, worker.fresh, count)
            for i in 0..<count where S.cmp(dNearest, worker.scores[i]) {
                nearest = worker.fresh[i]
                dNearest = worker.scores[i]
            }
            if nearest == previous { return }
        }
    }

    /// FAISS `search_neighbors_to_add`: a beam search of width efConstruction on `level`,
    /// leaving the best nodes in `worker.results` (worst on top). Each expanded node's
    /// unvisited neighbours are marked, scored (in fours), then offered in order, as in FAISS.
    private func searchNeighborsToAdd(_ worker: Worker, entry: Int32, entryDistance: Float, level: Int) {
        worker.candidates.removeAll()
        worker.candidates.push(HNSWNode(d: entryDistance, id: entry))
        worker.results.push(HNSWNode(d: entryDistance, id: entry))
        _ = worker.visited.set(Int(entry))
        while !worker.candidates.isEmpty {
            let current = worker.candidates.top
            if S.cmp(current.d, worker.results.top.d) { break }
            worker.candidates.pop()
            // The likely next expansion (unless a neighbour of this one beats it): fetch its
            // links while this node's are scored.
            if !worker.candidates.isEmpty { prefetchLinks(worker.candidates.top.id, level) }
            let (begin, end) = range(current.id, level)
            var jmax = begin
            while jmax < end {
                let node = neighbors[jmax]
                if node < 0 { break }
                worker.visited.prefetch(Int(node))
                jmax += 1
            }
            var count = 0
            for j in begin..<jmax {
                let node = neighbors[j]
                if worker.visited.set(Int(node)) {
                    worker.fresh[count] = node
                    count += 1
                }
            }
            score(worker, worker.fresh, count)
            for i in 0..<count {
                let dis = worker.scores[i], node = worker.fresh[i]
                if worker.results.count < efConstruction || S.cmp(worker.results.top.d, dis) {
                    worker.results.push(HNSWNode(d: dis, id: node))
                    worker.candidates.push(HNSWNode(d: dis, id: node))
                    if worker.results.count > efConstruction { worker.results.pop() }
                }
            }
        }
        worker.visited.advance()
    }

    /// FAISS `shrink_neighbor_list_inner` + `shrink_neighbor_list` on `worker.results`: best
    /// first, a node is kept only if no kept node is closer to it than the query is, up to
    /// `maxSize` nodes.
    private func shrinkResults(_ worker: Worker, maxSize: Int) {
        if worker.results.count < maxSize { return }
        worker.farther.removeAll()
        while !worker.results.isEmpty {
            worker.farther.push(worker.results.top)
            worker.results.pop()
        }
        worker.kept.removeAll(keepingCapacity: true)
        while !worker.farther.isEmpty {
            let v1 = worker.farther.top
            worker.farther.pop()
            var good = true
            for v2 in worker.kept where S.cmp(v1.d, symmetric(v2.id, v1.id)) {
                good = false
                break
            }
            if good {
                worker.kept.append(v1)
                if worker.kept.count >= maxSize { break }
            }
        }
        for node in worker.kept { worker.results.push(node) }
    }

    /// Phase A for `node` (FAISS `compute_forward_links_deterministic`): writes its own slots
    /// on every layer it lives on and records the reverse edges in `worker.edges`.
    func computeForwardLinks(_ worker: Worker, node: Int32, nodeLevel: Int) {
        worker.query = rows.row(node)
        var nearest = graph.entryPoint
        var dNearest = distance(worker, nearest)
        var level = Int(graph.maxLevel)
        while level > nodeLevel {
            greedy(worker, level: level, nearest: &nearest, distance: &dNearest)
            level -= 1
        }
        while level >= 0 {
            worker.results.removeAll()
            searchNeighborsToAdd(worker, entry: nearest, entryDistance: dNearest, level: level)
            shrinkResults(worker, maxSize: cum[level + 1] - cum[level])
            let (begin, end) = range(node, level)
            var i = begin
            while !worker.results.isEmpty {
                let other = worker.results.top.id
                worker.results.pop()
                // The node is among its own candidates when it is the entry point.
                if other == node { continue }
                guard i < end else { continue }
                neighbors[i] = other
                i += 1
                worker.edges.append(HNSWReverseEdge(level: Int32(level), dest: other, src: node))
            }
            while i < end {
                neighbors[i] = -1
                i += 1
            }
            level -= 1
        }
    }

    /// Phase B for `node` on `level` (FAISS `merge_reverse_links_deterministic`): adds the
    /// new nodes that link to it, and when they do not fit, re-selects among old and new by
    /// (distance, id) with the pruning headroom.
    func mergeReverseLinks(_ worker: Worker, node: Int32, level: Int, incoming: Slice<UnsafeBufferPointer<HNSWReverseEdge>>) {
        let (begin, end) = range(node, level)
        let maxSize = end - begin
        guard maxSize > 0 else { return }
        var candidates = worker.existing
        candidates.removeAll(keepingCapacity: true)
        for i in begin..<end {
            if neighbors[i] < 0 { break }
            candidates.append(neighbors[i])
        }
        let existingCount = candidates.count
        var sources = incoming.map(\.src)
        sources.sort()
        var previous: Int32 = -1
        for v in sources where v != previous {
            previous = v
            if v == node { continue }
            if !candidates[0..<existingCount].contains(v) { candidates.append(v) }
        }
        defer { worker.existing = candidates }
        if candidates.count <= maxSize {
            var i = begin
            for v in candidates {
                neighbors[i] = v
                i += 1
            }
            while i < end {
                neighbors[i] = -1
                i += 1
            }
            return
        }
        var scored = worker.scored
        scored.removeAll(keepingCapacity: true)
        for v in candidates { rows.prefetch(v) }
        for v in candidates { scored.append(HNSWNode(d: symmetric(node, v), id: v)) }
        scored.sort { a, b in a.d != b.d ? S.cmp(b.d, a.d) : a.id < b.id }
        let pruned = max(1, Int(Float(maxSize) - Float(maxSize) * min(max(Self.pruneHeadroom, 0), 0.5)))
        var kept = worker.kept
        kept.removeAll(keepingCapacity: true)
        for candidate in scored {
            var good = true
            for k in kept where S.cmp(candidate.d, symmetric(k.id, candidate.id)) {
                good = false
                break
            }
            if good {
                kept.append(candidate)
                if kept.count >= pruned { break }
            }
        }
        var i = begin
        for k in kept {
            neighbors[i] = k.id
            i += 1
        }
        while i < end {
            neighbors[i] = -1
            i += 1
        }
        worker.scored = scored
        worker.kept = kept
    }
}
