import Foundation
import XCTest
@testable import Core

/// Codecs and training: FAISS's random generator, scalar and product quantizers, k-means.
final class QuantizedCodecTests: XCTestCase {
    // MARK: - FAISS's random numbers

    func testMersenneTwisterIsStdMT19937() {
        // std::mt19937 with the default seed 5489: the 10,000th output is 4123659995 (C++ standard).
        var rng = FaissRandomGenerator(seed: 5489)
        var value: UInt32 = 0
        for _ in 0..<10_000 { value = rng.next() }
        XCTAssertEqual(value, 4_123_659_995)
    }

    func testRandomPermutationMatchesFaissRandPerm() {
        // faiss.rand_perm(perm, 10, 1234) in faiss-cpu 1.15.1.
        XCTAssertEqual(faissRandomPermutation(10, seed: 1234), [5, 4, 8, 2, 6, 9, 1, 7, 0, 3])
        XCTAssertEqual(Set(faissRandomPermutation(1000, seed: 7)), Set(0..<1000))
    }

    // MARK: - Scalar quantizer

    func testEightBitCodesAndDecodingFollowFaissFormulas() {
        let d = 5
        let data = randomMatrix(rows: 50, dimension: d, seed: 3)
        let sq = ScalarQuantizer(type: .int8, dimension: d)
        data.values.withUnsafeBufferPointer { sq.train($0.baseAddress!, count: 50) }
        XCTAssertEqual(sq.trained.count, 2 * d)
        for j in 0..<d {
            let column = (0..<50).map { data.values[$0 * d + j] }
            XCTAssertEqual(sq.trained[j], column.min()!)
            XCTAssertEqual(sq.trained[d + j], column.max()! - column.min()!)
        }
        var code = [UInt8](repeating: 0, count: d)
        for row in 0..<50 {
            let x = data.row(row)
            x.withUnsafeBufferPointer { sq.encode($0.baseAddress!, into: &code) }
            for j in 0..<d {
                let t = min(1, max(0, (x[j] - sq.trained[j]) / sq.trained[d + j]))
                XCTAssertEqual(code[j], UInt8(255 * t), "row \(row) component \(j)")
            }
            let decoded = code.withUnsafeBytes { sq.decode($0.baseAddress!) }
            for j in 0..<d {
                XCTAssertEqual(decoded[j], sq.trained[j] + ((Float(code[j]) + 0.5) / 255) * sq.trained[d + j])
                XCTAssertLessThanOrEqual(abs(decoded[j] - x[j]), sq.trained[d + j] / 255 + 1e-6)
            }
        }
        // Out-of-range values clamp; NaN codes as the minimum instead of trapping.
        var extreme: [Float] = [100, -100, .nan, 0, 0]
        extreme.withUnsafeMutableBufferPointer { sq.encode($0.baseAddress!, into: &code) }
        XCTAssertEqual(Array(code[0..<3]), [255, 0, 0])
    }

    func testEveryTypeCodesWithinItsPrecision() {
        let d = 19  // odd: a half-filled 4-bit byte and a partial 6-bit group
        let data = randomMatrix(rows: 200, dimension: d, seed: 9)
        for type in ScalarQuantizer.QuantizerType.allCases {
            let sq = ScalarQuantizer(type: type, dimension: d)
            XCTAssertEqual(sq.isTrained, !type.needsTraining, "\(type)")
            data.values.withUnsafeBufferPointer { sq.train($0.baseAddress!, count: 200) }
            XCTAssertTrue(sq.isTrained)
            var code = [UInt8](repeating: 0, count: sq.codeSize)
            let tolerance: Float
            switch type {
            case .int8, .int8Uniform: tolerance = 2.0 / 255
            case .int6: tolerance = 2.0 / 63
            case .int4, .int4Uniform: tolerance = 2.0 / 15
            case .fp16: tolerance = 1e-3
            case .bf16: tolerance = 1e-2
            case .int8Direct, .int8DirectSigned: tolerance = 1  // integers only
            }
            for row in 0..<200 {
                var x = data.row(row)
                if type == .int8Direct { x = x.map { (($0 + 1) * 100).rounded(.down) } }
                if type == .int8DirectSigned { x = x.map { ($0 * 100).rounded(.down) } }
                x.withUnsafeBufferPointer { sq.encode($0.baseAddress!, into: &code) }
                let back = code.withUnsafeBytes { sq.decode($0.baseAddress!) }
                for j in 0..<d {
                    if type == .int8Direct || type == .int8DirectSigned {
                        XCTAssertEqual(back[j], x[j], "\(type) row \(row)")
                    } else {
                        XCTAssertLessThanOrEqual(abs(back[j] - x[j]), tolerance, "\(type) row \(row) component \(j)")
                    }
                }
            }
        }
    }

