import Foundation
import XCTest
@testable import Core

/// Integer-valued vectors in [−4, 4] drawn with SplitMix64 (z mod 9 − 4), the generator the
/// FAISS reference values below were made with: every distance is exact in float32, so graphs
/// and results can be compared with FAISS's bit for bit, ties included.
func integerMatrix(rows: Int, dimension: Int, seed: UInt64) -> VectorMatrix {
    var rng = SplitMix64(seed: seed)
    let values = (0..<(rows * dimension)).map { _ in Float(Int(rng.next() % 9) - 4) }
    return VectorMatrix(rows: rows, dimension: dimension, values: values)
}

/// FNV-1a, 64-bit, of a byte array.
func fnv1a(_ bytes: [UInt8]) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes {
        hash ^= UInt64(byte)
        hash = hash &* 0x100_0000_01b3
    }
    return hash
}

/// The bytes `index` saves to.
func savedBytes(_ index: any VectorIndex, in folder: TemporaryFolder, name: String = "saved.index") throws -> [UInt8] {
    let path = folder.file(name)
    try FaissIndexFile.write(index, to: path)
    return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
}

/// Mean share of the exact top k found.
func recallAtK(_ result: SearchResult, _ reference: (ids: [[Int64]], scores: [[Double]])) -> Double {
    var total = 0.0
    for q in 0..<result.queryCount {
        total += Double(Set(result.ids(ofQuery: q)).intersection(reference.ids[q]).count) / Double(reference.ids[q].count)
    }
    return total / Double(result.queryCount)
}

final class HNSWIndexTests: XCTestCase {
    // MARK: - FAISS's tables and random numbers

    func testDefaultLevelTablesMatchFAISS() {
        // assign_probas bit patterns and cum_nneighbor_per_level printed by faiss-cpu 1.15.1.
        let expected: [Int: ([UInt64], [Int32])] = [
            5: ([0x3fe9_9999_a000_0000, 0x3fc4_7ae1_4000_0000, 0x3fa0_624d_c000_0000, 0x3f7a_36e2_c000_0000,
                 0x3f54_f8b5_6000_0000, 0x3f30_c6f7_8000_0000, 0x3f0a_d7f2_4000_0000, 0x3ee5_798e_a000_0000,
                 0x3ec1_2e0b_a000_0000, 0x3e9b_7cdf_6000_0000, 0x3e75_fd7f_8000_0000, 0x3e51_9799_2000_0000,
                 0x3e2c_25c1_c000_0000], [0, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70]),
            16: ([0x3fee_0000_0000_0000, 0x3fae_0000_0000_0000, 0x3f6e_0000_0000_0000, 0x3f2e_0000_0000_0000,
                  0x3eee_0000_0000_0000, 0x3ead_ffff_e000_0000, 0x3e6d_ffff_e000_0000, 0x3e2d_ffff_e000_0000],
                 [0, 32, 48, 64, 80, 96, 112, 128, 144]),
            32: ([0x3fef_0000_0000_0000, 0x3f9f_0000_8000_0000, 0x3f4f_0000_e000_0000, 0x3eff_0000_e000_0000,
                  0x3eaf_0001_e000_0000, 0x3e5f_0002_c000_0000], [0, 64, 96, 128, 160, 192, 224]),
            48: ([0x3fef_5555_6000_0000, 0x3f94_e38e_2000_0000, 0x3f3b_da12_e000_0000, 0x3ee2_9162_8000_0000,
                  0x3e88_c1d7_c000_0000, 0x3e30_813b_0000_0000], [0, 96, 144, 192, 240, 288, 336]),
        ]
        for (m, (probas, cum)) in expected {
            let (gotProbas, gotCum) = HNSWGraph.defaultTables(m: m)
            XCTAssertEqual(gotProbas.map(\.bitPattern), probas, "M = \(m)")
            XCTAssertEqual(gotCum, cum, "M = \(m)")
        }
    }

