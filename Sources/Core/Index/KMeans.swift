import CKernels

/// FAISS's `rand_perm(perm, n, seed)`: a Fisher–Yates shuffle of 0..<n driven by `FaissRandomGenerator`.
func faissRandomPermutation(_ n: Int, seed: Int64) -> [Int] {
    var perm = Array(0..<n)
    guard n > 1 else { return perm }
    var rng = FaissRandomGenerator(seed: seed)
    for i in 0..<(n - 1) {
        let j = i + rng.randInt(n - i)
        perm.swapAt(i, j)
    }
    return perm
}

/// Rows `perm[0..<count]` of `x` (row-major, `d` floats a row) copied into a new array,
/// as FAISS's `fvecs_maybe_subsample` and the clustering subsampler do.
func gatherRows(_ x: UnsafePointer<Float>, dimension d: Int, rows: ArraySlice<Int>) -> [Float] {
    [Float](unsafeUninitializedCapacity: rows.count * d) { buffer, initialized in
        var out = buffer.baseAddress!
        for row in rows {
            out.update(from: x + row * d, count: d)
            out += d
        }
        initialized = rows.count * d
    }
}

/// The parameters of FAISS's `ClusteringParameters` that VecTUI uses, with FAISS's defaults.
public struct KMeansParameters: Sendable, Equatable {
    /// Lloyd iterations (FAISS: 25; IVF coarse quantizers use 10).
    public var iterations = 25
    /// Seed of the subsampling and initialisation permutations.
    public var seed: Int64 = 1234
    /// Training sets larger than k × this are subsampled.
    public var maxPointsPerCentroid = 256
    /// Below k × this many points FAISS warns; VecTUI reports it through `KMeans.Result`.
    public var minPointsPerCentroid = 39
    /// Normalise centroids to unit length after each update (FAISS does for inner-product IVF).
    public var spherical = false

    /// FAISS's defaults.
    public init() {}
}

/// Errors from training an index.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    case tooFewPoints(points: Int, clusters: Int)
    case nonFiniteInput
    case notTrained(className: String)
    case unsupported(String)

    public var description: String {
        switch self {
        case let .tooFewPoints(points, clusters):
            return "\(points) training vectors are too few for \(clusters) clusters: at least \(clusters) are needed (FAISS recommends 39 per cluster)"
        case .nonFiniteInput:
            return "the training vectors contain NaN or infinite values"
        case let .notTrained(name):
            return "\(name) must be trained before vectors are added"
        case let .unsupported(what):
            return what
        }
    }
}

/// The best of many candidate scores, eight lanes at a time: the smallest (L2) or largest
/// (inner product) value and its index, the first one on ties, as a sequential scan finds it.
struct SIMDArgBest {
    private var best: SIMD8<Float>
    private var index = SIMD8<Int32>(repeating: -1)
    private var lanes = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7)
    private let smallest: Bool

    init(smallest: Bool) {
        self.smallest = smallest
        best = SIMD8<Float>(repeating: smallest ? .infinity : -.infinity)
    }

    @inline(__always)
    static func lower<V: SIMD>(_ a: V, _ b: V) -> V where V.Scalar: Comparable { a.replacing(with: b, where: b .< a) }

    @inline(__always)
    static func higher<V: SIMD>(_ a: V, _ b: V) -> V where V.Scalar: Comparable { a.replacing(with: b, where: b .> a) }

    /// Offers the next eight candidates (indices continue from the previous call).
    @inline(__always)
    mutating func offer(_ values: SIMD8<Float>) {
        let better = smallest ? values .< best : values .> best
        best.replace(with: values, where: better)
        index.replace(with: lanes, where: better)
        lanes &+= 8
    }

    /// (index, value) of the best candidate; index −1 when none was finite.
    @inline(__always)
    func result() -> (Int, Float) {
        // Reductions by halves with selects (the generic SIMD min/max are not inlined).
        let value: Float
        if smallest {
            let quarter = Self.lower(best.lowHalf, best.highHalf), pair = Self.lower(quarter.lowHalf, quarter.highHalf)
            value = Swift.min(pair[0], pair[1])
        } else {
            let quarter = Self.higher(best.lowHalf, best.highHalf), pair = Self.higher(quarter.lowHalf, quarter.highHalf)
            value = Swift.max(pair[0], pair[1])
        }
        let candidates = index.replacing(with: Int32.max, where: best .!= value)
        let quarter = candidates.lowHalf.replacing(with: candidates.highHalf, where: candidates.highHalf .< candidates.lowHalf)
        let pair = quarter.lowHalf.replacing(with: quarter.highHalf, where: quarter.highHalf .< quarter.lowHalf)
        let i = Swift.min(pair[0], pair[1])
        return (i == Int32.max ? -1 : Int(i), value)
    }
}

