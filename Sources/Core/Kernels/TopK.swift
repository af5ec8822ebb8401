/// `count` fixed-size min-heaps of (key, id), one per query, keeping each query's `k` largest
/// keys. Slots start at (−FLT_MAX, −1), so a query with fewer than k candidates is padded
/// the way FAISS pads. Keys are "larger is better" (L2 callers negate distances).
final class TopKHeaps {
    let count: Int
    let k: Int
    let keys: UnsafeMutablePointer<Float>
    let ids: UnsafeMutablePointer<Int64>
    /// Among equal keys, whether the larger id is the worse (FAISS's L2 heaps, `CMax::cmp2`) or
    /// the smaller one (its inner-product heaps, `CMin::cmp2`); results list ties best first.
    let largerIDsWorse: Bool

    /// Heaps that break ties as FAISS does for `metric` (as for L2 when nil).
    convenience init(count: Int, k: Int, metric: Metric? = nil) {
        self.init(count: count, k: k, largerIDsWorse: metric != .innerProduct)
    }

    init(count: Int, k: Int, largerIDsWorse: Bool) {
        self.count = count
        self.k = k
        self.largerIDsWorse = largerIDsWorse
        keys = .allocate(capacity: max(count * k, 1))
        ids = .allocate(capacity: max(count * k, 1))
        keys.initialize(repeating: -Float.greatestFiniteMagnitude, count: count * k)
        ids.initialize(repeating: -1, count: count * k)
    }

    deinit {
        keys.deallocate()
        ids.deallocate()
    }

    /// The smallest key query `q` keeps: a candidate must beat it to enter.
    @inline(__always)
    func threshold(_ q: Int) -> Float { keys[q &* k] }

    /// Replaces query `q`'s worst entry by (key, id) and restores the heap. As in FAISS's heaps
    /// (`cmp2`), equal keys are ordered by id, so ties evict the same entries as FAISS.
    /// - Complexity: O(log k).
    @inline(__always)
    func replaceTop(_ q: Int, key: Float, id: Int64) {
        let hk = keys + q &* k
        let hi = ids + q &* k
        var i = 0
        while true {
            let left = 2 &* i &+ 1
            if left >= k { break }
            let right = left &+ 1
            var child = left
            if right < k && (hk[right] < hk[left] || (hk[right] == hk[left] && worseID(hi[right], hi[left]))) { child = right }
            if key < hk[child] || (key == hk[child] && worseID(id, hi[child])) { break }
            hk[i] = hk[child]
            hi[i] = hi[child]
            i = child
        }
        hk[i] = key
        hi[i] = id
    }

    @inline(__always)
    private func worseID(_ a: Int64, _ b: Int64) -> Bool { largerIDsWorse ? a > b : a < b }

    /// Offers (key, id) to query `q`.
    @inline(__always)
    func push(_ q: Int, key: Float, id: Int64) {
        if key > keys[q &* k] { replaceTop(q, key: key, id: id) }
    }

    /// Folds another set of heaps (same shape) into this one.
    func merge(_ other: TopKHeaps) {
        for q in 0..<count {
            for j in 0..<k where other.ids[q * k + j] >= 0 {
                push(q, key: other.keys[q * k + j], id: other.ids[q * k + j])
            }
        }
    }

    /// The results best first, converted back to the metric's scores.
    func result(metric: Metric) -> SearchResult {
        var scores = [Float](repeating: 0, count: count * k)
        var outIDs = [Int64](repeating: -1, count: count * k)
        var order = [(Float, Int64)]()
        order.reserveCapacity(k)
        for q in 0..<count {
            order.removeAll(keepingCapacity: true)
            for j in 0..<k { order.append((keys[q * k + j], ids[q * k + j])) }
            // Best key first; among equal keys real ids before padding, then the better id first.
            order.sort { a, b in
                if a.0 != b.0 { return a.0 > b.0 }
                if (a.1 < 0) != (b.1 < 0) { return a.1 >= 0 }
                return largerIDsWorse ? a.1 < b.1 : a.1 > b.1
            }
            for j in 0..<k {
                let (key, id) = order[j]
                outIDs[q * k + j] = id
                if id < 0 {
                    scores[q * k + j] = metric.sentinelScore
                } else {
                    scores[q * k + j] = metric.largerIsBetter ? key : -key
                }
            }
        }
        return SearchResult(queryCount: count, k: k, scores: scores, ids: outIDs)
    }
}
