import Foundation
import XCTest
@testable import Core

/// `RefineIndex` (FAISS's IndexRefine/IndexRefineFlat): re-ranking, the k_factor, files.
final class RefineIndexTests: XCTestCase {
    private func build(_ factory: String, data: VectorMatrix, metric: Metric) throws -> RefineIndex {
        let index = try XCTUnwrap(try IndexFactory.make(factory, dimension: data.dimension, metric: metric) as? RefineIndex)
        try index.train(data, progress: { _, _ in true })
        try index.add(data, ids: nil)
        return index
    }

    func testExactRefinementRanksTheBaseCandidatesByTrueDistance() throws {
        let data = IVFIndexTests.clustered(rows: 400, dimension: 8, clusters: 6, seed: 4)
        let queries = randomMatrix(rows: 5, dimension: 8, seed: 9)
        for metric in [Metric.l2, .innerProduct] {
            let index = try build("PQ2x4,RFlat", data: data, metric: metric)
            XCTAssertEqual(index.faissClassName, "IndexRefineFlat")
            index.kFactor = 3
            let candidates = try index.base.search(queries, k: 15)
            let result = try index.search(queries, k: 5)
            for q in 0..<queries.rows {
                let query = Array(queries.values[q * 8..<(q + 1) * 8])
                // The reference: the base's 15 candidates, scored exactly, best 5.
                let scored = candidates.ids[q * 15..<(q + 1) * 15].map { id -> (Int64, Float) in
                    let row = Array(data.values[Int(id) * 8..<(Int(id) + 1) * 8])
                    let score = metric == .l2 ? zip(query, row).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
                                              : zip(query, row).reduce(0) { $0 + $1.0 * $1.1 }
                    return (id, score)
                }.sorted { metric == .l2 ? $0.1 < $1.1 : $0.1 > $1.1 }
                let got = Array(result.ids[q * 5..<(q + 1) * 5])
                XCTAssertEqual(Set(got), Set(scored.prefix(5).map(\.0)), "query \(q) \(metric)")
                for (j, (_, score)) in scored.prefix(5).enumerated() {
                    XCTAssertEqual(result.scores[q * 5 + j], score, accuracy: 1e-3 * max(1, abs(score)))
                }
            }
        }
    }

    func testKFactorBelowOneIsRefused() throws {
        let data = randomMatrix(rows: 50, dimension: 4, seed: 1)
        let index = try build("SQ8,Refine(SQfp16)", data: data, metric: .l2)
        XCTAssertEqual(index.faissClassName, "IndexRefine")
        XCTAssertEqual(try index.baseK(for: 10), 10)
        index.kFactor = 0.5
        XCTAssertThrowsError(try index.search(data, k: 10))
    }

    func testFilesRoundTripByteForByte() throws {
        let folder = TemporaryFolder()
        let data = IVFIndexTests.clustered(rows: 300, dimension: 4, clusters: 4, seed: 2)
        let queries = randomMatrix(rows: 4, dimension: 4, seed: 3)
        for factory in ["IVF4,SQ8,RFlat", "SQ4,Refine(SQ8)", "HNSW8,Refine(Flat)", "IDMap2,PQ2x4,RFlat"] {
            let index = try IndexFactory.make(factory, dimension: 4, metric: .l2)
            let core = (index as? IDMapIndex)?.inner ?? index
            try (core as? TrainableIndex)?.train(data, progress: { _, _ in true })
            try index.add(data, ids: index is IDMapIndex ? (0..<300).map { Int64($0) * 7 } : nil)
            (core as? RefineIndex)?.kFactor = 2.5
            let first = folder.file("first.index"), second = folder.file("second.index")
            try FaissIndexFile.write(index, to: first)
            let back = try FaissIndexFile.read(path: first)
            XCTAssertEqual(back.faissClassName, index.faissClassName, factory)
            XCTAssertEqual(((back as? IDMapIndex)?.inner as? RefineIndex ?? back as? RefineIndex)?.kFactor, 2.5, factory)
            XCTAssertEqual(try back.search(queries, k: 5), try index.search(queries, k: 5), factory)
            try FaissIndexFile.write(back, to: second)
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: first)), try Data(contentsOf: URL(fileURLWithPath: second)), factory)
        }
    }

    func testFactoryRefusesMisplacedRefinement() {
        XCTAssertThrowsError(try IndexFactory.make("RFlat,SQ8", dimension: 4, metric: .l2))
        XCTAssertThrowsError(try IndexFactory.make("SQ8,Refine()", dimension: 4, metric: .l2))
        XCTAssertThrowsError(try IndexFactory.make("SQ8,Refine(SQ8,RFlat)", dimension: 4, metric: .l2))
    }
}
