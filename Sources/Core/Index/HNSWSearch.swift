import CKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A metric as HNSW sees it, with FAISS's comparators (`HNSW::C_distance` = `CMax` for L2,
/// `HNSW::C_similarity` = `CMin` for inner product, which FAISS ≥ 1.15 uses instead of negating
/// distances). Every heap and tie below follows these, so results match FAISS's order.
protocol HNSWSpace {
    /// The distance (L2) or similarity (IP) between two rows of `d` floats.
    static func distance(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ d: Int) -> Float
    /// The distances of `q` to four rows at once (FAISS `distances_batch_4`).
    static func distance4(_ q: UnsafeRawPointer, _ y0: UnsafeRawPointer, _ y1: UnsafeRawPointer, _ y2: UnsafeRawPointer,
                          _ y3: UnsafeRawPointer, _ d: Int) -> (Float, Float, Float, Float)
    /// FAISS `C::cmp(a, b)`: true when `b` is strictly better than `a`.
    static func cmp(_ a: Float, _ b: Float) -> Bool
    /// The id half of FAISS `C::cmp2` (ties on the value broken by id in the same direction).
    static func cmpID(_ a: Int64, _ b: Int64) -> Bool
    /// FAISS `C::neutral()`: the worst value (+FLT_MAX for L2, −FLT_MAX for IP).
    static var worst: Float { get }
    /// Whether smaller values are better (L2).
    static var smallerIsBetter: Bool { get }
    /// Whether the candidate heap scans with the AVX-512 kernels (only at that SIMD level).
    static var avx512Heap: Bool { get }
}

extension HNSWSpace {
    static var avx512Heap: Bool { false }
}

extension HNSWSpace {
    /// FAISS `C::cmp2(a1, b1, a2, b2)`.
    @inline(__always)
    static func cmp2(_ a1: Float, _ b1: Float, _ a2: Int64, _ b2: Int64) -> Bool {
        cmp(a1, b1) || (a1 == b1 && cmpID(a2, b2))
    }
}

/// Metrics where a smaller value is better (FAISS `CMax<float, idx_t>`).
protocol HNSWSmallerIsBetter: HNSWSpace {}

extension HNSWSmallerIsBetter {
    @inline(__always) static func cmp(_ a: Float, _ b: Float) -> Bool { a > b }
    @inline(__always) static func cmpID(_ a: Int64, _ b: Int64) -> Bool { a > b }
    static var worst: Float { Float.greatestFiniteMagnitude }
    static var smallerIsBetter: Bool { true }
}

/// Metrics where a larger value is better (FAISS `CMin<float, idx_t>`).
protocol HNSWLargerIsBetter: HNSWSpace {}

extension HNSWLargerIsBetter {
    @inline(__always) static func cmp(_ a: Float, _ b: Float) -> Bool { a < b }
    @inline(__always) static func cmpID(_ a: Int64, _ b: Int64) -> Bool { a < b }
    static var worst: Float { -Float.greatestFiniteMagnitude }
    static var smallerIsBetter: Bool { false }
}

/// Squared L2 with portable SIMD.
enum HNSWL2Space: HNSWSmallerIsBetter {
    @inline(__always)
    static func distance(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ d: Int) -> Float { Distances.portableSquaredL2(a, b, d) }

    @inline(__always)
    static func distance4(_ q: UnsafeRawPointer, _ y0: UnsafeRawPointer, _ y1: UnsafeRawPointer, _ y2: UnsafeRawPointer,
                          _ y3: UnsafeRawPointer, _ d: Int) -> (Float, Float, Float, Float) {
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
        var i = 0
        while i &+ 8 <= d {
            let o = i &* 4
            let x = q.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
            let t0 = x - y0.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
            let t1 = x - y1.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
            let t2 = x - y2.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
            let t3 = x - y3.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
            a0 += t0 * t0
            a1 += t1 * t1
            a2 += t2 * t2
            a3 += t3 * t3
            i &+= 8
        }
        var s0 = a0.sum(), s1 = a1.sum(), s2 = a2.sum(), s3 = a3.sum()
        while i < d {
            let o = i &* 4
            let x = q.loadUnaligned(fromByteOffset: o, as: Float.self)
            let t0 = x - y0.loadUnaligned(fromByteOffset: o, as: Float.self)
            let t1 = x - y1.loadUnaligned(fromByteOffset: o, as: Float.self)
            let t2 = x - y2.loadUnaligned(fromByteOffset: o, as: Float.self)
            let t3 = x - y3.loadUnaligned(fromByteOffset: o, as: Float.self)
            s0 += t0 * t0
            s1 += t1 * t1
            s2 += t2 * t2
            s3 += t3 * t3
            i &+= 1
        }
        return (s0, s1, s2, s3)
    }
}

