import Foundation
import XCTest
@testable import Core

/// IVF, SQ and PQ indexes: training, search against brute-force oracles, ids, reconstruction,
/// the factory, progress and cancellation.
final class IVFIndexTests: XCTestCase {
    /// Clustered data: `clusters` centres with noise, so IVF lists have structure.
    static func clustered(rows: Int, dimension d: Int, clusters: Int = 20, seed: UInt64) -> VectorMatrix {
        let centres = randomMatrix(rows: clusters, dimension: d, seed: seed)
        let noise = randomMatrix(rows: rows, dimension: d, seed: seed + 1)
        var values = [Float](repeating: 0, count: rows * d)
        for i in 0..<rows {
            let c = (i * 7919) % clusters
            for j in 0..<d { values[i * d + j] = centres.values[c * d + j] * 3 + noise.values[i * d + j] * 0.5 }
        }
        return VectorMatrix(rows: rows, dimension: d, values: values)
    }

    private func trained(_ factory: String, _ data: VectorMatrix, metric: Metric) throws -> any VectorIndex {
        let index = try IndexFactory.make(factory, dimension: data.dimension, metric: metric)
        let core = (index as? IDMapIndex)?.inner ?? index
        try (core as? TrainableIndex)?.train(data, progress: { _, _ in true })
        return index
    }

    /// Tie-proof oracle check (quantized vectors often decode to identical points): rank by rank
    /// the score equals the oracle's, and each returned id really has that score.
    private func assertScoresMatchDatabase(_ result: SearchResult, _ database: VectorMatrix, _ queries: VectorMatrix, k: Int,
                                           metric: Metric, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        let reference = referenceSearch(database, queries, k: k, metric: metric)
        let d = database.dimension
        for q in 0..<queries.rows {
            let ids = Array(result.ids(ofQuery: q)), scores = Array(result.scores(ofQuery: q))
            XCTAssertEqual(Set(ids).count, k, "\(label) query \(q): repeated ids", file: file, line: line)
            for j in 0..<k {
                let expected = reference.scores[q][j]
                let tolerance = 2e-4 * max(1, abs(expected))
                XCTAssertEqual(Double(scores[j]), expected, accuracy: tolerance, "\(label) query \(q) rank \(j)", file: file, line: line)
                let row = Int(ids[j])
                var own = 0.0
                for c in 0..<d {
                    let a = Double(queries.values[q * d + c]), b = Double(database.values[row * d + c])
                    own += metric == .innerProduct ? a * b : (a - b) * (a - b)
                }
                XCTAssertEqual(own, expected, accuracy: tolerance, "\(label) query \(q) rank \(j): id \(row)", file: file, line: line)
            }
        }
    }

    // MARK: - IVF-Flat

    func testIVFFlatScanningEveryListIsExactSearch() throws {
        let data = Self.clustered(rows: 1500, dimension: 16, seed: 1)
        let queries = randomMatrix(rows: 30, dimension: 16, seed: 99)
        for metric in [Metric.l2, .innerProduct] {
            let ivf = try XCTUnwrap(try trained("IVF12,Flat", data, metric: metric) as? IVFIndex)
            try ivf.add(data, ids: nil)
            ivf.nprobe = 12
            for q in [queries, queries.rows(0..<1)] {
                let result = try ivf.search(q, k: 15)
                assertMatchesReference(result, referenceSearch(data, q, k: 15, metric: metric), tolerance: 1e-4)
            }
        }
    }

    func testIVFFlatWithFewProbesSearchesExactlyTheNearestLists() throws {
        let data = Self.clustered(rows: 2000, dimension: 8, seed: 2)
        let queries = randomMatrix(rows: 25, dimension: 8, seed: 7)
        for metric in [Metric.l2, .innerProduct] {
            let ivf = try XCTUnwrap(try trained("IVF16,Flat", data, metric: metric) as? IVFIndex)
            try ivf.add(data, ids: nil)
            ivf.nprobe = 3
            let result = try ivf.search(queries, k: 10)
            let coarse = try ivf.quantizer.search(queries, k: 3)
            // The oracle: exact search restricted to the vectors of the three probed lists.
            for q in 0..<queries.rows {
                let probed = Set(coarse.ids(ofQuery: q).map { Int($0) })
                var rows = [Int]()
                for list in probed { for o in 0..<ivf.lists.count(list) { rows.append(Int(ivf.lists.id(list: list, offset: o))) } }
                let subset = VectorMatrix(rows: rows.count, dimension: 8, values: rows.flatMap { data.row($0) })
                let reference = referenceSearch(subset, queries.rows(q..<(q + 1)), k: 10, metric: metric)
                let mapped = (ids: [reference.ids[0].map { Int64(rows[Int($0)]) }], scores: reference.scores)
                let one = SearchResult(queryCount: 1, k: 10, scores: Array(result.scores(ofQuery: q)), ids: Array(result.ids(ofQuery: q)))
                assertMatchesReference(one, mapped, tolerance: 1e-4)
            }
        }
    }