    func testSubByteCodesArePackedAsFaissPacksThem() {
        // 4-bit: component i in byte i/2, low nibble for even i.
        let sq4 = ScalarQuantizer(type: .int4, dimension: 3, trained: [0, 0, 0, 15, 15, 15])
        var code = [UInt8](repeating: 0xff, count: 2)
        [Float(1.5), 14.5, 7.5].withUnsafeBufferPointer { sq4.encode($0.baseAddress!, into: &code) }
        XCTAssertEqual(code, [0xe1, 0x07])
        // 6-bit: four components in three bytes, LSB first.
        let sq6 = ScalarQuantizer(type: .int6, dimension: 4, trained: [0, 0, 0, 0, 63, 63, 63, 63])
        var code6 = [UInt8](repeating: 0, count: 3)
        [Float(1.5), 2.5, 3.5, 62.5].withUnsafeBufferPointer { sq6.encode($0.baseAddress!, into: &code6) }
        let bits = UInt32(code6[0]) | UInt32(code6[1]) << 8 | UInt32(code6[2]) << 16
        XCTAssertEqual([bits & 63, (bits >> 6) & 63, (bits >> 12) & 63, (bits >> 18) & 63], [1, 2, 3, 62])
        for (decoded, expected) in zip(code6.withUnsafeBytes({ sq6.decode($0.baseAddress!) }), [Float(1.5), 2.5, 3.5, 62.5]) {
            XCTAssertEqual(decoded, expected, accuracy: 1e-5)
        }
    }

    func testHalfPrecisionDecodingIsExactForEveryBitPattern() {
        // Each SIMD level's decoder (bit manipulation, F16C, AVX-512) against the scalar
        // conversion, 8 halves at a time.
        let sq = ScalarQuantizer(type: .fp16, dimension: 8)
        let decoder = sq.decoder
        var out = [Float](repeating: 0, count: 8)
        for level in SIMDLevel.allCases where level <= CPUFeatures.supported {
            for start in stride(from: 0, to: 65536, by: 8) {
                let halves = (0..<8).map { UInt16(start + $0) }
                halves.withUnsafeBytes { raw in
                    out.withUnsafeMutableBufferPointer { decoder.decode(raw.baseAddress!, into: $0.baseAddress!, level: level) }
                }
                for (i, bits) in halves.enumerated() {
                    let expected = Float(Float16(bitPattern: bits))
                    if expected.isNaN {
                        XCTAssertTrue(out[i].isNaN, "\(level.name) 0x\(String(bits, radix: 16))")
                    } else {
                        XCTAssertEqual(out[i].bitPattern, expected.bitPattern, "\(level.name) 0x\(String(bits, radix: 16))")
                    }
                }
            }
        }
    }

    func testEverySIMDLevelDecodesTheSameBits() {
        var random = SplitMix64(seed: 5)
        for type in [ScalarQuantizer.QuantizerType.int8, .int8Uniform, .fp16, .bf16] {
            for d in [1, 7, 16, 21, 32, 45] {
                let data = randomMatrix(rows: 64, dimension: d, seed: UInt64(d))
                let sq = ScalarQuantizer(type: type, dimension: d)
                data.values.withUnsafeBufferPointer { sq.train($0.baseAddress!, count: 64) }
                let decoder = sq.decoder
                // Any bytes are a valid code (NaN and infinity patterns included for fp16/bf16).
                let code = (0..<sq.codeSize).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                var portable = [Float](repeating: 0, count: d), fast = [Float](repeating: 0, count: d)
                code.withUnsafeBytes { raw in
                    portable.withUnsafeMutableBufferPointer { decoder.decode(raw.baseAddress!, into: $0.baseAddress!, level: .portable) }
                    for level in SIMDLevel.allCases where level > .portable && level <= CPUFeatures.supported {
                        fast.withUnsafeMutableBufferPointer { decoder.decode(raw.baseAddress!, into: $0.baseAddress!, level: level) }
                        for j in 0..<d where !(portable[j].isNaN && fast[j].isNaN) {
                            XCTAssertEqual(fast[j].bitPattern, portable[j].bitPattern, "\(type) d \(d) \(level.name) component \(j)")
                        }
                    }
                }
            }
        }
    }

