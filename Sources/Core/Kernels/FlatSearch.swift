/// Exact k-nearest-neighbour search over row-major float32 vectors, with FAISS's two paths:
/// a SIMD scan for a few queries (memory-bound: every row is read once per block of queries,
/// on every core), and a BLAS path for batches (compute-bound: each core runs sgemm per tile
/// of queries × its share of the rows, then top-k per query).
enum FlatSearch {
    /// Below this many queries the scan is faster than sgemm. (FAISS 1.15 switches at
    /// queries × d ≥ 128,000 instead, so its small batches take its scan.)
    static let blasThreshold = 20
    /// Database rows scored together in the scan, so a block stays in cache across queries.
    static let scanBlockRows = 64
    /// Upper bound on the sgemm output tile (queries × rows × 4 bytes).
    static let blasTileBytes = 64 << 20
    /// Queries per sgemm call.
    static let blasQueryBlock = 1024

    /// Searches `n` queries (row-major at `queries`) against `storage`.
    /// - Parameters:
    ///   - squaredNorms: per-row ‖x‖², asked for by the BLAS path for L2.
    ///   - filter: the rows that may be returned (nil: all); others never reach the heaps, and
    ///     blocks with none are not scored.
    /// - Complexity: O(n · rows · d) time; O(n · k) memory plus one tile for batches.
    static func search(storage: VectorStorage, queries: UnsafePointer<Float>, n: Int, k: Int,
                       metric: Metric, filter: IDFilter? = nil, squaredNorms: () -> [Float]) -> SearchResult {
        let heaps = TopKHeaps(count: n, k: k)
        if storage.rows > 0 && n > 0 {
            if n < blasThreshold {
                scan(storage, queries, n, l2: metric == .l2, filter, heaps)
            } else {
                if metric == .l2 {
                    squaredNorms().withUnsafeBufferPointer { blas(storage, queries, n, metric, $0.baseAddress, filter, heaps) }
                } else {
                    blas(storage, queries, n, metric, nil, filter, heaps)
                }
            }
        }
        return heaps.result(metric: metric)
    }

    // MARK: - Scan

    private static func scan(_ storage: VectorStorage, _ queries: UnsafePointer<Float>, _ n: Int, l2: Bool,
                             _ filter: IDFilter?, _ heaps: TopKHeaps) {
        let d = storage.dimension
        let rows = storage.rows
        let stride = d * 4
        guard let base = storage.baseAddress else { return }
        let query = UnsafeRawPointer(queries)
        // Small indexes are not worth a thread hand-off.
        let parts = rows * d < 1 << 16 ? 1 : Parallel.workerCount
        var partial = [TopKHeaps]()
        for part in 0..<parts { partial.append(part == 0 ? heaps : TopKHeaps(count: n, k: heaps.k)) }
        Parallel.forEachSlice(of: rows, parts: parts) { part, range in
            let local = partial[part]
            withUnsafeTemporaryAllocation(of: Float.self, capacity: scanBlockRows) { scores in
                let scores = scores.baseAddress!
                var blockStart = range.lowerBound
                while blockStart < range.upperBound {
                    let count = min(scanBlockRows, range.upperBound &- blockStart)
                    let block = base + blockStart &* stride
                    if let filter, !filter.anyInRange(blockStart..<(blockStart &+ count)) {
                        blockStart &+= count
                        continue
                    }
                    for q in 0..<n {
                        Distances.scoreBlock(query + q &* stride, rows: block, stride: stride, count: count, d,
                                             l2: l2, into: scores)
                        var threshold = local.threshold(q)
                        for j in 0..<count {
                            // Keys are "larger is better": L2 distances are negated.
                            let key = l2 ? -scores[j] : scores[j]
                            if key > threshold && (filter == nil || filter!.contains(Int64(blockStart &+ j))) {
                                local.replaceTop(q, key: key, id: Int64(blockStart &+ j))
                                threshold = local.threshold(q)
                            }
                        }
                    }
                    blockStart &+= count
                }
            }
        }
        for part in 1..<parts { heaps.merge(partial[part]) }
    }

    // MARK: - BLAS

