import Foundation

/// Matrix products through OpenBLAS, loaded at first use with kernels for this CPU, and run
/// single-threaded inside each of our own worker threads. OpenBLAS's own threads spin after
/// each call and would fight our top-k threads for the cores; splitting the work ourselves keeps
/// exactly one busy thread per core and lets one thread's sgemm overlap another's top-k.
///
/// OpenBLAS picks its kernels ("core") once, when the library initialises, from CPUID; a
/// release older than the CPU picks generic ones (Debian's 0.3.21 runs Sapphire Rapids as
/// "Prescott", a third of the speed). So the library is opened here rather than linked: when
/// the core it chose is not the one for the SIMD level in use (`CPUFeatures.simd`), it is
/// closed and opened again with `OPENBLAS_CORETYPE` naming the right core — never one above
/// what the CPU runs. A core set by the user in `OPENBLAS_CORETYPE` is kept as it is.
public enum BLAS {
    /// The library in use and how its core was chosen (shown by `vectui devices`).
    public struct Info: Sendable {
        /// The file opened (`libopenblas.so.0`).
        public let library: String
        /// OpenBLAS's build string (`openblas_get_config`).
        public let config: String
        /// The kernels in use (`openblas_get_corename`), e.g. "SkylakeX".
        public let core: String
        /// The SIMD level of those kernels.
        public let coreLevel: SIMDLevel
        /// The core the library chose by itself, when vectui replaced it.
        public let replacedCore: String?
        /// "OPENBLAS_CORETYPE", "vectui" or "OpenBLAS": who chose `core`.
        public let chosenBy: String
    }

    /// Facts about the loaded library.
    public static var info: Info { library.info }

    /// C (m × n, row stride ldc) = A (m × k) · Bᵀ where B is n × k, all row-major float32.
    /// Runs on the calling thread.
    static func multiplyTransposed(_ a: UnsafePointer<Float>, rows m: Int, _ b: UnsafePointer<Float>, rows n: Int,
                                   depth k: Int, into c: UnsafeMutablePointer<Float>, rowStride ldc: Int) {
        library.sgemm(rowMajor, noTrans, trans, Int32(m), Int32(n), Int32(k),
                      1, a, Int32(k), b, Int32(k), 0, c, Int32(ldc))
    }

    /// `multiplyTransposed` with A's rows split over every core (one single-threaded sgemm each).
    static func multiplyTransposedOnAllCores(_ a: UnsafePointer<Float>, rows m: Int, _ b: UnsafePointer<Float>, rows n: Int,
                                             depth k: Int, into c: UnsafeMutablePointer<Float>, rowStride ldc: Int) {
        let parts = m * n * k < 1 << 20 ? 1 : Parallel.workerCount
        Parallel.forEachSlice(of: m, parts: parts) { _, range in
            multiplyTransposed(a + range.lowerBound * k, rows: range.count, b, rows: n, depth: k,
                               into: c + range.lowerBound * ldc, rowStride: ldc)
        }
    }

    /// C (m × n) = alpha · op(A) · op(B) + beta · C, all row-major float32, where op transposes
    /// when asked: A is m × k (k × m when transposed) with row stride lda, B is k × n (n × k
    /// when transposed) with row stride ldb. Runs on the calling thread (the sentence encoder
    /// splits its work over the cores itself).
    public static func sgemm(transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
                             alpha: Float = 1, _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
                             beta: Float = 0, _ c: UnsafeMutablePointer<Float>, ldc: Int) {
        library.sgemm(rowMajor, transposeA ? trans : noTrans, transposeB ? trans : noTrans, Int32(m), Int32(n), Int32(k),
                      alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    // CBLAS enum values (cblas.h).
    private static let rowMajor: Int32 = 101, noTrans: Int32 = 111, trans: Int32 = 112

    /// The OpenBLAS core for a SIMD level: its widest sgemm kernels that level runs.
    static func core(for level: SIMDLevel, bf16: Bool) -> String {
        switch level {
        case .avx512: bf16 ? "Cooperlake" : "SkylakeX"
        case .avx2: "Haswell"
        case .portable: "Prescott"
        }
    }

    /// The SIMD level an OpenBLAS core's kernels use (names as `openblas_get_corename` gives them).
    static func level(ofCore name: String) -> SIMDLevel {
        switch name.lowercased() {
        case "skylakex", "cooperlake", "sapphirerapids": .avx512
        case "haswell", "zen", "excavator": .avx2
        default: .portable
        }
    }

    /// Whether a library that chose `core` must be reopened for `level`: its kernels are
    /// wider than the level allows (VECTUI_SIMD lowered it) or narrower than the CPU offers.
    static func needsReload(core: String, for level: SIMDLevel) -> Bool {
        Self.level(ofCore: core) != level
    }

    private typealias SGEMM = @convention(c) (Int32, Int32, Int32, Int32, Int32, Int32, Float, UnsafePointer<Float>?, Int32,
                                              UnsafePointer<Float>?, Int32, Float, UnsafeMutablePointer<Float>?, Int32) -> Void
    private typealias SetThreads = @convention(c) (Int32) -> Void
    private typealias GetString = @convention(c) () -> UnsafeMutablePointer<CChar>?

    private struct Library: @unchecked Sendable {
        // @unchecked: written once by the `library` initialiser (Swift runs it exactly once),
        // then only read; the handle is never closed.
        let sgemm: SGEMM
        let info: Info
    }

    private static let library: Library = load()

    private static let fileName = "libopenblas.so.0"

    private static func load() -> Library {
        var handle = open()
        var chosenBy = "OpenBLAS"
        var replaced: String?
        if ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] != nil {
            chosenBy = "OPENBLAS_CORETYPE"
        } else if needsReload(core: coreName(handle), for: CPUFeatures.simd) {
            // The library reads OPENBLAS_CORETYPE only while it initialises: close it (nothing
            // else in this process holds it), open it again with the variable set, then unset
            // it so that programs we start see the environment they were given.
            let wanted = core(for: CPUFeatures.simd, bf16: CPUFeatures.avx512BF16)
            replaced = coreName(handle)
            dlclose(handle)
            setenv("OPENBLAS_CORETYPE", wanted, 1)
            handle = open()
            unsetenv("OPENBLAS_CORETYPE")
            chosenBy = "vectui"
        }
        guard let sgemm = dlsym(handle, "cblas_sgemm"), let setThreads = dlsym(handle, "openblas_set_num_threads") else {
            fatalError("\(fileName) has no cblas_sgemm/openblas_set_num_threads: it is not OpenBLAS")
        }
        unsafeBitCast(setThreads, to: SetThreads.self)(1)
        let core = coreName(handle)
        let info = Info(library: fileName, config: string(handle, "openblas_get_config"), core: core,
                        coreLevel: level(ofCore: core), replacedCore: replaced, chosenBy: chosenBy)
        return Library(sgemm: unsafeBitCast(sgemm, to: SGEMM.self), info: info)
    }

    private static func open() -> UnsafeMutableRawPointer {
        guard let handle = dlopen(fileName, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "not found"
            fatalError("cannot load OpenBLAS (\(reason)); on Debian: apt-get install libopenblas0")
        }
        return handle
    }

    private static func coreName(_ handle: UnsafeMutableRawPointer) -> String {
        string(handle, "openblas_get_corename")
    }

    private static func string(_ handle: UnsafeMutableRawPointer, _ symbol: String) -> String {
        guard let function = dlsym(handle, symbol),
              let text = unsafeBitCast(function, to: GetString.self)() else { return "unknown" }
        return String(cString: text).trimmingCharacters(in: .whitespaces)
    }
}