/// Inner product with portable SIMD.
enum HNSWIPSpace: HNSWLargerIsBetter {
    @inline(__always)
    static func distance(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ d: Int) -> Float { Distances.portableInnerProduct(a, b, d) }

    @inline(__always)
    static func distance4(_ q: UnsafeRawPointer, _ y0: UnsafeRawPointer, _ y1: UnsafeRawPointer, _ y2: UnsafeRawPointer,
                          _ y3: UnsafeRawPointer, _ d: Int) -> (Float, Float, Float, Float) {
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
        var i = 0
        while i &+ 8 <= d {
            let o = i &* 4
            let x = q.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
            a0 += x * y0.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
            a1 += x * y1.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
            a2 += x * y2.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
            a3 += x * y3.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
            i &+= 8
        }
        var s0 = a0.sum(), s1 = a1.sum(), s2 = a2.sum(), s3 = a3.sum()
        while i < d {
            let o = i &* 4
            let x = q.loadUnaligned(fromByteOffset: o, as: Float.self)
            s0 += x * y0.loadUnaligned(fromByteOffset: o, as: Float.self)
            s1 += x * y1.loadUnaligned(fromByteOffset: o, as: Float.self)
            s2 += x * y2.loadUnaligned(fromByteOffset: o, as: Float.self)
            s3 += x * y3.loadUnaligned(fromByteOffset: o, as: Float.self)
            i &+= 1
        }
        return (s0, s1, s2, s3)
    }
}

#if arch(x86_64)
/// A CKernels four-row kernel: the query, four rows, the dimension, out[0…3].
typealias Batch4Kernel = (UnsafePointer<Float>?, UnsafePointer<Float>?, UnsafePointer<Float>?, UnsafePointer<Float>?,
                          UnsafePointer<Float>?, Int, UnsafeMutablePointer<Float>?) -> Void

/// Runs a four-row kernel on raw rows and returns its four scores.
@inline(__always)
func callBatch4(_ kernel: Batch4Kernel, _ q: UnsafeRawPointer, _ y0: UnsafeRawPointer, _ y1: UnsafeRawPointer,
                _ y2: UnsafeRawPointer, _ y3: UnsafeRawPointer, _ d: Int) -> (Float, Float, Float, Float) {
    var out = SIMD4<Float>()
    withUnsafeMutablePointer(to: &out) { p in
        p.withMemoryRebound(to: Float.self, capacity: 4) { f in
            kernel(q.assumingMemoryBound(to: Float.self), y0.assumingMemoryBound(to: Float.self),
                   y1.assumingMemoryBound(to: Float.self), y2.assumingMemoryBound(to: Float.self),
                   y3.assumingMemoryBound(to: Float.self), d, f)
        }
    }
    return (out[0], out[1], out[2], out[3])
}

/// Squared L2 with the AVX2+FMA kernels (only at that SIMD level or above: `CPUFeatures.simd`).
enum HNSWL2SpaceAVX2: HNSWSmallerIsBetter {
    @inline(__always)
    static func distance(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ d: Int) -> Float {
        vectui_l2_avx2(a.assumingMemoryBound(to: Float.self), b.assumingMemoryBound(to: Float.self), d)
    }

    @inline(__always)
    static func distance4(_ q: UnsafeRawPointer, _ y0: UnsafeRawPointer, _ y1: UnsafeRawPointer, _ y2: UnsafeRawPointer,
                          _ y3: UnsafeRawPointer, _ d: Int) -> (Float, Float, Float, Float) {
        callBatch4(vectui_l2_batch4_avx2, q, y0, y1, y2, y3, d)
    }
}

