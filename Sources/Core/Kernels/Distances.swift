/// Distance kernels on raw float32 rows at any byte alignment (mapped FAISS data starts at
/// odd offsets), eight lanes at a time with four independent accumulators.
enum Distances {
    /// Σ a[i]·b[i] over `d` floats.
    /// - Complexity: O(d).
    @inline(__always)
    static func innerProduct(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ d: Int) -> Float {
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

    /// Σ (a[i] − b[i])² over `d` floats.
    /// - Complexity: O(d).
    @inline(__always)
    static func squaredL2(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ d: Int) -> Float {
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
