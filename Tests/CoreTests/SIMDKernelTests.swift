import CKernels
@testable import Core
import XCTest

/// The SIMD levels agree with the portable kernels, the level and the BLAS core are chosen as
/// documented, and sgemm computes what a plain loop does.
final class SIMDKernelTests: XCTestCase {
    /// Dimensions around every vector width and tail length (8, 16, 32 lanes and 4-row blocks).
    private let dimensions = [1, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 48, 64, 100, 128]

    func testTheLevelFollowsVECTUI_SIMDButNeverExceedsTheCPU() {
        XCTAssertEqual(CPUFeatures.level(requested: nil, supported: .avx512), .avx512)
        XCTAssertEqual(CPUFeatures.level(requested: "avx2", supported: .avx512), .avx2)
        XCTAssertEqual(CPUFeatures.level(requested: "PORTABLE", supported: .avx2), .portable)
        XCTAssertEqual(CPUFeatures.level(requested: "avx512", supported: .avx2), .avx2)
        XCTAssertEqual(CPUFeatures.level(requested: "sse9", supported: .avx2), .avx2)
        XCTAssertLessThanOrEqual(CPUFeatures.simd, CPUFeatures.supported)
    }

    func testTheBLASCoreMatchesTheLevelAndIsReplacedWhenItDoesNot() {
        XCTAssertEqual(BLAS.core(for: .avx512, bf16: true), "Cooperlake")
        XCTAssertEqual(BLAS.core(for: .avx512, bf16: false), "SkylakeX")
        XCTAssertEqual(BLAS.core(for: .avx2, bf16: true), "Haswell")
        XCTAssertEqual(BLAS.level(ofCore: "Prescott"), .portable)
        XCTAssertEqual(BLAS.level(ofCore: "Zen"), .avx2)
        XCTAssertEqual(BLAS.level(ofCore: "SapphireRapids"), .avx512)
        // Debian's 0.3.21 on Sapphire Rapids: generic kernels on an AVX-512 CPU.
        XCTAssertTrue(BLAS.needsReload(core: "Prescott", for: .avx512))
        // AVX-512 kernels when VECTUI_SIMD=avx2 asks for the AVX2 path.
        XCTAssertTrue(BLAS.needsReload(core: "Cooperlake", for: .avx2))
        XCTAssertFalse(BLAS.needsReload(core: "Zen", for: .avx2))
        XCTAssertFalse(BLAS.needsReload(core: "SkylakeX", for: .avx512))
        // The library this process loaded runs the level in use (unless the user set the core).
        let info = BLAS.info
        if info.chosenBy != "OPENBLAS_CORETYPE" {
            XCTAssertEqual(info.coreLevel, CPUFeatures.simd, "OpenBLAS runs \(info.core) at SIMD \(CPUFeatures.simd.name)")
        }
    }