/// Inner product with the AVX2+FMA kernels (only at that SIMD level or above).
enum HNSWIPSpaceAVX2: HNSWLargerIsBetter {
    @inline(__always)
    static func distance(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ d: Int) -> Float {
        vectui_ip_avx2(a.assumingMemoryBound(to: Float.self), b.assumingMemoryBound(to: Float.self), d)
    }

    @inline(__always)
    static func distance4(_ q: UnsafeRawPointer, _ y0: UnsafeRawPointer, _ y1: UnsafeRawPointer, _ y2: UnsafeRawPointer,
                          _ y3: UnsafeRawPointer, _ d: Int) -> (Float, Float, Float, Float) {
        callBatch4(vectui_ip_batch4_avx2, q, y0, y1, y2, y3, d)
    }
}

/// Squared L2 with the AVX-512 kernels (only at the AVX-512 level).
enum HNSWL2SpaceAVX512: HNSWSmallerIsBetter {
    static var avx512Heap: Bool { true }

    @inline(__always)
    static func distance(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ d: Int) -> Float {
        vectui_l2_avx512(a.assumingMemoryBound(to: Float.self), b.assumingMemoryBound(to: Float.self), d)
    }

    @inline(__always)
    static func distance4(_ q: UnsafeRawPointer, _ y0: UnsafeRawPointer, _ y1: UnsafeRawPointer, _ y2: UnsafeRawPointer,
                          _ y3: UnsafeRawPointer, _ d: Int) -> (Float, Float, Float, Float) {
        callBatch4(vectui_l2_batch4_avx512, q, y0, y1, y2, y3, d)
    }
}

/// Inner product with the AVX-512 kernels (only at the AVX-512 level).
enum HNSWIPSpaceAVX512: HNSWLargerIsBetter {
    static var avx512Heap: Bool { true }

    @inline(__always)
    static func distance(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ d: Int) -> Float {
        vectui_ip_avx512(a.assumingMemoryBound(to: Float.self), b.assumingMemoryBound(to: Float.self), d)
    }

    @inline(__always)
    static func distance4(_ q: UnsafeRawPointer, _ y0: UnsafeRawPointer, _ y1: UnsafeRawPointer, _ y2: UnsafeRawPointer,
                          _ y3: UnsafeRawPointer, _ d: Int) -> (Float, Float, Float, Float) {
        callBatch4(vectui_ip_batch4_avx512, q, y0, y1, y2, y3, d)
    }
}
#endif

/// FAISS `VisitedTable`: one byte per node and a generation number, so clearing is O(1)
/// except every 249 uses.
final class HNSWVisitedTable {
    let size: Int
    private let marks: UnsafeMutablePointer<UInt8>
    private var generation: UInt8 = 1

    init(size: Int) {
        self.size = size
        marks = .allocate(capacity: max(size, 1))
        marks.initialize(repeating: 0, count: max(size, 1))
    }

    deinit { marks.deallocate() }

    /// Hints the CPU to fetch `node`'s mark ahead of `set`.
    @inline(__always)
    func prefetch(_ node: Int) { vectui_prefetch(marks + node) }

    /// Marks `node`; false when it was already marked in this generation.
    @inline(__always)
    func set(_ node: Int) -> Bool {
        if marks[node] == generation { return false }
        marks[node] = generation
        return true
    }

    /// Starts a new generation (FAISS `advance`).
    func advance() {
        generation &+= 1
        if generation == 250 {
            marks.update(repeating: 0, count: max(size, 1))
            generation = 1
        }
    }
}

