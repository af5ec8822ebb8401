import CKernels
/// FAISS's `ScalarQuantizer`: each component coded on its own in 4, 6 or 8 bits over a trained
/// range (per dimension, or one range for all), or as fp16/bf16, or as a raw byte. Codes are
/// bit-identical to FAISS's (faiss-format.md §9.1); decoding follows FAISS's scalar formulas.
public final class ScalarQuantizer {
    /// FAISS's `QuantizerType` values VecTUI codes and decodes.
    public enum QuantizerType: Int32, CaseIterable, Sendable, CustomStringConvertible {
        case int8 = 0
        case int4 = 1
        case int8Uniform = 2
        case int4Uniform = 3
        case fp16 = 4
        case int8Direct = 5
        case int6 = 6
        case bf16 = 7
        case int8DirectSigned = 8

        /// FAISS's enum name (`QT_8bit`, …).
        public var description: String {
            switch self {
            case .int8: return "QT_8bit"
            case .int4: return "QT_4bit"
            case .int8Uniform: return "QT_8bit_uniform"
            case .int4Uniform: return "QT_4bit_uniform"
            case .fp16: return "QT_fp16"
            case .int8Direct: return "QT_8bit_direct"
            case .int6: return "QT_6bit"
            case .bf16: return "QT_bf16"
            case .int8DirectSigned: return "QT_8bit_direct_signed"
            }
        }

        /// Bytes per vector of dimension `d`.
        public func codeSize(dimension d: Int) -> Int {
            switch self {
            case .int8, .int8Uniform, .int8Direct, .int8DirectSigned: return d
            case .int4, .int4Uniform: return (d + 1) / 2
            case .int6: return (d * 6 + 7) / 8
            case .fp16, .bf16: return 2 * d
            }
        }

        /// Floats of training result for dimension `d` (0 for the types that need no training).
        public func trainedCount(dimension d: Int) -> Int {
            switch self {
            case .int8, .int4, .int6: return 2 * d
            case .int8Uniform, .int4Uniform: return 2
            case .fp16, .bf16, .int8Direct, .int8DirectSigned: return 0
            }
        }

        /// Whether codes depend on a trained range.
        public var needsTraining: Bool { trainedCount(dimension: 1) > 0 }

        /// Quantisation levels − 1 (255, 63 or 15) for the range-coded types.
        var levels: Float {
            switch self {
            case .int8, .int8Uniform: return 255
            case .int6: return 63
            case .int4, .int4Uniform: return 15
            default: return 1
            }
        }

        var isUniform: Bool { self == .int8Uniform || self == .int4Uniform }

        /// FAISS's names of the qtypes VecTUI does not code (1.15 added TurboQuant and EDEN types).
        static func faissName(rawValue: Int32) -> String? {
            if let known = QuantizerType(rawValue: rawValue) { return known.description }
            switch rawValue {
            case 9: return "QT_0bit"
            case 10...14: return "QT_\([1, 2, 3, 4, 8][Int(rawValue) - 10])bit_tqmse"
            case 15...18: return "QT_\(rawValue - 13)bit_tq"
            case 19...26: return "QT_\(rawValue - 18)bit_eden"
            default: return nil
            }
        }
    }

    /// How training picks the range (FAISS's `RangeStat`).
    public enum RangeStat: Int32, Sendable {
        case minMax = 0
        case meanStd = 1
        case quantiles = 2
        case optim = 3
    }

    /// How components are coded.
    public let type: QuantizerType
    /// Vector dimension.
    public let dimension: Int
    /// How training picks the range.
    public let rangeStat: RangeStat
    /// The range statistic's argument (FAISS `rangestat_arg`; 0 by default).
    public let rangeStatArg: Float
    /// Bytes per coded vector.
    public let codeSize: Int
    /// vmin then vdiff (per dimension, or one of each for uniform types); empty until trained.
    public private(set) var trained: [Float]
    // A stable copy of `trained` for the decoding kernels.
    private var parameters: UnsafeMutablePointer<Float>

    /// A quantizer; `trained` empty (untrained) or as a file or `train` gives it.
    public init(type: QuantizerType, dimension: Int, rangeStat: RangeStat = .minMax, rangeStatArg: Float = 0,
                trained: [Float] = []) {
        self.type = type
        self.dimension = dimension
        self.rangeStat = rangeStat
        self.rangeStatArg = rangeStatArg
        codeSize = type.codeSize(dimension: dimension)
        self.trained = []
        parameters = .allocate(capacity: max(1, type.trainedCount(dimension: dimension)))
        parameters.initialize(repeating: 0, count: max(1, type.trainedCount(dimension: dimension)))
        if !trained.isEmpty { setTrained(trained) }
    }

