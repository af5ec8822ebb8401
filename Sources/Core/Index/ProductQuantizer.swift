import CKernels
/// FAISS's `ProductQuantizer`: the vector is cut into `m` sub-vectors of `d/m` components, each
/// replaced by the number of its nearest centroid in a codebook of 2^nbits; codes are the
/// sub-codes packed LSB-first into ⌈m·nbits/8⌉ bytes (faiss-format.md §10.1).
public final class ProductQuantizer {
    public let dimension: Int
    /// Number of sub-quantizers (FAISS `M`).
    public let m: Int
    /// Bits per sub-code.
    public let nbits: Int
    /// Centroids per sub-quantizer (2^nbits).
    public let ksub: Int
    /// Components per sub-vector.
    public let dsub: Int
    /// Bytes per code.
    public let codeSize: Int
    /// m × ksub × dsub floats ([sub-quantizer][centroid][component]); zeros until trained.
    public private(set) var centroids: [Float]
    // Per sub-quantizer, the centroids prepared for SIMD scoring (`TransposedCentroids`
    // layout: dsub rows of −2c, then ‖c‖², each `preparedStride` wide), back to back.
    // Allocated when centroids are set (trained or read): nothing for an untrained quantizer.
    private var prepared: UnsafeMutablePointer<Float>?
    private let preparedStride: Int

    /// Whether `m` and `nbits` are valid for dimension `d` (FAISS: d % M == 0, 1 ≤ nbits ≤ 24).
    /// - Returns: nil, or the error naming the parameter at fault.
    public static func validate(dimension d: Int, m: Int, nbits: Int) -> IndexParameterError? {
        if m < 1 { return IndexParameterError("M must be at least 1 (got \(m))") }
        if d % m != 0 { return IndexParameterError("the dimension \(d) is not a multiple of M = \(m)") }
        if nbits < 1 || nbits > 24 { return IndexParameterError("nbits must be between 1 and 24 (got \(nbits))") }
        return nil
    }

    /// A quantizer with FAISS's centroid table, or all-zero centroids (untrained, as FAISS
    /// allocates and saves them).
    /// - Precondition: `validate(dimension:m:nbits:)` accepts the shape; centroids nil or d·2^nbits floats.
    public init(dimension: Int, m: Int, nbits: Int, centroids: [Float]? = nil) {
        precondition(Self.validate(dimension: dimension, m: m, nbits: nbits) == nil)
        self.dimension = dimension
        self.m = m
        self.nbits = nbits
        ksub = 1 << nbits
        dsub = dimension / m
        codeSize = (m * nbits + 7) / 8
        preparedStride = (ksub + 7) / 8 * 8
        self.centroids = []
        if let centroids { setCentroids(centroids) }
    }

    deinit { prepared?.deallocate() }

    /// Whether codebooks are set (trained, or read from a file). Until then `centroids` is
    /// empty — nothing of d × 2^nbits floats is allocated — and a file written holds FAISS's
    /// all-zero table for it.
    public var hasCentroids: Bool { !centroids.isEmpty }

    /// Sub-quantizer `sub`'s prepared table.
    @inline(__always)
    private func preparedTable(_ sub: Int) -> UnsafePointer<Float> {
        UnsafePointer(prepared! + sub * (dsub + 1) * preparedStride)
    }

    private func setCentroids(_ values: [Float]) {
        precondition(values.count == dimension * ksub)
        centroids = values
        if prepared == nil { prepared = .allocate(capacity: max(1, m * (dsub + 1) * preparedStride)) }
        let prepared = self.prepared!
        values.withUnsafeBufferPointer { c in
            for sub in 0..<m {
                let t = TransposedCentroids(c.baseAddress! + sub * ksub * dsub, count: ksub, dimension: dsub, metric: .l2)
                t.values.withUnsafeBufferPointer {
                    (prepared + sub * (dsub + 1) * preparedStride).update(from: $0.baseAddress!, count: (dsub + 1) * preparedStride)
                }
            }
        }
    }