/// FAISS binary-heap primitives (`faiss/utils/Heap.h`) on 1-based arrays, ordered by `S.cmp2`:
/// the same sift steps, so equal values end up in the same places as in FAISS.
enum FaissHeap {
    /// `heap_push<C>(k, …)`: inserts (value, id) into a heap of k − 1 elements.
    @inline(__always)
    static func push<S: HNSWSpace, ID: FixedWidthInteger>(_: S.Type, _ k: Int, _ values: UnsafeMutablePointer<Float>,
                                                          _ ids: UnsafeMutablePointer<ID>, _ value: Float, _ id: ID) {
        let v = values - 1, ix = ids - 1
        var i = k
        while i > 1 {
            let father = i >> 1
            if !S.cmp2(value, v[father], Int64(id), Int64(ix[father])) { break }
            v[i] = v[father]
            ix[i] = ix[father]
            i = father
        }
        v[i] = value
        ix[i] = id
    }

    /// `heap_pop<C>(k, …)`: removes the top of a heap of k elements.
    @inline(__always)
    static func pop<S: HNSWSpace, ID: FixedWidthInteger>(_: S.Type, _ k: Int, _ values: UnsafeMutablePointer<Float>,
                                                         _ ids: UnsafeMutablePointer<ID>) {
        let v = values - 1, ix = ids - 1
        let value = v[k], id = Int64(ix[k])
        var i = 1
        while true {
            let i1 = i << 1, i2 = i1 + 1
            if i1 > k { break }
            if i2 == k + 1 || S.cmp2(v[i1], v[i2], Int64(ix[i1]), Int64(ix[i2])) {
                if S.cmp2(value, v[i1], id, Int64(ix[i1])) { break }
                v[i] = v[i1]
                ix[i] = ix[i1]
                i = i1
            } else {
                if S.cmp2(value, v[i2], id, Int64(ix[i2])) { break }
                v[i] = v[i2]
                ix[i] = ix[i2]
                i = i2
            }
        }
        v[i] = v[k]
        ix[i] = ix[k]
    }

    /// `heap_reorder<C>(k, …)`: sorts a heap of k elements best first; slots with id −1 go
    /// last, as (worst, −1).
    static func reorder<S: HNSWSpace>(_: S.Type, _ k: Int, _ values: UnsafeMutablePointer<Float>,
                                      _ ids: UnsafeMutablePointer<Int64>) {
        var kept = 0
        for i in 0..<k {
            let value = values[0], id = ids[0]
            pop(S.self, k - i, values, ids)
            values[k - kept - 1] = value
            ids[k - kept - 1] = id
            if id != -1 { kept += 1 }
        }
        if kept > 0 && kept < k {
            (values).update(from: values + (k - kept), count: kept)
            (ids).update(from: ids + (k - kept), count: kept)
        }
        for i in kept..<k {
            values[i] = S.worst
            ids[i] = -1
        }
    }

    /// `heap_replace_top<C>(k, …)`: replaces the top of a heap of k elements.
    @inline(__always)
    static func replaceTop<S: HNSWSpace, ID: FixedWidthInteger>(_: S.Type, _ k: Int, _ values: UnsafeMutablePointer<Float>,
                                                                _ ids: UnsafeMutablePointer<ID>, _ value: Float, _ id: ID) {
        let v = values - 1, ix = ids - 1
        let id64 = Int64(id)
        var i = 1
        while true {
            let i1 = i << 1, i2 = i1 + 1
            if i1 > k { break }
            if i2 == k + 1 || S.cmp2(v[i1], v[i2], Int64(ix[i1]), Int64(ix[i2])) {
                if S.cmp2(value, v[i1], id64, Int64(ix[i1])) { break }
                v[i] = v[i1]
                ix[i] = ix[i1]
                i = i1
            } else {
                if S.cmp2(value, v[i2], id64, Int64(ix[i2])) { break }
                v[i] = v[i2]
                ix[i] = ix[i2]
                i = i2
            }
        }
        v[i] = value
        ix[i] = id
    }
}

/// FAISS `MinimaxHeapT<HC>` (`faiss/impl/hnsw/MinimaxHeap.h`): a bounded heap of search
/// candidates whose worst entry is at the top, from which the best entry is taken by a linear
/// scan (sixteen entries a step with the AVX-512 spaces); taken entries stay in place with id
/// −1 (and still count in `countBelow`).
struct HNSWMinimaxHeap {
    let capacity: Int
    private(set) var k = 0
    private(set) var nvalid = 0
    let ids: UnsafeMutablePointer<Int32>
    let dis: UnsafeMutablePointer<Float>

