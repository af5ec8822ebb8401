import CBLAS

/// Matrix products through OpenBLAS, run single-threaded inside each of our own worker
/// threads. OpenBLAS's own threads spin after each call and would fight our top-k threads for
/// the cores; splitting the work ourselves keeps exactly one busy thread per core and lets one
/// thread's sgemm overlap another's top-k.
enum BLAS {
    /// Call before any sgemm: puts OpenBLAS in single-threaded mode, once per process.
    static let configure: Void = { openblas_set_num_threads(1) }()

    /// C (m × n, row stride ldc) = A (m × k) · Bᵀ where B is n × k, all row-major float32.
    /// Runs on the calling thread.
    static func multiplyTransposed(_ a: UnsafePointer<Float>, rows m: Int, _ b: UnsafePointer<Float>, rows n: Int,
                                   depth k: Int, into c: UnsafeMutablePointer<Float>, rowStride ldc: Int) {
        _ = configure
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k),
                    1, a, Int32(k), b, Int32(k), 0, c, Int32(ldc))
    }
}
