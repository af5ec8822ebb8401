import Dispatch
import XCTest
@testable import Core

/// Searches with different parameters at once on one index, and the lazily built caches
/// searches share (IDMap's id lookup, flat L2 norms, the memory ledger). Each result must equal
/// the same search run alone; scripts/test runs these under ThreadSanitizer too.
final class ConcurrentSearchTests: XCTestCase {
    func testHNSWSearchesWithDifferentEfSearchRunAtOnce() throws {
        let data = randomMatrix(rows: 3000, dimension: 16, seed: 71)
        let queries = randomMatrix(rows: 40, dimension: 16, seed: 72)
        let index = HNSWIndex(dimension: 16, metric: .l2, m: 8)
        try index.add(data, ids: nil)
        let efs = [1, 8, 64, 256]
        let alone = try efs.map { try index.search(queries, k: 10, parameters: SearchParameters(efSearch: $0)) }
        XCTAssertNotEqual(alone[0], alone[3], "efSearch 1 and 256 should differ on this data")
        // nonisolated(unsafe): indexes are not Sendable (they can grow); here every thread only searches.
        nonisolated(unsafe) let shared = index
        let results = try Parallel.map(16) { i in
            try shared.search(queries, k: 10, parameters: SearchParameters(efSearch: efs[i % efs.count]))
        }
        for (i, result) in results.enumerated() { XCTAssertEqual(result, alone[i % efs.count], "efSearch \(efs[i % efs.count])") }
        XCTAssertEqual(index.efSearch, 16, "the index's own efSearch is left alone")
    }

    func testIVFSearchesWithDifferentNprobeRunAtOnce() throws {
        let data = randomMatrix(rows: 2000, dimension: 8, seed: 73)
        let queries = randomMatrix(rows: 30, dimension: 8, seed: 74)
        let index = try XCTUnwrap(try IndexFactory.make("IVF16,Flat", dimension: 8, metric: .l2) as? IVFIndex)
        try index.train(data, progress: { _, _ in true })
        try index.add(data, ids: nil)
        let probes = [1, 2, 16]
        let alone = try probes.map { try index.search(queries, k: 5, parameters: SearchParameters(nprobe: $0)) }
        assertMatchesReference(alone[2], referenceSearch(data, queries, k: 5, metric: .l2), tolerance: 1e-4)
        XCTAssertNotEqual(alone[0], alone[2])
        nonisolated(unsafe) let shared = index  // only searched below (indexes are not Sendable)
        let results = try Parallel.map(12) { i in
            try shared.search(queries, k: 5, parameters: SearchParameters(nprobe: probes[i % probes.count]))
        }
        for (i, result) in results.enumerated() { XCTAssertEqual(result, alone[i % probes.count], "nprobe \(probes[i % probes.count])") }
        XCTAssertEqual(index.nprobe, 1)
        XCTAssertThrowsError(try index.search(queries, k: 5, parameters: SearchParameters(nprobe: 0)))
    }

    func testIDMapLookupsBuildTheirMapOnceWhileSearchesRun() throws {
        let data = randomMatrix(rows: 500, dimension: 4, seed: 75)
        let ids = (0..<500).map { Int64($0) * 7 + 3 }
        let index = try IDMapIndex(kind: .idMap2, inner: FlatIndex(dimension: 4, metric: .innerProduct), ids: [])
        try index.add(data, ids: ids)
        nonisolated(unsafe) let shared = index  // only searched and looked up below
        let rows = try Parallel.map(64) { i -> [Float] in
            if i % 4 == 0 { _ = try shared.search(data.rows(i..<(i + 1)), k: 3) }
            return try shared.reconstruct(id: ids[i * 7])
        }
        for (i, row) in rows.enumerated() { XCTAssertEqual(row, Array(data.values[(i * 7 * 4)..<(i * 7 * 4 + 4)])) }
        XCTAssertTrue(index.memoryUsage.contains { $0.name == "id lookup" })
    }

    func testFlatL2BatchesShareTheNormsCache() throws {
        let data = randomMatrix(rows: 4000, dimension: 32, seed: 76)
        // Batches large enough for the BLAS path, which asks for the cached norms.
        let queries = randomMatrix(rows: 300, dimension: 32, seed: 77)
        let index = FlatIndex(dimension: 32, metric: .l2)
        try index.add(data, ids: nil)
        nonisolated(unsafe) let shared = index  // only searched below
        let results = try Parallel.map(4) { _ in try shared.search(queries, k: 4) }
        let reference = referenceSearch(data, queries, k: 4, metric: .l2)
        for result in results { assertMatchesReference(result, reference, tolerance: 1e-3) }
    }

    func testLedgerEntriesResizeFromManyThreads() {
        let ledger = MemoryLedger()
        let entries = (0..<8).map { _ in ledger.record(device: "cl9", kind: .scratch, bytes: 0) }
        _ = Parallel.map(8 * 200) { i in entries[i % 8].resize(to: (i / 8) % 2 == 0 ? 1024 : 4096) }
        // Every delta counted once: the ledger's total is what the entries say they hold.
        XCTAssertEqual(ledger.currentBytes(device: "cl9"), entries.reduce(0) { $0 + $1.bytes })
        XCTAssertLessThanOrEqual(ledger.peakBytes(device: "cl9"), 8 * 4096)
        for entry in entries { entry.release() }
        XCTAssertEqual(ledger.currentBytes(device: "cl9"), 0)
    }
}