    init(capacity: Int) {
        self.capacity = capacity
        ids = .allocate(capacity: max(capacity, 1))
        dis = .allocate(capacity: max(capacity, 1))
    }

    func deallocate() {
        ids.deallocate()
        dis.deallocate()
    }

    mutating func clear() {
        k = 0
        nvalid = 0
    }

    /// `push`: when full, a value not strictly better than the worst is dropped, else the
    /// worst goes.
    @inline(__always)
    mutating func push<S: HNSWSpace>(_: S.Type, _ id: Int32, _ value: Float) {
        if k == capacity {
            if !S.cmp(dis[0], value) { return }
            if ids[0] != -1 { nvalid -= 1 }
            FaissHeap.pop(S.self, k, dis, ids)
            k -= 1
        }
        k += 1
        FaissHeap.push(S.self, k, dis, ids, value, id)
        nvalid += 1
    }

    /// `pop_min`: the best live entry (the rightmost of equal ones, as FAISS's scalar and
    /// AVX2 versions pick), marked taken.
    @inline(__always)
    mutating func popBest<S: HNSWSpace>(_: S.Type, _ value: inout Float) -> Int32 {
        #if arch(x86_64)
        if S.avx512Heap {
            let best = vectui_best_live_avx512(dis, ids, k, S.smallerIsBetter ? 1 : 0)
            if best < 0 { return -1 }
            value = dis[best]
            let id = ids[best]
            ids[best] = -1
            nvalid -= 1
            return id
        }
        #endif
        var i = k - 1
        while i >= 0 && ids[i] == -1 { i -= 1 }
        if i < 0 { return -1 }
        var best = i
        var bestValue = dis[i]
        i -= 1
        while i >= 0 {
            if ids[i] != -1 && S.cmp(bestValue, dis[i]) {
                bestValue = dis[i]
                best = i
            }
            i -= 1
        }
        value = bestValue
        let id = ids[best]
        ids[best] = -1
        nvalid -= 1
        return id
    }

    /// The best live entry's id without taking it (−1 when none), for prefetching; only with
    /// the AVX-512 spaces, where it is one sixteen-wide scan.
    @inline(__always)
    func peekBest<S: HNSWSpace>(_: S.Type) -> Int32 {
        #if arch(x86_64)
        if S.avx512Heap {
            let best = vectui_best_live_avx512(dis, ids, k, S.smallerIsBetter ? 1 : 0)
            return best < 0 ? -1 : ids[best]
        }
        #endif
        return -1
    }

    /// `count_below`: entries (taken ones included) strictly better than `threshold`.
    @inline(__always)
    func countBetter<S: HNSWSpace>(_: S.Type, than threshold: Float) -> Int {
        #if arch(x86_64)
        if S.avx512Heap { return vectui_count_better_avx512(dis, k, threshold, S.smallerIsBetter ? 1 : 0) }
        #endif
        var n = 0
        for i in 0..<k where S.cmp(threshold, dis[i]) { n += 1 }
        return n
    }
}

/// Raw views of a graph and its vectors for the hot loops (no reference counting, no bounds
/// checks: the links, levels and offsets are owned memory that the reader validated, or the
/// builder wrote; only vectors come from a mapping, and no value read there is used as an index).
struct HNSWGraphView {
    let neighbors: UnsafeRawPointer
    let offsets: UnsafePointer<Int>
    let cum: UnsafePointer<Int32>
    let entryPoint: Int32
    let maxLevel: Int

    /// Slots of `node` on `level`.
    @inline(__always)
    func range(_ node: Int32, _ level: Int) -> (Int, Int) {
        let o = offsets[Int(node)]
        return (o &+ Int(cum[level]), o &+ Int(cum[level &+ 1]))
    }

    @inline(__always)
    func neighbor(_ slot: Int) -> Int32 {
        neighbors.loadUnaligned(fromByteOffset: slot &* 4, as: Int32.self)
    }