/// Centroids prepared for SIMD scoring of one vector against all of them: component-major
/// ([component][centroid]) and, for L2, scaled by −2 beside their squared norms, so that
/// ‖c‖² − 2 x·c ranks them by distance with one multiply-add per component; centroids are
/// padded to a multiple of 8 with ones that never win.
struct TransposedCentroids {
    let dimension: Int
    let count: Int
    let stride: Int
    let metric: Metric
    /// dimension × stride components (× −2 for L2), then stride norms (L2) or biases (IP).
    let values: [Float]

    init(_ centroids: UnsafePointer<Float>, count k: Int, dimension d: Int, metric: Metric) {
        dimension = d
        count = k
        self.metric = metric
        stride = (k + 7) / 8 * 8
        var t = [Float](repeating: 0, count: (d + 1) * stride)
        for c in 0..<k {
            var norm: Float = 0
            for j in 0..<d {
                let v = centroids[c * d + j]
                t[j * stride + c] = metric == .l2 ? -2 * v : v
                norm += v * v
            }
            t[d * stride + c] = metric == .l2 ? norm : 0
        }
        for c in k..<stride { t[d * stride + c] = metric == .l2 ? .infinity : -.infinity }
        values = t
    }

    /// The nearest centroid to `x` and its squared L2 distance (‖x‖² + ‖c‖² − 2x·c, clamped
    /// at 0 as FAISS's BLAS path), or the largest inner product.
    @inline(__always)
    func best(_ x: UnsafePointer<Float>, _ t: UnsafePointer<Float>) -> (Int, Float) {
        Self.best(x, t, dimension: dimension, stride: stride, l2: metric == .l2)
    }

    /// `best` on a table given by pointer and shape (no copies in hot loops).
    @inline(__always)
    static func best(_ x: UnsafePointer<Float>, _ t: UnsafePointer<Float>, dimension: Int, stride: Int, l2: Bool,
                     level: SIMDLevel = CPUFeatures.simd) -> (Int, Float) {
        #if arch(x86_64)
        if level >= .avx2 {
            var score: Float = 0
            let label = level == .avx512
                ? Int(vectui_best_of_table_avx512(x, t, dimension, stride, l2 ? 1 : 0, &score))
                : Int(vectui_best_of_table_avx2(x, t, dimension, stride, l2 ? 1 : 0, &score))
            guard l2 else { return (label, score) }
            var xNorm: Float = 0
            for j in 0..<dimension { xNorm += x[j] * x[j] }
            return (label, Swift.max(0, score + xNorm))
        }
        #endif
        var arg = SIMDArgBest(smallest: l2)
        let bias = t + dimension &* stride
        var c = 0
        while c < stride {
            var acc = UnsafeRawPointer(bias + c).loadUnaligned(as: SIMD8<Float>.self)
            var row = t + c
            for j in 0..<dimension {
                acc += SIMD8<Float>(repeating: x[j]) * UnsafeRawPointer(row).loadUnaligned(as: SIMD8<Float>.self)
                row += stride
            }
            arg.offer(acc)
            c &+= 8
        }
        let (label, score) = arg.result()
        guard l2 else { return (label, score) }
        var xNorm: Float = 0
        for j in 0..<dimension { xNorm += x[j] * x[j] }
        return (label, Swift.max(0, score + xNorm))
    }
}