    // MARK: - Product quantizer

    func testCodePackingRoundTripsForEveryWidth() {
        var state: UInt64 = 11
        for nbits in 1...24 {
            let m = 7
            let size = (m * nbits + 7) / 8
            var code = [UInt8](repeating: 0xaa, count: size)
            var values = [UInt32]()
            code.withUnsafeMutableBufferPointer { buffer in
                var writer = PQCodeWriter(buffer.baseAddress!, codeSize: size, nbits: nbits)
                for _ in 0..<m {
                    state = state &* 6_364_136_223_846_793_005 &+ 1
                    let v = UInt32(truncatingIfNeeded: state >> 33) & ((1 << UInt32(nbits)) - 1)
                    values.append(v)
                    writer.write(v)
                }
            }
            let back = code.withUnsafeBufferPointer { buffer -> [UInt32] in
                var reader = PQCodeReader(buffer.baseAddress!, nbits: nbits)
                return (0..<m).map { _ in reader.next() }
            }
            XCTAssertEqual(back, values, "nbits \(nbits)")
            // LSB-first: sub-code 0 sits in the lowest bits of byte 0.
            XCTAssertEqual(UInt32(code[0]) & ((1 << UInt32(min(nbits, 8))) - 1), values[0] & ((1 << UInt32(min(nbits, 8))) - 1))
        }
    }

    func testEncodingPicksTheNearestCentroidOfEachSubspace() throws {
        let d = 12, m = 3, nbits = 5
        let data = randomMatrix(rows: 400, dimension: d, seed: 21)
        let pq = ProductQuantizer(dimension: d, m: m, nbits: nbits)
        try data.values.withUnsafeBufferPointer { try pq.train($0.baseAddress!, count: 400) }
        var codes = [UInt8](repeating: 0, count: 400 * pq.codeSize)
        data.values.withUnsafeBufferPointer { pq.encode($0.baseAddress!, count: 400, into: &codes) }
        for row in 0..<400 {
            var reader = codes.withUnsafeBufferPointer { PQCodeReader($0.baseAddress! + row * pq.codeSize, nbits: nbits) }
            for sub in 0..<m {
                let chosen = Int(reader.next())
                var best = 0, bestDistance = Float.infinity
                for c in 0..<pq.ksub {
                    var dist: Float = 0
                    for j in 0..<pq.dsub {
                        let diff = data.values[row * d + sub * pq.dsub + j] - pq.centroids[(sub * pq.ksub + c) * pq.dsub + j]
                        dist += diff * diff
                    }
                    if dist < bestDistance { bestDistance = dist; best = c }
                }
                XCTAssertEqual(chosen, best, "row \(row) sub-quantizer \(sub)")
            }
        }
        // Decoding is the concatenation of the chosen centroids.
        let decoded = codes.withUnsafeBytes { pq.decode($0.baseAddress!) }
        var reader = codes.withUnsafeBufferPointer { PQCodeReader($0.baseAddress!, nbits: nbits) }
        for sub in 0..<m {
            let c = Int(reader.next())
            XCTAssertEqual(Array(decoded[(sub * pq.dsub)..<((sub + 1) * pq.dsub)]),
                           Array(pq.centroids[((sub * pq.ksub + c) * pq.dsub)..<((sub * pq.ksub + c + 1) * pq.dsub)]))
        }
    }