    deinit { parameters.deallocate() }

    /// Whether the quantizer can code vectors.
    public var isTrained: Bool { trained.count == type.trainedCount(dimension: dimension) }

    private func setTrained(_ values: [Float]) {
        precondition(values.count == type.trainedCount(dimension: dimension))
        trained = values
        values.withUnsafeBufferPointer { parameters.update(from: $0.baseAddress!, count: values.count) }
    }

    // MARK: - Training (faiss/impl/scalar_quantizer/training.cpp)

    /// Learns the range from `n` vectors (FAISS's `ScalarQuantizer::train`); a no-op for the
    /// types that need none.
    public func train(_ x: UnsafePointer<Float>, count n: Int) {
        let d = dimension
        guard type.needsTraining, n > 0 else { return }
        let k = Int(type.levels) + 1
        if type.isUniform {
            setTrained(Self.trainUniform(rangeStat, rangeStatArg, UnsafeBufferPointer(start: x, count: n * d), k))
            return
        }
        var vmin = [Float](repeating: 0, count: d), vdiff = [Float](repeating: 0, count: d)
        if rangeStat == .minMax {
            var vmax = [Float](repeating: 0, count: d)
            for j in 0..<d { vmin[j] = x[j]; vmax[j] = x[j] }
            for i in 1..<n {
                let row = x + i * d
                for j in 0..<d {
                    if row[j] < vmin[j] { vmin[j] = row[j] }
                    if row[j] > vmax[j] { vmax[j] = row[j] }
                }
            }
            for j in 0..<d {
                let expand = (vmax[j] - vmin[j]) * rangeStatArg
                vmin[j] -= expand
                vmax[j] += expand
                vdiff[j] = vmax[j] - vmin[j]
            }
        } else {
            // FAISS transposes from row 1 (row 0 reads as zeros); kept so the ranges match its own.
            var column = [Float](repeating: 0, count: n)
            for j in 0..<d {
                for i in 1..<max(1, n) { column[i] = x[i * d + j] }
                let range = column.withUnsafeBufferPointer { Self.trainUniform(rangeStat, rangeStatArg, $0, k) }
                vmin[j] = range[0]
                vdiff[j] = range[1]
            }
        }
        setTrained(vmin + vdiff)
    }

    /// FAISS's `train_Uniform`: (vmin, vmax − vmin) of all values.
    private static func trainUniform(_ rs: RangeStat, _ arg: Float, _ x: UnsafeBufferPointer<Float>, _ k: Int) -> [Float] {
        let n = x.count
        var vmin: Float = .infinity, vmax: Float = -.infinity
        switch rs {
        case .minMax:
            for v in x {
                if v < vmin { vmin = v }
                if v > vmax { vmax = v }
            }
            let expand = (vmax - vmin) * arg
            vmin -= expand
            vmax += expand
        case .meanStd:
            var sum = 0.0, sum2 = 0.0
            for v in x {
                sum += Double(v)
                sum2 += Double(v * v)
            }
            let mean = Float(sum / Double(n))
            let variance = Float(sum2 / Double(n)) - mean * mean
            let std: Float = variance <= 0 ? 1 : variance.squareRoot()
            vmin = mean - std * arg
            vmax = mean + std * arg
        case .quantiles:
            let sorted = x.sorted()
            var o = Int(arg * Float(n))
            if o < 0 { o = 0 }
            if o > n - o { o = n / 2 }
            vmin = sorted[o]
            vmax = sorted[n - 1 - o]
        case .optim:
            var sx: Float = 0
            for v in x {
                if v < vmin { vmin = v }
                if v > vmax { vmax = v }
                sx += v
            }
            var b = vmin, a = (vmax - vmin) / Float(k - 1)
            var lastError: Float = -1
            var repeats = 0
            for _ in 0..<2000 {
                var sn: Float = 0, sn2: Float = 0, sxn: Float = 0, err: Float = 0
                for xi in x {
                    var ni = ((xi - b) / a + 0.5).rounded(.down)
                    if ni < 0 { ni = 0 }
                    if ni >= Float(k) { ni = Float(k - 1) }
                    err += (xi - (ni * a + b)) * (xi - (ni * a + b))
                    sn += ni
                    sn2 += ni * ni
                    sxn += ni * xi
                }
                if err == lastError {
                    repeats += 1
                    if repeats == 16 { break }
                } else {
                    lastError = err
                    repeats = 0
                }
                let det = sn * sn - sn2 * Float(n)
                b = (sn * sxn - sn2 * sx) / det
                a = (sn * sx - Float(n) * sxn) / det
            }
            vmin = b
            vmax = b + a * Float(k - 1)
        }
        return [vmin, vmax - vmin]
    }