    func testIVFStoresGivenIDsAndReconstructsByThem() throws {
        let data = Self.clustered(rows: 500, dimension: 6, seed: 3)
        let ivf = try XCTUnwrap(try trained("IVF8,Flat", data, metric: .l2) as? IVFIndex)
        let ids = (0..<500).map { Int64($0) * 1_000_003 + (1 << 40) }
        try ivf.add(data, ids: ids)
        ivf.nprobe = 8
        let result = try ivf.search(data.rows(10..<11), k: 1)
        XCTAssertEqual(result.ids, [ids[10]])
        XCTAssertEqual(try ivf.reconstruct(id: ids[123]), data.row(123))
        XCTAssertThrowsError(try ivf.reconstruct(id: 5)) { XCTAssertEqual($0 as? IndexError, .idNotFound(5)) }
        // Ids added later are found by the lookup already built.
        try ivf.add(VectorMatrix(vector: [1, 2, 3, 4, 5, 6]), ids: [-77])
        XCTAssertEqual(try ivf.reconstruct(id: -77), [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(ivf.count, 501)
    }

    func testUntrainedAndMisusedIndexesFailClearly() throws {
        let ivf = try XCTUnwrap(try IndexFactory.make("IVF4,PQ2", dimension: 4, metric: .l2) as? IVFIndex)
        XCTAssertThrowsError(try ivf.add(randomMatrix(rows: 3, dimension: 4, seed: 1), ids: nil)) {
            XCTAssertEqual($0 as? TrainingError, .notTrained(className: "IndexIVFPQ"))
        }
        XCTAssertThrowsError(try ivf.train(randomMatrix(rows: 3, dimension: 4, seed: 1), progress: { _, _ in true })) {
            XCTAssertEqual($0 as? TrainingError, .tooFewPoints(points: 3, clusters: 4))
        }
        XCTAssertThrowsError(try ivf.search(randomMatrix(rows: 1, dimension: 5, seed: 1), k: 1))
        let result = try ivf.search(randomMatrix(rows: 2, dimension: 4, seed: 1), k: 3)
        XCTAssertEqual(result.ids, [-1, -1, -1, -1, -1, -1])
        XCTAssertEqual(result.scores, [Float](repeating: .greatestFiniteMagnitude, count: 6))
        let sq = ScalarQuantizerIndex(dimension: 4, metric: .l2, type: .int8)
        XCTAssertThrowsError(try sq.add(randomMatrix(rows: 3, dimension: 4, seed: 1), ids: [1, 2, 3])) {
            XCTAssertEqual($0 as? IndexError, .idsNotAccepted(className: "IndexScalarQuantizer"))
        }
    }

    // MARK: - IVF-SQ and IVF-PQ

    func testIVFScalarQuantizerScoresAreDistancesToTheDecodedVectors() throws {
        let data = Self.clustered(rows: 1200, dimension: 12, seed: 4)
        let queries = randomMatrix(rows: 8, dimension: 12, seed: 5)
        for metric in [Metric.l2, .innerProduct] {
            for factory in ["IVF10,SQ8", "IVF10,SQ4", "IVF10,SQfp16", "IVF10,SQ6"] {
                let ivf = try XCTUnwrap(try trained(factory, data, metric: metric) as? IVFIndex)
                XCTAssertTrue(ivf.byResidual)
                try ivf.add(data, ids: nil)
                ivf.nprobe = 10
                // Every vector decoded (centroid + residual) is the oracle's database.
                let decoded = VectorMatrix(rows: 1200, dimension: 12, values: try (0..<1200).flatMap { try ivf.reconstruct(id: Int64($0)) })
                let result = try ivf.search(queries, k: 5)
                assertScoresMatchDatabase(result, decoded, queries, k: 5, metric: metric, "\(factory) \(metric)")
                // And the decoded vectors are close to the originals.
                let err = zip(decoded.values, data.values).map { abs($0 - $1) }.max()!
                XCTAssertLessThan(err, factory.hasSuffix("SQ4") ? 0.6 : 0.1, factory)
            }
        }
    }

    func testIVFPQScoresAreAsymmetricDistancesAndRecallIsReasonable() throws {
        let d = 16
        let data = Self.clustered(rows: 2000, dimension: d, seed: 6)
        let queries = Self.clustered(rows: 20, dimension: d, seed: 6).rows(0..<20)
        for metric in [Metric.l2, .innerProduct] {
            for factory in ["IVF8,PQ4x6", "IVF8,PQ8x5"] {
                let ivf = try XCTUnwrap(try trained(factory, data, metric: metric) as? IVFIndex)
                try ivf.add(data, ids: nil)
                ivf.nprobe = 8
                let result = try ivf.search(queries, k: 10)
                // Asymmetric distance: the query against each reconstructed vector (centroid + decoded residual).
                for q in 0..<queries.rows {
                    for (id, score) in zip(result.ids(ofQuery: q), result.scores(ofQuery: q)) {
                        let x = try ivf.reconstruct(id: id)
                        let qv = queries.row(q)
                        let exact = metric == .l2 ? zip(qv, x).reduce(Float(0)) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
                                                  : zip(qv, x).reduce(Float(0)) { $0 + $1.0 * $1.1 }
                        XCTAssertEqual(score, exact, accuracy: 1e-3 * max(1, abs(exact)), "\(factory) \(metric) query \(q)")
                    }
                }
                // Results are in order.
                for q in 0..<queries.rows {
                    let s = Array(result.scores(ofQuery: q))
                    XCTAssertEqual(s, metric == .l2 ? s.sorted() : s.sorted(by: >))
                }
                // The exact nearest neighbour is usually found in the top 10.
                let reference = referenceSearch(data, queries, k: 1, metric: metric)
                let hits = (0..<queries.rows).filter { result.ids(ofQuery: $0).contains(reference.ids[$0][0]) }.count
                XCTAssertGreaterThanOrEqual(hits, factory == "IVF8,PQ8x5" ? 13 : 8, "\(factory) \(metric)")
            }
        }
    }

    func testPrecomputedAndDirectTablesAgree() throws {
        let data = Self.clustered(rows: 1000, dimension: 8, seed: 13)
        let ivf = try XCTUnwrap(try trained("IVF6,PQ4", data, metric: .l2) as? IVFIndex)
        try ivf.add(data, ids: nil)
        ivf.nprobe = 4
        let queries = randomMatrix(rows: 5, dimension: 8, seed: 3)
        let withTable = try ivf.search(queries, k: 8)
        XCTAssertTrue(ivf.memoryUsage.contains { $0.name == "PQ precomputed table" })
        // Forcing the per-list tables: the same neighbours (scores equal up to rounding).
        ivf.usePrecomputedTable = false
        let viaDirect = try ivf.search(queries, k: 8)
        XCTAssertEqual(withTable.ids, viaDirect.ids)
        for (a, b) in zip(withTable.scores, viaDirect.scores) { XCTAssertEqual(a, b, accuracy: 1e-3 * max(1, abs(b))) }
    }

    // MARK: - Flat SQ and PQ indexes

    func testScalarQuantizerAndPQIndexesSearchTheirDecodedVectors() throws {
        let data = Self.clustered(rows: 700, dimension: 8, seed: 8)
        let queries = randomMatrix(rows: 30, dimension: 8, seed: 9)
        for metric in [Metric.l2, .innerProduct] {
            for factory in ["SQ8", "SQ4", "SQfp16", "SQbf16", "PQ4x6", "PQ2x5", "PQ8x8"] {
                let index = try trained(factory, data, metric: metric)
                try index.add(data, ids: nil)
                let decoded = VectorMatrix(rows: 700, dimension: 8, values: try (0..<700).flatMap { try index.reconstruct(id: Int64($0)) })
                for q in [queries, queries.rows(0..<3)] {
                    let result = try index.search(q, k: 7)
                    assertScoresMatchDatabase(result, decoded, q, k: 7, metric: metric, "\(factory) \(metric)")
                }
            }
        }
    }

    func testPQIndexSymmetricSearchAndRefusedSearchTypes() throws {
        let data = Self.clustered(rows: 600, dimension: 8, seed: 10)
        let pq = try XCTUnwrap(try trained("PQ4x6", data, metric: .l2) as? PQIndex)
        try pq.add(data, ids: nil)
        XCTAssertEqual(pq.polysemousThreshold, 25)
        pq.searchType = .polysemous  // threshold 25 > 24 bits: filters nothing, same as ST_PQ
        let polysemous = try pq.search(data.rows(0..<5), k: 5)
        pq.searchType = .pq
        XCTAssertEqual(try pq.search(data.rows(0..<5), k: 5), polysemous)
        pq.searchType = .sdc
        let sdc = try pq.search(data.rows(0..<5), k: 5)
        // Symmetric: each vector is its own code's nearest code, at distance 0.
        for q in 0..<5 { XCTAssertEqual(sdc.scores(ofQuery: q).first, 0) }
        pq.searchType = .polysemous
        pq.polysemousThreshold = 10
        XCTAssertThrowsError(try pq.search(data.rows(0..<1), k: 1)) { XCTAssertTrue($0 is IndexParameterError) }
    }

    // MARK: - Progress and cancellation

    func testTrainingAndAddingReportProgressAndCanBeCancelled() throws {
        let data = Self.clustered(rows: 3000, dimension: 8, seed: 11)
        for factory in ["IVF20,Flat", "IVF10,PQ4x6", "PQ4x5", "IVF10,SQ8"] {
            let index = try XCTUnwrap(try IndexFactory.make(factory, dimension: 8, metric: .l2) as? TrainableIndex)
            var seen = [(Int, Int)]()
            try index.train(data, progress: { seen.append(($0, $1)); return true })
            XCTAssertFalse(seen.isEmpty, factory)
            XCTAssertTrue(seen.allSatisfy { $0.0 <= $0.1 }, factory)
            XCTAssertEqual(seen.last.map { $0.0 == $0.1 }, true, factory)
            var calls = 0
            XCTAssertThrowsError(try index.add(data, ids: nil, progress: { _, _ in calls += 1; return false })) {
                XCTAssertTrue($0 is CancellationError, factory)
            }
            XCTAssertEqual(calls, 1)
            let fresh = try XCTUnwrap(try IndexFactory.make(factory, dimension: 8, metric: .l2) as? TrainableIndex)
            XCTAssertThrowsError(try fresh.train(data, progress: { _, _ in false })) { XCTAssertTrue($0 is CancellationError, factory) }
        }
    }

    // MARK: - Factory

    func testFactoryBuildsEverySupportedForm() throws {
        func make(_ s: String, _ d: Int = 32) throws -> any VectorIndex { try IndexFactory.make(s, dimension: d, metric: .l2) }
        XCTAssertTrue(try make("Flat") is FlatIndex)
        XCTAssertEqual((try make("IVF100,Flat") as? IVFIndex)?.nlist, 100)
        XCTAssertEqual((try make("IDMap,Flat") as? IDMapIndex)?.kind, .idMap)
        XCTAssertEqual((try make("IDMap2,IVF8,SQ8") as? IDMapIndex)?.inner.faissClassName, "IndexIVFScalarQuantizer")
        XCTAssertEqual((try make("IVF8,Flat,IDMap") as? IDMapIndex)?.kind, .idMap)
        for (s, type) in [("SQ8", ScalarQuantizer.QuantizerType.int8), ("SQ4", .int4), ("SQfp16", .fp16), ("SQ6", .int6),
                          ("SQbf16", .bf16), ("SQ8_direct", .int8Direct)] {
            XCTAssertEqual((try make(s) as? ScalarQuantizerIndex)?.quantizer.type, type, s)
            guard case let .scalarQuantizer(sq)? = (try make("IVF4," + s) as? IVFIndex)?.encoding else { return XCTFail(s) }
            XCTAssertEqual(sq.type, type)
        }
        let pq = try XCTUnwrap(try make("IVF1024,PQ16x10") as? IVFIndex)
        guard case let .productQuantizer(p) = pq.encoding else { return XCTFail() }
        XCTAssertEqual([p.m, p.nbits, p.codeSize], [16, 10, 20])
        XCTAssertEqual((try make("PQ8") as? PQIndex)?.pq.nbits, 8)
        XCTAssertEqual((try make("PQ8x6np") as? PQIndex)?.pq.nbits, 6)
        XCTAssertEqual((try make("IVF16,PQ4np") as? IVFIndex)?.codeSize, 4)
        XCTAssertEqual(try make("HNSW16").faissClassName, "IndexHNSWFlat")
        XCTAssertEqual(try make("HNSW16,Flat").faissClassName, "IndexHNSWFlat")
    }

    func testFactoryNamesTheUnsupportedPart() {
        let cases: [(String, String)] = [
            ("IVF100,PQ7", "PQ7"), ("IVF100,LSH", "LSH"), ("OPQ16,IVF100,PQ16", "OPQ16"), ("IVFx,Flat", "IVFx"),
            ("IVF100", "IVF100"), ("Flat,SQ8", "SQ8"), ("PQ16x30", "PQ16x30"), ("IVF64_HNSW32,Flat", "IVF64_HNSW32"),
            ("HNSW32,SQ8", "SQ8"), ("IVF10,Flat,PQ4", "PQ4"), ("", ""), ("IDMap", "IDMap"), ("Flat,,", "(empty part 2)"),
            ("IVF10,IDMap,Flat", "IDMap"),
        ]
        for (factory, part) in cases {
            XCTAssertThrowsError(try IndexFactory.make(factory, dimension: 32, metric: .l2), factory) { error in
                guard let factoryError = error as? IndexFactoryError else { return XCTFail("\(factory): \(error)") }
                XCTAssertEqual(factoryError.part, part, factory)
                XCTAssertTrue(factoryError.description.contains("'\(part)'"), factoryError.description)
            }
        }
    }
}