    func testRandomGeneratorMatchesFAISS() {
        var shuffle = FaissRandomGenerator(seed: 789)
        XCTAssertEqual((0..<5).map { _ in shuffle.randInt(1000) }, [499, 934, 838, 586, 273])
        var levels = FaissRandomGenerator(seed: 12345)
        XCTAssertEqual((0..<3).map { _ in levels.randFloat() },
                       [Float(0.9296160936355591), Float(0.8901547193527222), Float(0.3163755536079407)])
    }

    func testLevelsMatchFAISS() {
        // faiss.IndexHNSWFlat(4, 16) after adding 5000 vectors: hnsw.levels.
        let graph = HNSWGraph(m: 16)
        _ = graph.prepareLevels(count: 5000)
        let first: [Int32] = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 1, 1, 1, 1, 1, 1, 1,
                              1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1]
        XCTAssertEqual(Array(graph.levels.prefix(40)), first)
        XCTAssertEqual(graph.nodesPerLevel, [4712, 276, 10, 2])
        XCTAssertEqual(graph.offsets.last, graph.neighborCount)
    }

    // MARK: - Construction and search, against FAISS

    /// (metric, file size, FNV-1a of the file) for faiss.IndexHNSWFlat(8, 8) over
    /// integerMatrix(1500, 8, seed 7), built by faiss-cpu 1.15.1 in one add and in two (1000 + 500).
    private let faissBuilds: [(Metric, size: Int, oneAdd: UInt64, twoAdds: UInt64)] = [
        (.l2, 169_090, 0xb1e4_a843_19a9_f9c7, 0xea16_c03c_d729_de11),
        (.innerProduct, 169_090, 0xfca5_68be_6f78_59a4, 0xae9b_3c3b_34fb_9e89),
    ]

    func testBuildIsByteIdenticalToFAISSOnEveryThreadCount() throws {
        let folder = TemporaryFolder()
        let data = integerMatrix(rows: 1500, dimension: 8, seed: 7)
        for (metric, size, oneAdd, _) in faissBuilds {
            for threads in [1, 2] {
                let index = HNSWIndex(dimension: 8, metric: metric, m: 8)
                index.buildThreads = threads
                try index.add(data, ids: nil)
                let bytes = try savedBytes(index, in: folder)
                XCTAssertEqual(bytes.count, size, "\(metric), \(threads) threads")
                XCTAssertEqual(fnv1a(bytes), oneAdd, "\(metric), \(threads) threads: not FAISS's graph")
            }
        }
    }

    func testIncrementalAddsMatchFAISS() throws {
        let folder = TemporaryFolder()
        let data = integerMatrix(rows: 1500, dimension: 8, seed: 7)
        for (metric, _, _, twoAdds) in faissBuilds {
            let index = HNSWIndex(dimension: 8, metric: metric, m: 8)
            try index.add(data.rows(0..<1000), ids: nil)
            try index.add(data.rows(1000..<1500), ids: nil)
            XCTAssertEqual(fnv1a(try savedBytes(index, in: folder)), twoAdds, "\(metric)")
        }
    }

    func testSearchReturnsFAISSResultsWithTies() throws {
        // faiss: efSearch 16, k 10, queries integerMatrix(6, 8, seed 99) on the graphs above.
        let expected: [Metric: (ids: [[Int64]], scores: [[Float]])] = [
            .l2: ([[604, 1103, 818, 1001, 1170, 1365, 615, 1401, 628, 454], [1268, 1428, 232, 294, 598, 10, 74, 902, 1310, 1499],
                   [292, 1299, 845, 191, 287, 704, 1263, 1095, 661, 1413], [1129, 1253, 1412, 1302, 1031, 163, 236, 693, 73, 763],
                   [682, 336, 337, 356, 944, 359, 1379, 1350, 1376, 1196], [1279, 474, 1171, 1266, 349, 1160, 303, 1020, 392, 1369]],
                  [[10, 10, 14, 15, 17, 18, 20, 20, 21, 22], [9, 15, 23, 24, 24, 25, 26, 26, 26, 27],
                   [17, 22, 24, 25, 27, 27, 28, 30, 32, 32], [9, 9, 17, 18, 21, 23, 23, 23, 24, 24],
                   [15, 22, 24, 24, 24, 25, 26, 27, 27, 28], [13, 15, 15, 15, 17, 19, 20, 20, 21, 21]]),
            .innerProduct: ([[1493, 1001, 1275, 1435, 240, 1027, 26, 461, 732, 818], [598, 1428, 1036, 1268, 902, 607, 401, 232, 1100, 965],
                             [1305, 292, 1381, 1453, 819, 704, 287, 1095, 845, 1299], [1253, 396, 236, 1280, 73, 645, 609, 24, 693, 1129],
                             [1361, 44, 944, 356, 359, 682, 117, 850, 612, 62], [474, 879, 1122, 1020, 983, 411, 847, 170, 1323, 529]],
                            [[55, 53, 51, 49, 48, 46, 43, 42, 41, 40], [63, 62, 59, 58, 56, 52, 51, 51, 49, 49],
                             [65, 65, 64, 60, 60, 60, 60, 57, 56, 55], [54, 53, 53, 52, 52, 46, 46, 46, 44, 43],
                             [64, 64, 63, 63, 60, 57, 57, 55, 54, 53], [44, 40, 39, 38, 38, 37, 36, 36, 35, 35]]),
        ]
        let data = integerMatrix(rows: 1500, dimension: 8, seed: 7)
        let queries = integerMatrix(rows: 6, dimension: 8, seed: 99)
        for (metric, reference) in expected {
            let index = HNSWIndex(dimension: 8, metric: metric, m: 8)
            try index.add(data, ids: nil)
            XCTAssertEqual(index.efSearch, 16)
            let result = try index.search(queries, k: 10)
            XCTAssertEqual(result.ids, reference.ids.flatMap { $0 }, "\(metric)")
            XCTAssertEqual(result.scores, reference.scores.flatMap { $0 }, "\(metric)")
            // One query at a time gives the same (the per-thread buffers are reused).
            for q in 0..<queries.rows {
                XCTAssertEqual(Array(try index.search(queries.rows(q..<(q + 1)), k: 10).ids), reference.ids[q])
            }
        }
    }

    func testRecallAgainstBruteForce() throws {
        let data = randomMatrix(rows: 4000, dimension: 24, seed: 11)
        let queries = randomMatrix(rows: 60, dimension: 24, seed: 12)
        for metric in [Metric.l2, .innerProduct] {
            let index = HNSWIndex(dimension: 24, metric: metric, m: 16)
            try index.add(data, ids: nil)
            index.efSearch = 64
            let recall = recallAtK(try index.search(queries, k: 10), referenceSearch(data, queries, k: 10, metric: metric))
            XCTAssertGreaterThanOrEqual(recall, 0.95, "\(metric)")
            index.efSearch = 1
            let low = recallAtK(try index.search(queries, k: 10), referenceSearch(data, queries, k: 10, metric: metric))
            XCTAssertLessThan(low, recall, "a wider search should find more")
        }
    }

    func testSearchingWithEfAtLeastTheIndexSizeIsExact() throws {
        let data = randomMatrix(rows: 400, dimension: 8, seed: 21)
        let queries = randomMatrix(rows: 20, dimension: 8, seed: 22)
        for metric in [Metric.l2, .innerProduct] {
            let index = HNSWIndex(dimension: 8, metric: metric, m: 8)
            try index.add(data, ids: nil)
            let result = try index.search(queries, k: 10, parameters: SearchParameters(efSearch: 400))
            assertMatchesReference(result, referenceSearch(data, queries, k: 10, metric: metric), tolerance: 1e-5)
            XCTAssertEqual(index.efSearch, 16, "a per-call efSearch leaves the index's own alone")
        }
    }

    func testKAboveTheCountAndAboveEfSearch() throws {
        let data = randomMatrix(rows: 5, dimension: 4, seed: 3)
        let index = HNSWIndex(dimension: 4, metric: .l2, m: 4)
        try index.add(data, ids: nil)
        let result = try index.search(randomMatrix(rows: 2, dimension: 4, seed: 4), k: 8)
        for q in 0..<2 {
            XCTAssertEqual(Set(result.ids(ofQuery: q).prefix(5)), Set(0..<5))
            XCTAssertEqual(Array(result.ids(ofQuery: q).suffix(3)), [-1, -1, -1])
            XCTAssertEqual(Array(result.scores(ofQuery: q).suffix(3)), [Float.greatestFiniteMagnitude, .greatestFiniteMagnitude, .greatestFiniteMagnitude])
        }
        // k above efSearch: the candidate list holds max(efSearch, k), but the search stops by
        // efSearch, so FAISS pads here too (faiss-cpu 1.15.1 returns 17–27 of 40 for such queries).
        let big = HNSWIndex(dimension: 8, metric: .l2, m: 8)
        try big.add(randomMatrix(rows: 300, dimension: 8, seed: 5), ids: nil)
        let queries = randomMatrix(rows: 3, dimension: 8, seed: 6)
        let narrow = try big.search(queries, k: 40, parameters: SearchParameters(efSearch: 2))
        XCTAssertTrue(narrow.ids.contains(-1))
        for q in 0..<3 {
            let found = narrow.ids(ofQuery: q).filter { $0 >= 0 }
            XCTAssertEqual(Set(found).count, found.count)
            XCTAssertGreaterThan(found.count, 2)
            XCTAssertEqual(Array(narrow.ids(ofQuery: q).prefix(found.count)), found, "padding comes last")
        }
        XCTAssertFalse(try big.search(queries, k: 40, parameters: SearchParameters(efSearch: 40)).ids.contains(-1))
    }

    func testEmptyIndex() throws {
        let index = HNSWIndex(dimension: 3, metric: .innerProduct, m: 16)
        XCTAssertEqual(index.count, 0)
        XCTAssertEqual(index.maxLevel, -1)
        XCTAssertEqual(index.entryPoint, -1)
        let result = try index.search(VectorMatrix(vector: [1, 2, 3]), k: 2)
        XCTAssertEqual(result.ids, [-1, -1])
        XCTAssertEqual(result.scores, [-Float.greatestFiniteMagnitude, -Float.greatestFiniteMagnitude])
    }

    func testMisuseIsRefused() throws {
        let index = HNSWIndex(dimension: 4, metric: .l2, m: 8)
        XCTAssertThrowsError(try index.add(randomMatrix(rows: 2, dimension: 4, seed: 1), ids: [1, 2])) {
            XCTAssertEqual($0 as? IndexError, .idsNotAccepted(className: "IndexHNSWFlat"))
        }
        XCTAssertThrowsError(try index.add(randomMatrix(rows: 2, dimension: 5, seed: 1), ids: nil)) {
            XCTAssertEqual($0 as? IndexError, .dimensionMismatch(expected: 4, found: 5, what: "the vectors added"))
        }
        XCTAssertThrowsError(try index.search(randomMatrix(rows: 1, dimension: 4, seed: 1), k: 0)) {
            XCTAssertEqual($0 as? IndexError, .invalidK(0))
        }
        XCTAssertThrowsError(try index.search(randomMatrix(rows: 1, dimension: 3, seed: 1), k: 1))
        XCTAssertThrowsError(try index.train(randomMatrix(rows: 1, dimension: 3, seed: 1), progress: { _, _ in true }))
        XCTAssertThrowsError(try index.reconstruct(id: 0)) { XCTAssertEqual($0 as? IndexError, .idNotFound(0)) }
    }

    func testReconstructReturnsTheStoredVector() throws {
        let data = randomMatrix(rows: 50, dimension: 6, seed: 8)
        let index = HNSWIndex(dimension: 6, metric: .l2, m: 4)
        try index.train(data, progress: { _, _ in true })
        try index.add(data, ids: nil)
        for row in [0, 17, 49] { XCTAssertEqual(try index.reconstruct(id: Int64(row)), data.row(row)) }
        XCTAssertThrowsError(try index.reconstruct(id: 50))
        XCTAssertThrowsError(try index.reconstruct(id: -1))
    }

    // MARK: - Progress and cancellation

    func testProgressCountsEveryVector() throws {
        let index = HNSWIndex(dimension: 8, metric: .l2, m: 8)
        var calls = [(Int, Int)]()
        try index.add(randomMatrix(rows: 3000, dimension: 8, seed: 9), ids: nil, progress: { done, total in
            calls.append((done, total))
            return true
        })
        XCTAssertGreaterThan(calls.count, 5)
        XCTAssertTrue(calls.allSatisfy { $0.1 == 3000 })
        XCTAssertTrue(zip(calls, calls.dropFirst()).allSatisfy { $0.0 <= $1.0 }, "progress never goes back")
        XCTAssertEqual(calls.last.map { [$0.0, $0.1] }, [3000, 3000])
        XCTAssertEqual(index.count, 3000)
    }

    func testCancellingLeavesTheIndexAsItWas() throws {
        let folder = TemporaryFolder()
        let data = integerMatrix(rows: 1500, dimension: 8, seed: 7)
        for (metric, _, _, twoAdds) in faissBuilds {
            let index = HNSWIndex(dimension: 8, metric: metric, m: 8)
            try index.add(data.rows(0..<1000), ids: nil)
            let before = try savedBytes(index, in: folder)
            for stopAfter in [1, 3] {
                var calls = 0
                XCTAssertThrowsError(try index.add(data.rows(1000..<1500), ids: nil, progress: { _, _ in
                    calls += 1
                    return calls < stopAfter
                })) { XCTAssertTrue($0 is CancellationError, "\($0)") }
                XCTAssertEqual(calls, stopAfter)
                XCTAssertEqual(index.count, 1000)
                XCTAssertEqual(try savedBytes(index, in: folder), before, "\(metric): a cancelled add changed the index")
            }
            // Even the level generator was rolled back: the next add is FAISS's second add.
            try index.add(data.rows(1000..<1500), ids: nil)
            XCTAssertEqual(fnv1a(try savedBytes(index, in: folder)), twoAdds, "\(metric)")
        }
        // Cancelling the very first add leaves an empty index.
        let fresh = HNSWIndex(dimension: 8, metric: .l2, m: 8)
        XCTAssertThrowsError(try fresh.add(data, ids: nil, progress: { _, _ in false }))
        XCTAssertEqual(fresh.count, 0)
        XCTAssertEqual(fresh.entryPoint, -1)
        XCTAssertEqual(try fresh.search(data.rows(0..<1), k: 1).ids, [-1])
    }

    // MARK: - Inside an IDMap

    func testIDMapOverHNSW() throws {
        let folder = TemporaryFolder()
        let data = randomMatrix(rows: 300, dimension: 8, seed: 31)
        let ids = (0..<300).map { Int64($0) * 1_000_003 + 7 }
        let wrapper = try IDMapIndex(kind: .idMap2, inner: HNSWIndex(dimension: 8, metric: .innerProduct, m: 8), ids: [])
        try wrapper.add(data, ids: ids)
        XCTAssertEqual(wrapper.count, 300)
        let result = try wrapper.search(data.rows(10..<12), k: 3)
        XCTAssertEqual(Set(result.ids).isSubset(of: Set(ids)), true)
        XCTAssertEqual(try wrapper.reconstruct(id: ids[42]), data.row(42))
        let bytes = try savedBytes(wrapper, in: folder, name: "idmap.index")
        XCTAssertEqual(Array(bytes.prefix(4)), Array("IxM2".utf8))
        XCTAssertEqual(Array(bytes[37..<41]), Array("IHNf".utf8))
        let back = try FaissIndexFile.read(path: folder.file("idmap.index"))
        XCTAssertTrue((back as? IDMapIndex)?.inner is HNSWIndex)
        XCTAssertEqual(try back.search(data.rows(10..<12), k: 3), result)
        XCTAssertEqual(try savedBytes(back, in: folder, name: "again.index"), bytes)
    }
}
