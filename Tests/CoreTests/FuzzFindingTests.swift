import XCTest
@testable import Core

/// Inputs the fuzzer found (fuzz/regressions/TARGET/), each read here the way the reader must
/// now treat it. scripts/fuzz also runs them first, under its 2 GB allocation limit.
final class FuzzFindingTests: XCTestCase {
    private func regression(_ target: String, _ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("fuzz/regressions/\(target)/\(name)").path
    }

    /// cum_nneighbor_per_level with 805,306,370 slots on a layer no node reaches: search sized
    /// its buffer of fresh neighbours by it (3 GB) and ran out of memory.
    func testHNSWLayerWithAbsurdNeighbourCountIsRefused() throws {
        let path = regression("faiss-index", "hnsw-layer-slots")
        XCTAssertThrowsError(try FaissIndexFile.read(path: path)) { error in
            guard let format = error as? FileFormatError else { return XCTFail("expected a FileFormatError, got \(error)") }
            // Header (37 bytes), 29 level probabilities (8 + 232), the count of cum (8), then entry 29.
            XCTAssertEqual(format.offset, 37 + 240 + 8 + 4 * 29, "\(format)")
            XCTAssertTrue(format.expected.contains("at most 65536 above"), "\(format)")
            XCTAssertEqual(format.found, "805306428")
        }
    }

    /// An HNSW file whose efSearch is 2^31 − 1 (FAISS accepts it): search allocated a candidate
    /// heap of that many entries (16 GB). The heap never holds more than every node, so the
    /// results are those of efSearch = ntotal, with a heap of ntotal.
    func testHNSWHugeEfSearchSearchesAsEfSearchOfEveryNode() throws {
        let index = try XCTUnwrap(FaissIndexFile.read(path: regression("faiss-index", "hnsw-efsearch-2g")) as? HNSWIndex)
        XCTAssertEqual(index.efSearch, Int(Int32.max))
        let queries = randomMatrix(rows: 3, dimension: index.dimension, seed: 11)
        let huge = try index.search(queries, k: 5)
        let exact = try index.search(queries, k: 5, parameters: SearchParameters(efSearch: index.count))
        XCTAssertEqual(huge, exact)
        XCTAssertEqual(Set(huge.ids).contains(-1), false)
    }

    /// A float16 `.npy` of shape (0, 4999999999): no data, so the size check passed, but the
    /// conversion allocated a 20 GB chunk for one row.
    func testNpyRowsTooWideAreRefused() throws {
        let path = regression("npy", "empty-rows-of-5e9-floats")
        XCTAssertThrowsError(try VectorFile.readStorage(path: path)) { error in
            guard let format = error as? FileFormatError else { return XCTFail("expected a FileFormatError, got \(error)") }
            XCTAssertEqual(format.offset, 10, "\(format)")   // the header dictionary
            XCTAssertEqual(format.expected, "a dimension between 1 and 1048576")
            XCTAssertEqual(format.found, "shape [0, 4999999999]")
        }
    }
}