    /// Every SIMD level this CPU runs (AVX-512, AVX2+FMA) against the portable kernel.
    func testTheSIMDAndPortableNearestCentroidKernelsAgree() throws {
        for level in SIMDLevel.allCases where level <= CPUFeatures.supported {
            for (d, k) in [(1, 3), (2, 16), (4, 256), (5, 13), (16, 64), (8, 24), (3, 40)] {
                let centroids = randomMatrix(rows: k, dimension: d, seed: UInt64(d * 1000 + k))
                let points = randomMatrix(rows: 200, dimension: d, seed: 5)
                for metric in [Metric.l2, .innerProduct] {
                    let table = centroids.values.withUnsafeBufferPointer {
                        TransposedCentroids($0.baseAddress!, count: k, dimension: d, metric: metric)
                    }
                    table.values.withUnsafeBufferPointer { t in
                        points.values.withUnsafeBufferPointer { x in
                            for i in 0..<200 {
                                let p = x.baseAddress! + i * d
                                let fast = TransposedCentroids.best(p, t.baseAddress!, dimension: d, stride: table.stride, l2: metric == .l2, level: level)
                                let portable = TransposedCentroids.best(p, t.baseAddress!, dimension: d, stride: table.stride, l2: metric == .l2, level: .portable)
                                XCTAssertTrue((0..<k).contains(fast.0) && (0..<k).contains(portable.0), "\(level.name) d \(d) k \(k)")
                                XCTAssertEqual(fast.1, portable.1, accuracy: 1e-4 * max(1, abs(portable.1)), "\(level.name) d \(d) k \(k) \(metric)")
                                // Different centroids only on (near-)ties of the score.
                                if fast.0 != portable.0 {
                                    var other: Float = 0
                                    for j in 0..<d {
                                        let c = centroids.values[fast.0 * d + j]
                                        other += metric == .l2 ? (p[j] - c) * (p[j] - c) : p[j] * c
                                    }
                                    XCTAssertEqual(other, portable.1, accuracy: 1e-4 * max(1, abs(portable.1)))
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    func testEverySIMDLevelBuildsTheSameLookupTables() throws {
        for (d, m, nbits) in [(32, 8, 8), (24, 4, 5), (12, 6, 3), (10, 5, 4)] {
            let data = randomMatrix(rows: 600, dimension: d, seed: UInt64(d * 10 + nbits))
            let pq = ProductQuantizer(dimension: d, m: m, nbits: nbits)
            try data.values.withUnsafeBufferPointer { try pq.train($0.baseAddress!, count: 600) }
            let queries = randomMatrix(rows: 5, dimension: d, seed: 9)
            let width = m * pq.ksub
            var portable = [Float](repeating: 0, count: width), fast = [Float](repeating: 0, count: width)
            for q in 0..<5 {
                let x = queries.row(q)
                for l2 in [true, false] {
                    x.withUnsafeBufferPointer { x in
                        portable.withUnsafeMutableBufferPointer { pq.fillTables(x.baseAddress!, into: $0.baseAddress!, l2: l2, level: .portable) }
                        for level in SIMDLevel.allCases where level > .portable && level <= CPUFeatures.supported {
                            fast.withUnsafeMutableBufferPointer { pq.fillTables(x.baseAddress!, into: $0.baseAddress!, l2: l2, level: level) }
                            XCTAssertEqual(fast.map(\.bitPattern), portable.map(\.bitPattern), "PQ\(m)x\(nbits) d \(d) \(level.name) l2 \(l2)")
                        }
                    }
                }
            }
        }
    }

    func testProductQuantizerShapesAreValidated() {
        XCTAssertNil(ProductQuantizer.validate(dimension: 64, m: 16, nbits: 8))
        XCTAssertNotNil(ProductQuantizer.validate(dimension: 64, m: 12, nbits: 8))
        XCTAssertNotNil(ProductQuantizer.validate(dimension: 64, m: 16, nbits: 25))
        XCTAssertNotNil(ProductQuantizer.validate(dimension: 64, m: 0, nbits: 8))
    }

    // MARK: - k-means

    /// `clusters` well-separated blobs of `perCluster` points each.
    private func blobs(clusters: Int, perCluster: Int, d: Int, seed: UInt64) -> (VectorMatrix, [[Float]]) {
        let noise = randomMatrix(rows: clusters * perCluster, dimension: d, seed: seed)
        let centres = randomMatrix(rows: clusters, dimension: d, seed: seed + 1)
        var values = [Float]()
        for c in 0..<clusters {
            for p in 0..<perCluster {
                for j in 0..<d { values.append(centres.values[c * d + j] * 20 + noise.values[(c * perCluster + p) * d + j] * 0.1) }
            }
        }
        return (VectorMatrix(rows: clusters * perCluster, dimension: d, values: values),
                (0..<clusters).map { c in (0..<d).map { centres.values[c * d + $0] * 20 } })
    }

    func testKMeansFindsSeparatedClustersAndIsDeterministic() throws {
        let (data, centres) = blobs(clusters: 8, perCluster: 60, d: 6, seed: 5)
        let run = {
            try data.values.withUnsafeBufferPointer {
                try KMeans.train($0.baseAddress!, count: data.rows, dimension: 6, clusters: 8)
            }
        }
        let first = try run()
        let second = try run()
        XCTAssertEqual(first.centroids, second.centroids)
        XCTAssertEqual(first.objectives.count, 25)
        XCTAssertLessThanOrEqual(first.objectives.last!, first.objectives.first!)
        // Lloyd's algorithm may settle in a local minimum (two centroids sharing a blob), but most
        // blobs get a centroid at their mean, within the noise.
        func distance(_ c: Int, _ x: [Float]) -> Float {
            var sum: Float = 0
            for j in 0..<6 { sum += (first.centroids[c * 6 + j] - x[j]) * (first.centroids[c * 6 + j] - x[j]) }
            return sum
        }
        let found = centres.filter { centre in (0..<8).map { distance($0, centre) }.min()! < 0.05 }.count
        XCTAssertGreaterThanOrEqual(found, 6)
        // At a fixed point each centroid is the mean of the points nearest to it.
        var sums = [Float](repeating: 0, count: 8 * 6), counts = [Float](repeating: 0, count: 8)
        for i in 0..<data.rows {
            let x = data.row(i)
            let nearest = (0..<8).min { distance($0, x) < distance($1, x) }!
            counts[nearest] += 1
            for j in 0..<6 { sums[nearest * 6 + j] += x[j] }
        }
        for c in 0..<8 where counts[c] > 0 {
            for j in 0..<6 { XCTAssertEqual(sums[c * 6 + j] / counts[c], first.centroids[c * 6 + j], accuracy: 1e-3) }
        }
    }

    func testKMeansSplitsEmptyClusters() throws {
        // 300 points but only 3 distinct values for 10 clusters: most clusters empty out and are split.
        let d = 4
        var values = [Float]()
        for i in 0..<300 { values += [Float](repeating: Float(i % 3) * 5, count: d) }
        let result = try values.withUnsafeBufferPointer {
            try KMeans.train($0.baseAddress!, count: 300, dimension: d, clusters: 10)
        }
        XCTAssertGreaterThan(result.splits, 0)
        XCTAssertTrue(result.centroids.allSatisfy { $0.isFinite })
        XCTAssertTrue(result.tooFewPointsWarning)
    }

    func testKMeansSubsamplesLikeFaiss() throws {
        let data = randomMatrix(rows: 3000, dimension: 3, seed: 8)
        var parameters = KMeansParameters()
        parameters.maxPointsPerCentroid = 100
        parameters.iterations = 2
        let result = try data.values.withUnsafeBufferPointer {
            try KMeans.train($0.baseAddress!, count: 3000, dimension: 3, clusters: 4, parameters: parameters)
        }
        XCTAssertEqual(result.pointsUsed, 400)
    }

    func testKMeansRefusesTooFewPointsAndBadValuesAndCanBeCancelled() {
        let data = randomMatrix(rows: 5, dimension: 2, seed: 1)
        XCTAssertThrowsError(try data.values.withUnsafeBufferPointer {
            try KMeans.train($0.baseAddress!, count: 5, dimension: 2, clusters: 6)
        }) { XCTAssertEqual($0 as? TrainingError, .tooFewPoints(points: 5, clusters: 6)) }
        var bad = data.values
        bad[3] = .nan
        XCTAssertThrowsError(try bad.withUnsafeBufferPointer {
            try KMeans.train($0.baseAddress!, count: 5, dimension: 2, clusters: 2)
        }) { XCTAssertEqual($0 as? TrainingError, .nonFiniteInput) }
        let big = randomMatrix(rows: 500, dimension: 4, seed: 2)
        var calls = 0
        XCTAssertThrowsError(try big.values.withUnsafeBufferPointer {
            try KMeans.train($0.baseAddress!, count: 500, dimension: 4, clusters: 5, progress: { _, _ in
                calls += 1
                return calls < 3
            })
        }) { XCTAssertTrue($0 is CancellationError) }
        XCTAssertEqual(calls, 3)
    }

    func testSphericalKMeansGivesUnitCentroids() throws {
        let data = randomMatrix(rows: 400, dimension: 8, seed: 12)
        var parameters = KMeansParameters()
        parameters.spherical = true
        let result = try data.values.withUnsafeBufferPointer {
            try KMeans.train($0.baseAddress!, count: 400, dimension: 8, clusters: 5, metric: .innerProduct, parameters: parameters)
        }
        for c in 0..<5 {
            let norm = (0..<8).reduce(Float(0)) { $0 + result.centroids[c * 8 + $1] * result.centroids[c * 8 + $1] }
            XCTAssertEqual(norm, 1, accuracy: 1e-5)
        }
    }
}
