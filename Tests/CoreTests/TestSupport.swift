import Foundation
import XCTest
@testable import Core

/// A temporary folder removed when the test ends.
final class TemporaryFolder {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "vectui-tests-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { path + "/" + name }
}

/// Deterministic pseudo-random vectors (SplitMix64 → uniform in [−1, 1)).
func randomMatrix(rows: Int, dimension: Int, seed: UInt64) -> VectorMatrix {
    var rng = SplitMix64(seed: seed)
    let values = (0..<(rows * dimension)).map { _ in Float(rng.unit() * 2 - 1) }
    return VectorMatrix(rows: rows, dimension: dimension, values: values)
}

/// The test oracle: exact scores in Double, every row, sorted best first (ties by row).
func referenceSearch(_ data: VectorMatrix, _ queries: VectorMatrix, k: Int, metric: Metric) -> (ids: [[Int64]], scores: [[Double]]) {
    var allIDs = [[Int64]](), allScores = [[Double]]()
    for q in 0..<queries.rows {
        var scored = [(Double, Int64)]()
        for r in 0..<data.rows {
            var s = 0.0
            for j in 0..<data.dimension {
                let a = Double(queries.values[q * data.dimension + j]), b = Double(data.values[r * data.dimension + j])
                s += metric == .innerProduct ? a * b : (a - b) * (a - b)
            }
            scored.append((s, Int64(r)))
        }
        scored.sort { metric.largerIsBetter ? ($0.0 > $1.0 || ($0.0 == $1.0 && $0.1 < $1.1)) : ($0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1)) }
        let top = scored.prefix(k)
        allIDs.append(top.map(\.1))
        allScores.append(top.map(\.0))
    }
    return (allIDs, allScores)
}

/// Asserts that `result` matches the oracle: same ids except where two scores are within
/// `tolerance` of each other (a tie that float32 rounding may order either way).
func assertMatchesReference(_ result: SearchResult, _ reference: (ids: [[Int64]], scores: [[Double]]),
                            tolerance: Double, file: StaticString = #filePath, line: UInt = #line) {
    for q in 0..<result.queryCount {
        let ids = Array(result.ids(ofQuery: q)), scores = Array(result.scores(ofQuery: q))
        for j in 0..<reference.ids[q].count {
            let expected = reference.scores[q][j]
            let scale = max(1, abs(expected))
            XCTAssertLessThanOrEqual(abs(Double(scores[j]) - expected), tolerance * scale,
                                     "query \(q) rank \(j): score \(scores[j]) vs \(expected)", file: file, line: line)
            if ids[j] != reference.ids[q][j] {
                // Allowed only among equal scores: the oracle's score for our id must equal this rank's score.
                let ourRank = reference.ids[q].firstIndex(of: ids[j])
                let near = ourRank.map { abs(reference.scores[q][$0] - expected) <= tolerance * scale } ?? false
                XCTAssertTrue(near, "query \(q) rank \(j): id \(ids[j]) where \(reference.ids[q][j]) was expected",
                              file: file, line: line)
            }
        }
        for j in reference.ids[q].count..<result.k {
            XCTAssertEqual(ids[j], -1, file: file, line: line)
        }
    }
}