/// Nearest-centroid assignment: for small dimensions exact distances with SIMD over the
/// centroids; otherwise BLAS, ‖x‖² + ‖c‖² − 2 x·c (clamped at 0) for L2 and x·c for inner
/// product, in blocks of 4,096 points × 1,024 centroids as FAISS's `exhaustive_*_blas`.
enum NearestCentroid {
    static let pointBlock = 4096
    static let centroidBlock = 1024
    /// Up to this dimension the direct SIMD path beats sgemm (whose output tile dominates).
    static let directMaxDimension = 16

    /// Fills `labels[i]` with the best centroid of row i and `scores[i]` with its distance (L2)
    /// or inner product; ties go to the lower centroid number. `progress(rowsDone)` after each
    /// block; false cancels.
    static func assign(_ x: UnsafePointer<Float>, count n: Int, dimension d: Int,
                       centroids: UnsafePointer<Float>, clusters k: Int, metric: Metric,
                       labels: UnsafeMutablePointer<Int>, scores: UnsafeMutablePointer<Float>,
                       progress: (Int) -> Bool = { _ in true }) throws {
        guard n > 0 else { return }
        guard k > 0 else {
            labels.update(repeating: -1, count: n)
            scores.update(repeating: metric.sentinelScore, count: n)
            return
        }
        if d <= directMaxDimension {
            let transposed = TransposedCentroids(centroids, count: k, dimension: d, metric: metric)
            var start = 0
            try transposed.values.withUnsafeBufferPointer { t in
                let t = t.baseAddress!
                while start < n {
                    let rows = min(pointBlock * 4, n - start)
                    let first = start
                    Parallel.forEachSlice(of: rows, parts: rows * k < 1 << 14 ? 1 : Parallel.workerCount) { _, range in
                        for i in range {
                            let (label, score) = transposed.best(x + (first + i) * d, t)
                            labels[first + i] = label
                            scores[first + i] = label < 0 ? metric.sentinelScore : score
                        }
                    }
                    start += rows
                    guard progress(start) else { throw CancellationError() }
                }
            }
            return
        }
        var centroidNorms = [Float](repeating: 0, count: k)
        if metric == .l2 {
            for c in 0..<k { centroidNorms[c] = Distances.innerProduct(centroids + c * d, centroids + c * d, d) }
        }
        let bx = min(n, pointBlock), by = min(k, centroidBlock)
        let tile = UnsafeMutablePointer<Float>.allocate(capacity: bx * by + 8)
        defer { tile.deallocate() }
        var start = 0
        while start < n {
            let rows = min(bx, n - start)
            let block = x + start * d
            for i in 0..<rows {
                labels[start + i] = -1
                scores[start + i] = metric.sentinelScore
            }
            var c0 = 0
            while c0 < k {
                let cn = min(by, k - c0)
                BLAS.multiplyTransposedOnAllCores(block, rows: rows, centroids + c0 * d, rows: cn, depth: d,
                                                  into: tile, rowStride: cn)
                let firstCentroid = c0
                let parts = rows * cn < 1 << 15 ? 1 : Parallel.workerCount
                centroidNorms.withUnsafeBufferPointer { norms in
                    let norms = norms.baseAddress! + firstCentroid
                    Parallel.forEachSlice(of: rows, parts: parts) { _, range in
                        for i in range {
                            let ips = tile + i * cn
                            var arg = SIMDArgBest(smallest: metric == .l2)
                            let p = block + i * d
                            let xNorm = SIMD8<Float>(repeating: metric == .l2 ? Distances.innerProduct(p, p, d) : 0)
                            var j = 0
                            while j + 8 <= cn {
                                let ip = UnsafeRawPointer(ips + j).loadUnaligned(as: SIMD8<Float>.self)
                                if metric == .l2 {
                                    let norm = UnsafeRawPointer(norms + j).loadUnaligned(as: SIMD8<Float>.self)
                                    // ‖x‖² + ‖c‖² − 2 x·c, clamped at 0 as FAISS does.
                                    let distance = xNorm + norm - 2 * ip
                                    arg.offer(distance.replacing(with: 0, where: distance .< 0))
                                } else {
                                    arg.offer(ip)
                                }
                                j += 8
                            }
                            var (label, best) = arg.result()
                            if label >= 0 { label += firstCentroid }
                            while j < cn {
                                let score = metric == .l2 ? max(0, xNorm[0] + norms[j] - 2 * ips[j]) : ips[j]
                                if label < 0 || (metric == .l2 ? score < best : score > best) {
                                    best = score
                                    label = firstCentroid + j
                                }
                                j += 1
                            }
                            let previous = scores[start + i]
                            if label >= 0 && (labels[start + i] < 0 || (metric == .l2 ? best < previous : best > previous)) {
                                scores[start + i] = best
                                labels[start + i] = label
                            }
                        }
                    }
                }
                c0 += cn
            }
            start += rows
            guard progress(start) else { throw CancellationError() }
        }
    }
}