    // MARK: - Coding

    /// Codes one vector into `codeSize` bytes, exactly as FAISS does.
    public func encode(_ x: UnsafePointer<Float>, into code: UnsafeMutablePointer<UInt8>) {
        let d = dimension
        code.update(repeating: 0, count: codeSize)
        switch type {
        case .fp16:
            for i in 0..<d { (UnsafeMutableRawPointer(code) + 2 * i).storeBytes(of: Float16(x[i]).bitPattern.littleEndian, as: UInt16.self) }
        case .bf16:
            for i in 0..<d {
                let bits = UInt16(truncatingIfNeeded: (x[i].bitPattern &+ 0x8000) >> 16)
                (UnsafeMutableRawPointer(code) + 2 * i).storeBytes(of: bits.littleEndian, as: UInt16.self)
            }
        case .int8Direct:
            for i in 0..<d { code[i] = Self.truncatedByte(x[i]) }
        case .int8DirectSigned:
            for i in 0..<d { code[i] = Self.truncatedByte(x[i] + 128) }
        case .int8, .int8Uniform, .int4, .int4Uniform, .int6:
            let uniform = type.isUniform
            let levels = type.levels
            for i in 0..<d {
                let vmin = parameters[uniform ? 0 : i]
                let vdiff = parameters[uniform ? 1 : d + i]
                var t: Float = 0
                if vdiff != 0 {
                    t = (x[i] - vmin) / vdiff
                    if !(t >= 0) { t = 0 }
                    if t > 1 { t = 1 }
                }
                let level = UInt32(levels * t)
                switch type {
                case .int8, .int8Uniform: code[i] = UInt8(level)
                case .int4, .int4Uniform: code[i / 2] |= UInt8(level << ((i & 1) << 2))
                default: Self.put6(level, code, i)
                }
            }
        }
    }

    /// C's truncating float → uint8_t for in-range values; out-of-range and NaN clamp (C leaves them undefined).
    private static func truncatedByte(_ v: Float) -> UInt8 {
        guard v >= 0 else { return 0 }
        return v >= 255 ? 255 : UInt8(v)
    }

    private static func put6(_ bits: UInt32, _ code: UnsafeMutablePointer<UInt8>, _ i: Int) {
        let c = code + (i >> 2) * 3
        switch i & 3 {
        case 0: c[0] |= UInt8(truncatingIfNeeded: bits)
        case 1:
            c[0] |= UInt8(truncatingIfNeeded: bits << 6)
            c[1] |= UInt8(truncatingIfNeeded: bits >> 2)
        case 2:
            c[1] |= UInt8(truncatingIfNeeded: bits << 4)
            c[2] |= UInt8(truncatingIfNeeded: bits >> 4)
        default: c[2] |= UInt8(truncatingIfNeeded: bits << 2)
        }
    }

    /// Decodes one vector (FAISS's `decode_vector`).
    public func decode(_ code: UnsafeRawPointer, into x: UnsafeMutablePointer<Float>) {
        decoder.decode(code, into: x)
    }

    /// Decodes one vector into a new array.
    public func decode(_ code: UnsafeRawPointer) -> [Float] {
        [Float](unsafeUninitializedCapacity: dimension) { buffer, initialized in
            if dimension > 0 { decode(code, into: buffer.baseAddress!) }
            initialized = dimension
        }
    }

    /// The decoding kernel; valid while this quantizer lives.
    var decoder: SQDecoder {
        SQDecoder(type: type, dimension: dimension, vmin: UnsafePointer(parameters),
                  vdiff: UnsafePointer(parameters + (type.isUniform ? 1 : dimension)))
    }
}

/// Decodes scalar-quantized vectors with SIMD, component values exactly as FAISS's scalar
/// decoders give them (`vmin + (c + 0.5) / levels · vdiff`).
struct SQDecoder {
    let type: ScalarQuantizer.QuantizerType
    let dimension: Int
    let vmin: UnsafePointer<Float>
    let vdiff: UnsafePointer<Float>