    func testSGEMMMatchesAPlainLoop() {
        let a = randomMatrix(rows: 37, dimension: 19, seed: 1), b = randomMatrix(rows: 53, dimension: 19, seed: 2)
        var c = [Float](repeating: .nan, count: 37 * 60)
        a.values.withUnsafeBufferPointer { a in
            b.values.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    BLAS.multiplyTransposedOnAllCores(a.baseAddress!, rows: 37, b.baseAddress!, rows: 53, depth: 19,
                                                      into: c.baseAddress!, rowStride: 60)
                }
            }
        }
        for i in 0..<37 {
            for j in 0..<53 {
                var dot: Float = 0, magnitude: Float = 0
                for t in 0..<19 {
                    dot += a.values[i * 19 + t] * b.values[j * 19 + t]
                    magnitude += abs(a.values[i * 19 + t] * b.values[j * 19 + t])
                }
                // Float accumulation of 19 products in any order: |error| ≤ 19 · 2⁻²⁴ · Σ|aᵢbᵢ| (×2 margin).
                XCTAssertEqual(c[i * 60 + j], dot, accuracy: 38 * 0x1p-24 * magnitude, "c[\(i), \(j)]")
            }
        }
    }

    #if arch(x86_64)
    /// The AVX-512 candidate heap pops the same entries in the same order as FAISS's scalar
    /// scan, ties (the rightmost wins) and taken entries included, and counts the same.
    func testTheAVX512CandidateHeapPopsAsTheScalarOne() {
        guard CPUFeatures.supported >= .avx512 else { return }
        var random = SplitMix64(seed: 3)
        for capacity in [1, 5, 16, 17, 40, 64, 100] {
            var scalarL2 = HNSWMinimaxHeap(capacity: capacity), wideL2 = HNSWMinimaxHeap(capacity: capacity)
            var scalarIP = HNSWMinimaxHeap(capacity: capacity), wideIP = HNSWMinimaxHeap(capacity: capacity)
            defer { [scalarL2, wideL2, scalarIP, wideIP].forEach { $0.deallocate() } }
            for id in 0..<Int32(3 * capacity) {
                // Few distinct values, so that ties are common.
                let value = Float(random.next() % 7)
                scalarL2.push(HNSWL2Space.self, id, value)
                wideL2.push(HNSWL2SpaceAVX512.self, id, value)
                scalarIP.push(HNSWIPSpace.self, id, value)
                wideIP.push(HNSWIPSpaceAVX512.self, id, value)
            }
            for threshold: Float in [-1, 0, 3, 3.5, 9] {
                XCTAssertEqual(wideL2.countBetter(HNSWL2SpaceAVX512.self, than: threshold),
                               scalarL2.countBetter(HNSWL2Space.self, than: threshold), "capacity \(capacity)")
                XCTAssertEqual(wideIP.countBetter(HNSWIPSpaceAVX512.self, than: threshold),
                               scalarIP.countBetter(HNSWIPSpace.self, than: threshold), "capacity \(capacity)")
            }
            for _ in 0...capacity {
                var a: Float = 0, b: Float = 0, c: Float = 0, e: Float = 0
                XCTAssertEqual(wideL2.popBest(HNSWL2SpaceAVX512.self, &a), scalarL2.popBest(HNSWL2Space.self, &b))
                XCTAssertEqual(a, b)
                XCTAssertEqual(wideIP.popBest(HNSWIPSpaceAVX512.self, &c), scalarIP.popBest(HNSWIPSpace.self, &e))
                XCTAssertEqual(c, e)
            }
        }
    }

    func testEveryLevelsDistanceKernelsAgreeWithThePortableOnes() throws {
        for level in SIMDLevel.allCases where level > .portable && level <= CPUFeatures.supported {
            for d in dimensions {
                // Five rows at an odd byte offset, as mapped FAISS data is.
                let rows = 5
                let x = randomMatrix(rows: rows + 1, dimension: d, seed: UInt64(d))
                let raw = UnsafeMutableRawPointer.allocate(byteCount: (rows + 1) * d * 4 + 3, alignment: 64)
                defer { raw.deallocate() }
                let base = raw + 3
                x.values.withUnsafeBytes { base.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
                let query = base, block = base + d * 4
                var scores = [Float](repeating: .nan, count: rows)
                for l2 in [false, true] {
                    scores.withUnsafeMutableBufferPointer { out in
                        let q = query.assumingMemoryBound(to: Float.self)
                        let b = block.assumingMemoryBound(to: CChar.self)
                        if level == .avx512 { vectui_scan_block_avx512(q, b, d * 4, rows, d, l2 ? 1 : 0, out.baseAddress!) }
                        else { vectui_scan_block_avx2(q, b, d * 4, rows, d, l2 ? 1 : 0, out.baseAddress!) }
                    }
                    for r in 0..<rows {
                        let row = block + r * d * 4
                        let portable = l2 ? Distances.portableSquaredL2(query, row, d) : Distances.portableInnerProduct(query, row, d)
                        let single: Float
                        switch (level, l2) {
                        case (.avx512, true): single = vectui_l2_avx512(query.assumingMemoryBound(to: Float.self), row.assumingMemoryBound(to: Float.self), d)
                        case (.avx512, false): single = vectui_ip_avx512(query.assumingMemoryBound(to: Float.self), row.assumingMemoryBound(to: Float.self), d)
                        case (_, true): single = vectui_l2_avx2(query.assumingMemoryBound(to: Float.self), row.assumingMemoryBound(to: Float.self), d)
                        case (_, false): single = vectui_ip_avx2(query.assumingMemoryBound(to: Float.self), row.assumingMemoryBound(to: Float.self), d)
                        }
                        // Sums of d terms in two orders: each within d · 2⁻²⁴ · Σ|terms| of the exact sum.
                        var magnitude: Float = 0
                        for t in 0..<d {
                            let a = x.values[t], b = x.values[(r + 1) * d + t]
                            magnitude += l2 ? (a - b) * (a - b) : abs(a * b)
                        }
                        let tolerance = Float(2 * d) * 0x1p-24 * magnitude + .leastNormalMagnitude
                        let label = "\(level.name) d \(d) row \(r) \(l2 ? "L2" : "IP")"
                        XCTAssertEqual(scores[r], portable, accuracy: tolerance, label)
                        XCTAssertEqual(single, portable, accuracy: tolerance, label)
                    }
                }
            }
        }
    }
    #endif
}
