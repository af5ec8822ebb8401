import CKernels
import Foundation

/// The widest family of SIMD kernels a process uses, chosen once: AVX-512 → AVX2+FMA →
/// portable Swift SIMD.
public enum SIMDLevel: Int, Comparable, Sendable, CaseIterable {
    case portable, avx2, avx512

    /// The name `VECTUI_SIMD` takes and `vectui devices` shows.
    public var name: String {
        switch self {
        case .portable: "portable"
        case .avx2: "avx2"
        case .avx512: "avx512"
        }
    }

    public static func < (a: SIMDLevel, b: SIMDLevel) -> Bool { a.rawValue < b.rawValue }
}

/// What this CPU can run, checked once for every kernel that has a faster variant.
public enum CPUFeatures {
    /// The widest level the CPU (and the OS, for AVX-512's registers) supports.
    public static let supported: SIMDLevel = {
        if vectui_has_avx512() != 0 { return .avx512 }
        if vectui_has_avx2_fma() != 0 { return .avx2 }
        return .portable
    }()

    /// The level in use: `supported`, lowered by `VECTUI_SIMD=avx2|portable` (for tests and
    /// benchmarks of the narrower paths). A request above what the CPU runs, or a name not
    /// understood, leaves `supported`: kernels the CPU lacks are never chosen.
    public static let simd: SIMDLevel = level(requested: ProcessInfo.processInfo.environment["VECTUI_SIMD"],
                                              supported: supported)

    /// Whether the AVX-512 kernels in CKernels are used.
    static let avx512: Bool = simd >= .avx512
    /// Whether the AVX2+FMA kernels in CKernels are used (also true at the AVX-512 level, for
    /// kernels that have no AVX-512 variant).
    static let avx2FMA: Bool = simd >= .avx2

    /// Whether the CPU has AVX-512 BF16 (reported by `vectui devices`).
    public static let avx512BF16: Bool = vectui_has_avx512_bf16() != 0

    /// The level for a `VECTUI_SIMD` value on a CPU that supports `supported`.
    static func level(requested: String?, supported: SIMDLevel) -> SIMDLevel {
        guard let requested, let wanted = SIMDLevel.allCases.first(where: { $0.name == requested.lowercased() }) else {
            return supported
        }
        return min(wanted, supported)
    }
}