    /// Hints the CPU to fetch `node`'s neighbour slots on layer 0 (every cache line of them).
    @inline(__always)
    func prefetchLinks(_ node: Int32) {
        let (begin, end) = range(node, 0)
        guard begin < end else { return }
        var address = neighbors + begin &* 4
        let last = neighbors + end &* 4 - 1
        while address < last {
            vectui_prefetch(address)
            address += 64
        }
        vectui_prefetch(last)
    }
}

/// Where node vectors live: rows below `split` in `base`, the others in `extra` (the batch
/// being added, which joins the storage only once the graph is built).
struct HNSWRows {
    let base: UnsafeRawPointer
    let split: Int
    let extra: UnsafeRawPointer
    let stride: Int
    let dimension: Int

    /// Hints the CPU to fetch row `id` (every cache line of it).
    @inline(__always)
    func prefetch(_ id: Int32) {
        let start = row(id)
        var offset = 0
        while offset < stride {
            vectui_prefetch(start + offset)
            offset &+= 64
        }
    }

    @inline(__always)
    func row(_ id: Int32) -> UnsafeRawPointer {
        let i = Int(id)
        return i < split ? base + i &* stride : extra + (i &- split) &* stride
    }
}

/// FAISS's HNSW search (`HNSW::search` with the default bounded queue and
/// `check_relative_distance`): greedy descent through the upper layers, then
/// `search_from_candidates` on layer 0 with a candidate heap of max(efSearch, k).
enum HNSWSearcher {
    /// Per-thread buffers.
    final class Scratch {
        var candidates: HNSWMinimaxHeap
        let visited: HNSWVisitedTable

        /// Unvisited neighbours of the node being expanded.
        let fresh: UnsafeMutablePointer<Int32>

        init(nodes: Int, capacity: Int, maxDegree: Int) {
            visited = HNSWVisitedTable(size: nodes)
            candidates = HNSWMinimaxHeap(capacity: capacity)
            fresh = .allocate(capacity: max(maxDegree, 1))
        }

        deinit {
            candidates.deallocate()
            fresh.deallocate()
        }

        func ensureCandidates(_ capacity: Int) {
            if candidates.capacity != capacity {
                candidates.deallocate()
                candidates = HNSWMinimaxHeap(capacity: capacity)
            }
            candidates.clear()
        }
    }

    /// FAISS `greedy_update_nearest`: moves to better neighbours on `level` until none is better.
    @inline(__always)
    static func greedy<S: HNSWSpace>(_: S.Type, _ graph: HNSWGraphView, _ rows: HNSWRows, _ query: UnsafeRawPointer,
                                     level: Int, nearest: inout Int32, distance: inout Float) {
        let d = rows.dimension
        while true {
            let previous = nearest
            let (begin, end) = graph.range(nearest, level)
            var j = begin
            while j < end {
                let v = graph.neighbor(j)
                if v < 0 { break }
                let dis = S.distance(query, rows.row(v), d)
                if S.cmp(distance, dis) {
                    nearest = v
                    distance = dis
                }
                j &+= 1
            }
            if nearest == previous { return }
        }
    }

    /// FAISS `add_to_heap` in `search_from_candidates`: the result heap takes the node if the
    /// selector passes it and it beats the current threshold; the candidate heap always gets it.
    @inline(__always)
    private static func offer<S: HNSWSpace>(_: S.Type, _ node: Int32, _ dis: Float, _ k: Int,
                                            _ outValues: UnsafeMutablePointer<Float>, _ outIDs: UnsafeMutablePointer<Int64>,
                                            _ threshold: inout Float, _ filter: IDFilter?,
                                            _ candidates: UnsafeMutablePointer<HNSWMinimaxHeap>) {
        if S.cmp(threshold, dis) && (filter == nil || filter!.contains(Int64(node))) {
            FaissHeap.replaceTop(S.self, k, outValues, outIDs, dis, Int64(node))
            threshold = outValues[0]
        }
        candidates.pointee.push(S.self, node, dis)
    }