/// FAISS's k-means (`faiss::Clustering::train` with a flat index): subsampling to
/// `maxPointsPerCentroid × k` points with `rand_perm(seed)`, initial centroids from
/// `rand_perm(seed + 1)`, Lloyd iterations with BLAS assignment, empty clusters split off
/// large ones with FAISS's random choice and ±1/1024 perturbation, and (spherical) renormalisation.
public enum KMeans {
    /// What training produced.
    public struct Result: Sendable {
        /// k × d centroids, row-major.
        public var centroids: [Float]
        /// Points actually clustered (after subsampling).
        public var pointsUsed: Int
        /// Sum of distances (or inner products) of the last assignment, per iteration.
        public var objectives: [Float]
        /// Empty clusters split, summed over iterations.
        public var splits: Int
        /// True when fewer than `minPointsPerCentroid × k` points were given (FAISS warns).
        public var tooFewPointsWarning: Bool
    }

    /// Clusters `n` rows of `x` into `k` centroids.
    /// - Parameters:
    ///   - metric: the assignment metric (L2, or inner product for IVF over inner product).
    ///   - progress: (points assigned so far, points × iterations); false cancels.
    /// - Throws: `TrainingError` for too few or non-finite points, `CancellationError`.
    public static func train(_ x: UnsafePointer<Float>, count n: Int, dimension d: Int, clusters k: Int,
                             metric: Metric = .l2, parameters: KMeansParameters = KMeansParameters(),
                             progress: ProgressHandler = { _, _ in true }) throws -> Result {
        guard k >= 1, n >= k else { throw TrainingError.tooFewPoints(points: n, clusters: k) }
        for i in 0..<(n * d) where !x[i].isFinite { throw TrainingError.nonFiniteInput }

        var sample: [Float]? = nil
        var nx = n
        if n > k * parameters.maxPointsPerCentroid {
            let perm = faissRandomPermutation(n, seed: parameters.seed)
            nx = k * parameters.maxPointsPerCentroid
            sample = gatherRows(x, dimension: d, rows: perm[0..<nx])
        }
        let warning = nx < k * parameters.minPointsPerCentroid

        func run(_ points: UnsafePointer<Float>) throws -> Result {
            if nx == k {
                return Result(centroids: Array(UnsafeBufferPointer(start: points, count: k * d)), pointsUsed: nx,
                              objectives: [0], splits: 0, tooFewPointsWarning: warning)
            }
            let perm = faissRandomPermutation(nx, seed: parameters.seed + 1)
            var centroids = gatherRows(points, dimension: d, rows: perm[0..<k])
            if parameters.spherical { normalise(&centroids, k, d) }
            var labels = [Int](repeating: 0, count: nx)
            var scores = [Float](repeating: 0, count: nx)
            var objectives = [Float]()
            var splits = 0
            let total = nx * parameters.iterations
            for iteration in 0..<parameters.iterations {
                let base = iteration * nx
                try centroids.withUnsafeBufferPointer { c in
                    try labels.withUnsafeMutableBufferPointer { l in
                        try scores.withUnsafeMutableBufferPointer { s in
                            try NearestCentroid.assign(points, count: nx, dimension: d, centroids: c.baseAddress!, clusters: k,
                                                       metric: metric, labels: l.baseAddress!, scores: s.baseAddress!,
                                                       progress: { done in progress(base + done, total) })
                        }
                    }
                }
                var objective: Float = 0
                for s in scores { objective += s }
                objectives.append(objective)
                var counts = computeCentroids(points, nx, d, k, labels, &centroids)
                splits += splitClusters(d, k, nx, &counts, &centroids)
                if parameters.spherical { normalise(&centroids, k, d) }
            }
            if parameters.iterations == 0 { guard progress(0, 0) else { throw CancellationError() } }
            return Result(centroids: centroids, pointsUsed: nx, objectives: objectives, splits: splits,
                          tooFewPointsWarning: warning)
        }
        if let sample { return try sample.withUnsafeBufferPointer { try run($0.baseAddress!) } }
        return try run(x)
    }

