import XCTest
@testable import Core

final class FlatIndexTests: XCTestCase {
    func testScanAndBLASPathsMatchTheOracle() throws {
        for metric in [Metric.innerProduct, .l2] {
            for d in [1, 7, 37, 64] {
                let data = randomMatrix(rows: 1500, dimension: d, seed: UInt64(d))
                let index = FlatIndex(dimension: d, metric: metric)
                try index.add(data, ids: nil)
                // 3 queries take the SIMD scan, 25 take the BLAS path.
                for queryCount in [3, 25] {
                    let queries = randomMatrix(rows: queryCount, dimension: d, seed: 99)
                    let result = try index.search(queries, k: 10)
                    assertMatchesReference(result, referenceSearch(data, queries, k: 10, metric: metric), tolerance: 1e-4)
                }
            }
        }
    }

    func testResultsArePaddedWhenKExceedsCount() throws {
        for metric in [Metric.innerProduct, .l2] {
            let index = FlatIndex(dimension: 4, metric: metric)
            try index.add(randomMatrix(rows: 3, dimension: 4, seed: 1), ids: nil)
            for queryCount in [1, 30] {
                let result = try index.search(randomMatrix(rows: queryCount, dimension: 4, seed: 2), k: 5)
                for q in 0..<queryCount {
                    XCTAssertEqual(Array(result.ids(ofQuery: q)[(q * 5 + 3)...]), [-1, -1])
                    XCTAssertEqual(Array(result.scores(ofQuery: q)[(q * 5 + 3)...]), [metric.sentinelScore, metric.sentinelScore])
                    XCTAssertEqual(Set(result.ids(ofQuery: q).prefix(3)), [0, 1, 2])
                }
            }
        }
    }

    func testEmptyIndexReturnsOnlyPadding() throws {
        let index = FlatIndex(dimension: 8, metric: .innerProduct)
        let result = try index.search(randomMatrix(rows: 2, dimension: 8, seed: 3), k: 4)
        XCTAssertEqual(result.ids, [Int64](repeating: -1, count: 8))
        XCTAssertTrue(result.scores.allSatisfy { $0 == -Float.greatestFiniteMagnitude })
    }

    func testL2ScoresAreNeverNegative() throws {
        // A query equal to a stored vector: the BLAS identity may round below zero; FAISS clamps.
        let data = randomMatrix(rows: 100, dimension: 16, seed: 5)
        let index = FlatIndex(dimension: 16, metric: .l2)
        try index.add(data, ids: nil)
        let result = try index.search(data.rows(0..<30), k: 1)
        for q in 0..<30 {
            XCTAssertEqual(result.ids[q], Int64(q))
            XCTAssertGreaterThanOrEqual(result.scores[q], 0)
        }
    }

    func testMisuseIsReported() throws {
        let index = FlatIndex(dimension: 4, metric: .l2)
        XCTAssertThrowsError(try index.search(randomMatrix(rows: 1, dimension: 5, seed: 1), k: 1)) { error in
            XCTAssertEqual(error as? IndexError, .dimensionMismatch(expected: 4, found: 5, what: "the queries"))
        }
        XCTAssertThrowsError(try index.search(randomMatrix(rows: 1, dimension: 4, seed: 1), k: 0))
        XCTAssertThrowsError(try index.add(randomMatrix(rows: 1, dimension: 4, seed: 1), ids: [7]))
        XCTAssertThrowsError(try index.reconstruct(id: 0))
    }

    func testReconstructReturnsTheStoredRow() throws {
        let data = randomMatrix(rows: 10, dimension: 6, seed: 8)
        let index = FlatIndex(dimension: 6, metric: .innerProduct)
        try index.add(data.rows(0..<4), ids: nil)
        try index.add(data.rows(4..<10), ids: nil)
        XCTAssertEqual(try index.reconstruct(id: 7), data.row(7))
    }

    func testIDMapTranslatesIDsAndLooksThemUp() throws {
        let data = randomMatrix(rows: 50, dimension: 8, seed: 9)
        let ids = (0..<50).map { Int64($0) * 1_000_003 + (1 << 40) }
        for kind in [IDMapIndex.Kind.idMap, .idMap2] {
            let index = try IDMapIndex(kind: kind, inner: FlatIndex(dimension: 8, metric: .l2), ids: [])
            try index.add(data, ids: ids)
            let result = try index.search(data.rows(10..<11), k: 3)
            XCTAssertEqual(result.ids[0], ids[10])
            XCTAssertEqual(try index.reconstruct(id: ids[33]), data.row(33))
            XCTAssertThrowsError(try index.reconstruct(id: 12345))
            XCTAssertThrowsError(try index.add(data.rows(0..<2), ids: nil))
            XCTAssertThrowsError(try index.add(data.rows(0..<2), ids: [1]))
        }
    }
}
