import CKernels

/// Distance kernels on raw float32 rows at any byte alignment (mapped FAISS data starts at
/// odd offsets), at the process's SIMD level (`CPUFeatures.simd`): the AVX-512 or AVX2+FMA
/// kernels of CKernels, else portable Swift SIMD eight lanes at a time with four accumulators.
enum Distances {
    /// Σ a[i]·b[i] over `d` floats.
    /// - Complexity: O(d).
    @inline(__always)
    static func innerProduct(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ d: Int) -> Float {
        #if arch(x86_64)
        if CPUFeatures.avx512 { return vectui_ip_avx512(a.assumingMemoryBound(to: Float.self), b.assumingMemoryBound(to: Float.self), d) }
        if CPUFeatures.avx2FMA { return vectui_ip_avx2(a.assumingMemoryBound(to: Float.self), b.assumingMemoryBound(to: Float.self), d) }
        #endif
        return portableInnerProduct(a, b, d)
    }

    /// Σ (a[i] − b[i])² over `d` floats.
    /// - Complexity: O(d).
    @inline(__always)
    static func squaredL2(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ d: Int) -> Float {
        #if arch(x86_64)
        if CPUFeatures.avx512 { return vectui_l2_avx512(a.assumingMemoryBound(to: Float.self), b.assumingMemoryBound(to: Float.self), d) }
        if CPUFeatures.avx2FMA { return vectui_l2_avx2(a.assumingMemoryBound(to: Float.self), b.assumingMemoryBound(to: Float.self), d) }
        #endif
        return portableSquaredL2(a, b, d)
    }

    /// Scores of `query` against `count` rows starting at `rows`, `stride` bytes apart, into
    /// `out`: squared L2 distances when `l2`, else inner products. One level check per block.
    /// - Complexity: O(count · d).
    static func scoreBlock(_ query: UnsafeRawPointer, rows: UnsafeRawPointer, stride: Int, count: Int, _ d: Int,
                           l2: Bool, into out: UnsafeMutablePointer<Float>) {
        #if arch(x86_64)
        let q = query.assumingMemoryBound(to: Float.self)
        let base = rows.assumingMemoryBound(to: CChar.self)
        if CPUFeatures.avx512 { return vectui_scan_block_avx512(q, base, stride, count, d, l2 ? 1 : 0, out) }
        if CPUFeatures.avx2FMA { return vectui_scan_block_avx2(q, base, stride, count, d, l2 ? 1 : 0, out) }
        #endif
        for r in 0..<count {
            let row = rows + r &* stride
            out[r] = l2 ? portableSquaredL2(query, row, d) : portableInnerProduct(query, row, d)
        }
    }

    /// out[i] = a[i] + s·b[i] for i < count (one rounding where s·b[i] is exact, e.g. s = −2).
    static func axpy(_ a: UnsafePointer<Float>, _ s: Float, _ b: UnsafePointer<Float>, count: Int,
                     into out: UnsafeMutablePointer<Float>) {
        #if arch(x86_64)
        if CPUFeatures.avx512 { return vectui_axpy_avx512(a, s, b, count, out) }
        #endif
        for i in 0..<count { out[i] = a[i] + s * b[i] }
    }

    /// `innerProduct` in portable Swift SIMD.
    @inline(__always)
    static func portableInnerProduct(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ d: Int) -> Float {
        var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>(), acc2 = SIMD8<Float>(), acc3 = SIMD8<Float>()
        var i = 0
        while i &+ 32 <= d {
            let o = i &* 4
            acc0 += a.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
                * b.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
            acc1 += a.loadUnaligned(fromByteOffset: o &+ 32, as: SIMD8<Float>.self)
                * b.loadUnaligned(fromByteOffset: o &+ 32, as: SIMD8<Float>.self)
            acc2 += a.loadUnaligned(fromByteOffset: o &+ 64, as: SIMD8<Float>.self)
                * b.loadUnaligned(fromByteOffset: o &+ 64, as: SIMD8<Float>.self)
            acc3 += a.loadUnaligned(fromByteOffset: o &+ 96, as: SIMD8<Float>.self)
                * b.loadUnaligned(fromByteOffset: o &+ 96, as: SIMD8<Float>.self)
            i &+= 32
        }
        while i &+ 8 <= d {
            let o = i &* 4
            acc0 += a.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
                * b.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
            i &+= 8
        }
        var sum = ((acc0 + acc1) + (acc2 + acc3)).sum()
        while i < d {
            sum += a.loadUnaligned(fromByteOffset: i &* 4, as: Float.self)
                * b.loadUnaligned(fromByteOffset: i &* 4, as: Float.self)
            i &+= 1
        }
        return sum
    }

    /// `squaredL2` in portable Swift SIMD.
    @inline(__always)
    static func portableSquaredL2(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ d: Int) -> Float {
        var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>(), acc2 = SIMD8<Float>(), acc3 = SIMD8<Float>()
        var i = 0
        while i &+ 32 <= d {
            let o = i &* 4
            let d0 = a.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
                - b.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
            let d1 = a.loadUnaligned(fromByteOffset: o &+ 32, as: SIMD8<Float>.self)
                - b.loadUnaligned(fromByteOffset: o &+ 32, as: SIMD8<Float>.self)
            let d2 = a.loadUnaligned(fromByteOffset: o &+ 64, as: SIMD8<Float>.self)
                - b.loadUnaligned(fromByteOffset: o &+ 64, as: SIMD8<Float>.self)
            let d3 = a.loadUnaligned(fromByteOffset: o &+ 96, as: SIMD8<Float>.self)
                - b.loadUnaligned(fromByteOffset: o &+ 96, as: SIMD8<Float>.self)
            acc0 += d0 * d0
            acc1 += d1 * d1
            acc2 += d2 * d2
            acc3 += d3 * d3
            i &+= 32
        }
        while i &+ 8 <= d {
            let o = i &* 4
            let d0 = a.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
                - b.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
            acc0 += d0 * d0
            i &+= 8
        }
        var sum = ((acc0 + acc1) + (acc2 + acc3)).sum()
        while i < d {
            let diff = a.loadUnaligned(fromByteOffset: i &* 4, as: Float.self)
                - b.loadUnaligned(fromByteOffset: i &* 4, as: Float.self)
            sum += diff * diff
            i &+= 1
        }
        return sum
    }
}

/// A metric's scan kernel as a type, so the scan loop is specialised once per metric and the
/// choice is made once per search, not per vector. Keys are "larger is better" for both
/// metrics (L2 distances are negated), which lets one top-k heap serve both.
protocol ScanKernel {
    static func key(_ query: UnsafeRawPointer, _ row: UnsafeRawPointer, _ d: Int) -> Float
}

enum InnerProductScan: ScanKernel {
    @inline(__always)
    static func key(_ query: UnsafeRawPointer, _ row: UnsafeRawPointer, _ d: Int) -> Float {
        Distances.innerProduct(query, row, d)
    }
}

enum SquaredL2Scan: ScanKernel {
    @inline(__always)
    static func key(_ query: UnsafeRawPointer, _ row: UnsafeRawPointer, _ d: Int) -> Float {
        -Distances.squaredL2(query, row, d)
    }
}