    /// Trains the codebooks: FAISS's `Train_default`, one k-means (25 iterations, seed 1234, at
    /// most 256 points per centroid) per sub-quantizer on that slice of the vectors.
    /// - Parameter progress: (sub-quantizers × points done, total); false cancels.
    /// - Throws: `TrainingError` (fewer than ksub vectors), `CancellationError`.
    public func train(_ x: UnsafePointer<Float>, count n: Int, progress: ProgressHandler = { _, _ in true }) throws {
        guard n >= ksub else { throw TrainingError.tooFewPoints(points: n, clusters: ksub) }
        var result = [Float](repeating: 0, count: dimension * ksub)
        var slice = [Float](repeating: 0, count: n * dsub)
        var parameters = KMeansParameters()
        parameters.iterations = 25
        let perSub = min(n, ksub * parameters.maxPointsPerCentroid) * parameters.iterations
        for sub in 0..<m {
            slice.withUnsafeMutableBufferPointer { s in
                for i in 0..<n { (s.baseAddress! + i * dsub).update(from: x + i * dimension + sub * dsub, count: dsub) }
            }
            let trained = try slice.withUnsafeBufferPointer { s in
                try KMeans.train(s.baseAddress!, count: n, dimension: dsub, clusters: ksub, metric: .l2, parameters: parameters,
                                 progress: { done, _ in progress(sub * perSub + done, m * perSub) })
            }
            for i in 0..<(ksub * dsub) { result[sub * ksub * dsub + i] = trained.centroids[i] }
        }
        setCentroids(result)
    }

    // MARK: - Coding

    /// Codes `n` vectors (row-major) into `n × codeSize` bytes: per sub-vector the nearest
    /// centroid (by ‖c‖² − 2x·c, the first on ties), as FAISS's `compute_codes`.
    public func encode(_ x: UnsafePointer<Float>, count n: Int, into codes: UnsafeMutablePointer<UInt8>) {
        let chunk = 256
        let parts = n * dimension * ksub < 1 << 20 ? 1 : Parallel.workerCount
        let stride = preparedStride
        Parallel.forEachSlice(of: (n + chunk - 1) / chunk, parts: parts) { _, blocks in
            for block in blocks {
                for i in (block * chunk)..<min(n, (block + 1) * chunk) {
                    var writer = PQCodeWriter(codes + i * codeSize, codeSize: codeSize, nbits: nbits)
                    for sub in 0..<m {
                        let (best, _) = TransposedCentroids.best(x + i * dimension + sub * dsub, preparedTable(sub),
                                                                 dimension: dsub, stride: stride, l2: true)
                        writer.write(UInt32(max(0, best)))
                    }
                }
            }
        }
    }

    /// Decodes one code into its centroids' concatenation.
    public func decode(_ code: UnsafeRawPointer, into x: UnsafeMutablePointer<Float>) {
        var reader = PQCodeReader(code.assumingMemoryBound(to: UInt8.self), nbits: nbits)
        centroids.withUnsafeBufferPointer { c in
            for sub in 0..<m {
                let k = Int(reader.next())
                (x + sub * dsub).update(from: c.baseAddress! + (sub * ksub + k) * dsub, count: dsub)
            }
        }
    }

    /// Decodes one code into a new array.
    public func decode(_ code: UnsafeRawPointer) -> [Float] {
        [Float](unsafeUninitializedCapacity: dimension) { buffer, initialized in
            if dimension > 0 { decode(code, into: buffer.baseAddress!) }
            initialized = dimension
        }
    }

    // MARK: - Lookup tables

    /// table[sub·ksub + k] = ‖x_sub − c_sub,k‖² (FAISS's `compute_distance_table`), from exact
    /// differences (c = −½ · (−2c) is exact), eight centroids at a time.
    func distanceTable(_ x: UnsafePointer<Float>, into table: UnsafeMutablePointer<Float>) {
        fillTables(x, into: table, l2: true)
    }

    /// table[sub·ksub + k] = ⟨x_sub, c_sub,k⟩ (FAISS's `compute_inner_prod_table`), eight
    /// centroids at a time (from the −2c table: scaling by −½ is exact).
    func innerProductTable(_ x: UnsafePointer<Float>, into table: UnsafeMutablePointer<Float>) {
        fillTables(x, into: table, l2: false)
    }

    /// Both tables, with the kernels of `level` (the process's by default; every level gives the
    /// same bits).
    func fillTables(_ x: UnsafePointer<Float>, into table: UnsafeMutablePointer<Float>, l2: Bool,
                    level: SIMDLevel = CPUFeatures.simd) {
        let stride = preparedStride, ksub = self.ksub, dsub = self.dsub
        #if arch(x86_64)
        if level >= .avx512 {
            for sub in 0..<m {
                vectui_pq_table_avx512(x + sub * dsub, preparedTable(sub), dsub, stride, ksub, l2 ? 1 : 0, table + sub * ksub)
            }
            return
        }
        #endif
        for sub in 0..<m {
            let t = preparedTable(sub)
            let xs = x + sub * dsub
            let out = table + sub * ksub
            var c = 0
            while c < stride {
                var acc = SIMD8<Float>()
                var row = t + c
                for j in 0..<dsub {
                    let scaled = UnsafeRawPointer(row).loadUnaligned(as: SIMD8<Float>.self)
                    if l2 {
                        let diff = SIMD8<Float>(repeating: xs[j]) + scaled * 0.5
                        acc += diff * diff
                    } else {
                        acc += SIMD8<Float>(repeating: xs[j]) * scaled
                    }
                    row += stride
                }
                let values = l2 ? acc : acc * -0.5
                if c + 8 <= ksub {
                    UnsafeMutableRawPointer(out + c).storeBytes(of: values, as: SIMD8<Float>.self)
                } else {
                    for lane in 0..<(ksub - c) { out[c + lane] = values[lane] }
                }
                c += 8
            }
        }
    }

