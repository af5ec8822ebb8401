import CKernels

/// What this CPU can run, checked once for every kernel that has a faster variant.
enum CPUFeatures {
    /// Whether the AVX2+FMA kernels in CKernels may be used (false off x86-64).
    static let avx2FMA: Bool = vectui_has_avx2_fma() != 0
}