    /// Each worker takes a contiguous share of the database rows and runs sgemm (single-threaded)
    /// and top-k on its own tiles, so one core's top-k overlaps the other's sgemm; the workers'
    /// heaps are merged at the end.
    private static func blas(_ storage: VectorStorage, _ queries: UnsafePointer<Float>, _ n: Int,
                             _ metric: Metric, _ norms: UnsafePointer<Float>?, _ filter: IDFilter?, _ heaps: TopKHeaps) {
        let d = storage.dimension
        let rows = storage.rows
        guard let base = storage.baseAddress else { return }
        let workers = rows * d < 1 << 16 ? 1 : Parallel.workerCount
        let queryBlock = min(n, blasQueryBlock)
        let rowBlock = max(256, min((rows + workers - 1) / workers, blasTileBytes / 4 / queryBlock / workers))
        // Mapped FAISS data is rarely float-aligned; sgemm then reads an aligned copy of each block.
        let needsStaging = !storage.isFloatAligned
        let scratch = MemoryLedger.shared.record(device: MemoryLedger.hostDevice, kind: .scratch,
                                                 bytes: workers * (queryBlock * rowBlock * 4 + (needsStaging ? rowBlock * d * 4 : 0)))
        defer { scratch.release() }
        var queryNorms = [Float](repeating: 0, count: n)
        if metric == .l2 {
            for q in 0..<n { queryNorms[q] = Distances.innerProduct(queries + q * d, queries + q * d, d) }
        }
        var partial = [TopKHeaps]()
        for part in 0..<workers { partial.append(part == 0 ? heaps : TopKHeaps(count: n, k: heaps.k)) }

        queryNorms.withUnsafeBufferPointer { queryNorms in
            Parallel.forEachSlice(of: rows, parts: workers) { part, range in
                let local = partial[part]
                let tile = UnsafeMutablePointer<Float>.allocate(capacity: queryBlock * rowBlock)
                defer { tile.deallocate() }
                let staging: UnsafeMutableRawPointer? = needsStaging ? .allocate(byteCount: rowBlock * d * 4, alignment: 64) : nil
                defer { staging?.deallocate() }
                var qStart = 0
                while qStart < n {
                    let qn = min(queryBlock, n - qStart)
                    var rStart = range.lowerBound
                    while rStart < range.upperBound {
                        let rn = min(rowBlock, range.upperBound - rStart)
                        if let filter, !filter.anyInRange(rStart..<(rStart + rn)) {
                            rStart += rn
                            continue
                        }
                        let block: UnsafePointer<Float>
                        if let staging {
                            staging.copyMemory(from: base + rStart * d * 4, byteCount: rn * d * 4)
                            block = UnsafePointer(staging.assumingMemoryBound(to: Float.self))
                        } else {
                            block = (base + rStart * d * 4).assumingMemoryBound(to: Float.self)
                        }
                        BLAS.multiplyTransposed(queries + qStart * d, rows: qn, block, rows: rn, depth: d, into: tile, rowStride: rn)
                        for q in 0..<qn {
                            let scores = tile + q * rn
                            let heapIndex = qStart + q
                            var threshold = local.threshold(heapIndex)
                            if let norms {
                                let qNorm = queryNorms[heapIndex]
                                let rowNorms = norms + rStart
                                for j in 0..<rn {
                                    // ‖q − x‖² = ‖q‖² + ‖x‖² − 2 q·x, clamped at 0 as FAISS does.
                                    let key = -max(0, qNorm + rowNorms[j] - 2 * scores[j])
                                    if key > threshold && (filter == nil || filter!.contains(Int64(rStart + j))) {
                                        local.replaceTop(heapIndex, key: key, id: Int64(rStart + j))
                                        threshold = local.threshold(heapIndex)
                                    }
                                }
                            } else {
                                for j in 0..<rn where scores[j] > threshold && (filter == nil || filter!.contains(Int64(rStart + j))) {
                                    local.replaceTop(heapIndex, key: scores[j], id: Int64(rStart + j))
                                    threshold = local.threshold(heapIndex)
                                }
                            }
                        }
                        rStart += rn
                    }
                    qStart += qn
                }
            }
        }
        for part in 1..<workers { heaps.merge(partial[part]) }
    }

    /// ‖x‖² of every row, on every core.
    static func squaredNorms(of storage: VectorStorage) -> [Float] {
        let d = storage.dimension
        let stride = d * 4
        var norms = [Float](repeating: 0, count: storage.rows)
        guard let base = storage.baseAddress else { return norms }
        norms.withUnsafeMutableBufferPointer { out in
            let out = out.baseAddress!
            Parallel.forEachSlice(of: storage.rows, parts: Parallel.workerCount) { _, range in
                for row in range {
                    let p = base + row * stride
                    out[row] = Distances.innerProduct(p, p, d)
                }
            }
        }
        return norms
    }
}