    /// Σ over sub-quantizers of table[sub][code_sub] for `count` codes, best candidates pushed to
    /// `heaps` query `q` with key = `sign` · (bias + sum) (sign −1 for distances).
    @inline(__always)
    func scan(codes: UnsafeRawPointer, ids: UnsafeRawPointer?, count: Int, table: UnsafePointer<Float>, bias: Float,
              sign: Float, heaps: TopKHeaps, query q: Int, firstID: Int64, filter: IDFilter? = nil) {
        guard count > 0 else { return }
        let cs = codeSize
        var threshold = heaps.threshold(q)
        @inline(__always) func offer(_ i: Int, _ sum: Float) {
            let key = sign * (bias + sum)
            if key > threshold {
                let id = ids.map { $0.loadUnaligned(fromByteOffset: i &* 8, as: Int64.self) } ?? (firstID + Int64(i))
                if let filter, !filter.contains(id) { return }
                heaps.replaceTop(q, key: key, id: id)
                threshold = heaps.threshold(q)
            }
        }
        let bytes = codes.assumingMemoryBound(to: UInt8.self)
        if nbits == 8 {
            let m = self.m
            var i = 0
            while i &+ 4 <= count {
                let c0 = bytes + i &* cs, c1 = c0 + cs, c2 = c1 + cs, c3 = c2 + cs
                var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
                var t = table
                for sub in 0..<m {
                    s0 += t[Int(c0[sub])]
                    s1 += t[Int(c1[sub])]
                    s2 += t[Int(c2[sub])]
                    s3 += t[Int(c3[sub])]
                    t += 256
                }
                offer(i, s0)
                offer(i &+ 1, s1)
                offer(i &+ 2, s2)
                offer(i &+ 3, s3)
                i &+= 4
            }
            while i < count {
                let c = bytes + i &* cs
                var s: Float = 0
                for sub in 0..<m { s += table[sub &* 256 &+ Int(c[sub])] }
                offer(i, s)
                i &+= 1
            }
        } else {
            for i in 0..<count {
                var reader = PQCodeReader(bytes + i &* cs, nbits: nbits)
                var s: Float = 0
                var t = table
                for _ in 0..<m {
                    s += t[Int(reader.next())]
                    t += ksub
                }
                offer(i, s)
            }
        }
    }
}

/// Writes sub-codes of `nbits` bits LSB-first (FAISS's `PQEncoderGeneric`).
struct PQCodeWriter {
    private let code: UnsafeMutablePointer<UInt8>
    private let nbits: Int
    private var bitOffset = 0

    init(_ code: UnsafeMutablePointer<UInt8>, codeSize: Int, nbits: Int) {
        self.code = code
        self.nbits = nbits
        code.update(repeating: 0, count: codeSize)
    }

    @inline(__always)
    mutating func write(_ value: UInt32) {
        var v = UInt64(value) << UInt64(bitOffset & 7)
        var byte = bitOffset >> 3
        var bitsLeft = nbits + (bitOffset & 7)
        while bitsLeft > 0 {
            code[byte] |= UInt8(truncatingIfNeeded: v)
            v >>= 8
            byte += 1
            bitsLeft -= 8
        }
        bitOffset += nbits
    }
}

/// Reads sub-codes of `nbits` bits LSB-first (FAISS's `PQDecoderGeneric`).
struct PQCodeReader {
    private let code: UnsafePointer<UInt8>
    private let nbits: Int
    private let mask: UInt64
    private var bitOffset = 0

    init(_ code: UnsafePointer<UInt8>, nbits: Int) {
        self.code = code
        self.nbits = nbits
        mask = (1 << UInt64(nbits)) - 1
    }

    @inline(__always)
    mutating func next() -> UInt32 {
        if nbits == 8 {
            defer { bitOffset &+= 8 }
            return UInt32(code[bitOffset >> 3])
        }
        let first = bitOffset >> 3
        let shift = bitOffset & 7
        let bytes = (shift + nbits + 7) >> 3
        var v: UInt64 = 0
        for b in 0..<bytes { v |= UInt64(code[first + b]) << UInt64(8 * b) }
        bitOffset &+= nbits
        return UInt32(truncatingIfNeeded: (v >> UInt64(shift)) & mask)
    }
}