    /// Searches one query; writes k results best first (padded with the metric's sentinel and
    /// id −1) to `outValues`/`outIDs`, only nodes `filter` passes (nil: all).
    static func searchOne<S: HNSWSpace>(_: S.Type, graph: HNSWGraphView, rows: HNSWRows, query: UnsafeRawPointer,
                                        k: Int, efSearch: Int, filter: IDFilter? = nil, scratch: Scratch,
                                        outValues: UnsafeMutablePointer<Float>, outIDs: UnsafeMutablePointer<Int64>) {
        // Result heap (FAISS HeapBlockResultHandler<C>): k slots of (worst, −1).
        outValues.initialize(repeating: S.worst, count: k)
        outIDs.initialize(repeating: -1, count: k)
        guard graph.entryPoint >= 0 else { return }
        let d = rows.dimension
        let visited = scratch.visited

        var nearest = graph.entryPoint
        var dNearest = S.distance(query, rows.row(nearest), d)
        var level = graph.maxLevel
        while level >= 1 {
            greedy(S.self, graph, rows, query, level: level, nearest: &nearest, distance: &dNearest)
            level -= 1
        }

        scratch.ensureCandidates(max(efSearch, k))
        scratch.candidates.push(S.self, nearest, dNearest)
        withUnsafeMutablePointer(to: &scratch.candidates) { candidates in
            var threshold = outValues[0]
            for i in 0..<candidates.pointee.nvalid {
                let v1 = candidates.pointee.ids[i], dis = candidates.pointee.dis[i]
                if S.cmp(threshold, dis) && (filter == nil || filter!.contains(Int64(v1))) {
                    FaissHeap.replaceTop(S.self, k, outValues, outIDs, dis, Int64(v1))
                    threshold = outValues[0]
                }
                _ = visited.set(Int(v1))
            }
            while candidates.pointee.nvalid > 0 {
                var d0: Float = 0
                let v0 = candidates.pointee.popBest(S.self, &d0)
                if candidates.pointee.countBetter(S.self, than: d0) >= efSearch { break }
                // The likely next expansion (unless one of v0's neighbours beats it): fetch its
                // links while v0's are scored, so that the next step does not start on a miss.
                if S.avx512Heap {
                    let next = candidates.pointee.peekBest(S.self)
                    if next >= 0 { graph.prefetchLinks(next) }
                }
                let (begin, end) = graph.range(v0, 0)
                // As FAISS: find the live neighbours (prefetching their visited marks), mark
                // the unvisited ones, then score them in order, in fours. Their vectors are
                // prefetched first so that all the memory reads overlap.
                var jmax = begin
                while jmax < end {
                    let v1 = graph.neighbor(jmax)
                    if v1 < 0 { break }
                    visited.prefetch(Int(v1))
                    jmax &+= 1
                }
                let fresh = scratch.fresh
                var nfresh = 0
                for j in begin..<jmax {
                    let v1 = graph.neighbor(j)
                    if visited.set(Int(v1)) {
                        fresh[nfresh] = v1
                        nfresh &+= 1
                    }
                }
                for i in 0..<nfresh { rows.prefetch(fresh[i]) }
                threshold = outValues[0]
                var i = 0
                while i &+ 4 <= nfresh {
                    let (d0, d1, d2, d3) = S.distance4(query, rows.row(fresh[i]), rows.row(fresh[i &+ 1]),
                                                       rows.row(fresh[i &+ 2]), rows.row(fresh[i &+ 3]), d)
                    offer(S.self, fresh[i], d0, k, outValues, outIDs, &threshold, filter, candidates)
                    offer(S.self, fresh[i &+ 1], d1, k, outValues, outIDs, &threshold, filter, candidates)
                    offer(S.self, fresh[i &+ 2], d2, k, outValues, outIDs, &threshold, filter, candidates)
                    offer(S.self, fresh[i &+ 3], d3, k, outValues, outIDs, &threshold, filter, candidates)
                    i &+= 4
                }
                while i < nfresh {
                    let v1 = fresh[i]
                    offer(S.self, v1, S.distance(query, rows.row(v1), d), k, outValues, outIDs, &threshold, filter, candidates)
                    i &+= 1
                }
            }
        }
        visited.advance()

        FaissHeap.reorder(S.self, k, outValues, outIDs)
    }
}