    /// Means of the assigned points (FAISS's `compute_centroids`: float sums, then × 1/count).
    private static func computeCentroids(_ x: UnsafePointer<Float>, _ n: Int, _ d: Int, _ k: Int,
                                         _ labels: [Int], _ centroids: inout [Float]) -> [Float] {
        var counts = [Float](repeating: 0, count: k)
        centroids.withUnsafeMutableBufferPointer { c in
            let c = c.baseAddress!
            c.update(repeating: 0, count: k * d)
            for i in 0..<n {
                let label = labels[i]
                guard label >= 0 else { continue }
                counts[label] += 1
                let row = x + i * d, out = c + label * d
                for j in 0..<d { out[j] += row[j] }
            }
            for ci in 0..<k where counts[ci] != 0 {
                let norm = 1 / counts[ci]
                let out = c + ci * d
                for j in 0..<d { out[j] *= norm }
            }
        }
        return counts
    }

    /// FAISS's `split_clusters`: each empty cluster takes a copy of a cluster picked with
    /// probability (size − 1)/(n − k), both nudged apart by ±1/1024 on alternate components.
    private static func splitClusters(_ d: Int, _ k: Int, _ n: Int, _ counts: inout [Float],
                                      _ centroids: inout [Float]) -> Int {
        let eps = 1.0 / 1024.0
        var rng = FaissRandomGenerator(seed: 1234)
        var splits = 0
        let denominator = Double(Float(n - k))
        for ci in 0..<k where counts[ci] == 0 {
            var cj = 0
            while true {
                let p = Float((Double(counts[cj]) - 1.0) / denominator)
                let r = rng.randFloat()
                if r < p { break }
                cj = (cj + 1) % k
            }
            for j in 0..<d {
                centroids[ci * d + j] = centroids[cj * d + j]
            }
            for j in 0..<d {
                if j % 2 == 0 {
                    centroids[ci * d + j] = Float(Double(centroids[ci * d + j]) * (1 + eps))
                    centroids[cj * d + j] = Float(Double(centroids[cj * d + j]) * (1 - eps))
                } else {
                    centroids[ci * d + j] = Float(Double(centroids[ci * d + j]) * (1 - eps))
                    centroids[cj * d + j] = Float(Double(centroids[cj * d + j]) * (1 + eps))
                }
            }
            counts[ci] = counts[cj] / 2
            counts[cj] -= counts[ci]
            splits += 1
        }
        return splits
    }

    /// FAISS's `fvec_renorm_L2`: each row scaled to unit length (zero rows are left alone).
    static func normalise(_ x: inout [Float], _ n: Int, _ d: Int) {
        x.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            for i in 0..<n {
                let row = base + i * d
                let norm = Distances.innerProduct(row, row, d).squareRoot()
                if norm > 0 {
                    let inverse = 1 / norm
                    for j in 0..<d { row[j] *= inverse }
                }
            }
        }
    }
}