    /// Decodes one code into `out` with the kernels of `level` (the process's by default; every
    /// level gives the same bits).
    @inline(__always)
    func decode(_ code: UnsafeRawPointer, into out: UnsafeMutablePointer<Float>, level: SIMDLevel = CPUFeatures.simd) {
        let d = dimension
        #if arch(x86_64)
        if level >= .avx512 {
            switch type {
            case .fp16: return vectui_decode_fp16_avx512(code, d, out)
            case .bf16: return vectui_decode_bf16_avx512(code, d, out)
            case .int8, .int8Uniform:
                return vectui_decode_sq8_avx512(code.assumingMemoryBound(to: UInt8.self), d, vmin, vdiff,
                                                type == .int8Uniform ? 1 : 0, out)
            default: break
            }
        } else if level >= .avx2 && type == .fp16 {
            return vectui_decode_fp16_avx2(code, d, out)
        }
        #endif
        switch type {
        case .int8:
            var i = 0
            while i &+ 8 <= d {
                let c = SIMD8<Float>(SIMD8<Int32>(truncatingIfNeeded: code.loadUnaligned(fromByteOffset: i, as: SIMD8<UInt8>.self)))
                let lo = UnsafeRawPointer(vmin + i).loadUnaligned(as: SIMD8<Float>.self)
                let diff = UnsafeRawPointer(vdiff + i).loadUnaligned(as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(out + i).storeBytes(of: lo + ((c + 0.5) / 255) * diff, as: SIMD8<Float>.self)
                i &+= 8
            }
            while i < d {
                out[i] = vmin[i] + ((Float(code.load(fromByteOffset: i, as: UInt8.self)) + 0.5) / 255) * vdiff[i]
                i &+= 1
            }
        case .int8Uniform:
            let lo = vmin[0], diff = vdiff[0]
            var i = 0
            while i &+ 8 <= d {
                let c = SIMD8<Float>(SIMD8<Int32>(truncatingIfNeeded: code.loadUnaligned(fromByteOffset: i, as: SIMD8<UInt8>.self)))
                UnsafeMutableRawPointer(out + i).storeBytes(of: lo + ((c + 0.5) / 255) * diff, as: SIMD8<Float>.self)
                i &+= 8
            }
            while i < d {
                out[i] = lo + ((Float(code.load(fromByteOffset: i, as: UInt8.self)) + 0.5) / 255) * diff
                i &+= 1
            }
        case .int4, .int4Uniform:
            let uniform = type == .int4Uniform
            for i in 0..<d {
                let byte = code.load(fromByteOffset: i >> 1, as: UInt8.self)
                let c = (byte >> UInt8((i & 1) << 2)) & 0xf
                let t = (Float(c) + 0.5) / 15
                out[i] = uniform ? vmin[0] + t * vdiff[0] : vmin[i] + t * vdiff[i]
            }
        case .int6:
            for i in 0..<d {
                let c = code + (i >> 2) * 3
                let b0 = c.load(as: UInt8.self), b1 = c.load(fromByteOffset: 1, as: UInt8.self)
                let b2 = c.load(fromByteOffset: 2, as: UInt8.self)
                let bits: UInt8
                switch i & 3 {
                case 0: bits = b0 & 0x3f
                case 1: bits = (b0 >> 6) | ((b1 & 0xf) << 2)
                case 2: bits = (b1 >> 4) | ((b2 & 3) << 4)
                default: bits = b2 >> 2
                }
                out[i] = vmin[i] + ((Float(bits) + 0.5) / 63) * vdiff[i]
            }
        case .fp16:
            var i = 0
            while i &+ 8 <= d {
                let h = SIMD8<UInt32>(truncatingIfNeeded: code.loadUnaligned(fromByteOffset: 2 &* i, as: SIMD8<UInt16>.self))
                let sign = (h & 0x8000) &<< 16
                let magnitude = h & 0x7fff
                // Exponent and mantissa shifted into place, rescaled by 2^112: exact for normals and subnormals.
                let scaled = unsafeBitCast(magnitude &<< 13, to: SIMD8<Float>.self) * 0x1p112
                var bits = unsafeBitCast(scaled, to: SIMD8<UInt32>.self)
                bits.replace(with: (magnitude &<< 13) | 0x7f80_0000, where: magnitude .>= 0x7c00)
                UnsafeMutableRawPointer(out + i).storeBytes(of: unsafeBitCast(bits | sign, to: SIMD8<Float>.self), as: SIMD8<Float>.self)
                i &+= 8
            }
            while i < d {
                out[i] = Float(Float16(bitPattern: UInt16(littleEndian: code.loadUnaligned(fromByteOffset: 2 &* i, as: UInt16.self))))
                i &+= 1
            }
        case .bf16:
            for i in 0..<d {
                let bits = UInt32(UInt16(littleEndian: code.loadUnaligned(fromByteOffset: 2 &* i, as: UInt16.self)))
                out[i] = Float(bitPattern: bits << 16)
            }
        case .int8Direct:
            for i in 0..<d { out[i] = Float(code.load(fromByteOffset: i, as: UInt8.self)) }
        case .int8DirectSigned:
            for i in 0..<d { out[i] = Float(code.load(fromByteOffset: i, as: UInt8.self)) - 128 }
        }
    }
}
