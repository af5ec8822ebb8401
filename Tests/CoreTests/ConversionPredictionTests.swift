import Foundation
import XCTest
@testable import Core

/// `IndexConversion.predict`: the memory the convert dialog shows before a conversion must be
/// what the built index then holds, component by component.
final class ConversionPredictionTests: XCTestCase {
    private let rows = 6_000, d = 32

    private func source(ids: Bool) throws -> any VectorIndex {
        let flat = FlatIndex(dimension: d, metric: .l2)
        try flat.add(randomMatrix(rows: rows, dimension: d, seed: 11), ids: nil)
        guard ids else { return flat }
        return try IDMapIndex(kind: .idMap2, inner: flat, ids: (0..<Int64(rows)).map { $0 * 3 + 100 })
    }

    func testPredictedComponentsAreWhatTheBuiltIndexHolds() throws {
        let folder = TemporaryFolder()
        let cases: [(factory: String, ids: Bool, className: String)] = [
            ("IVF16,Flat", false, "IndexIVFFlat"), ("IVF16,SQ8", false, "IndexIVFScalarQuantizer"),
            ("IVF16,PQ8", false, "IndexIVFPQ"), ("IVF16,PQ4x6", true, "IndexIVFPQ"), ("SQ4", false, "IndexScalarQuantizer"),
            ("SQfp16", true, "IndexIDMap2"), ("PQ8", false, "IndexPQ"), ("IDMap,PQ16", false, "IndexIDMap"),
            ("HNSW16", false, "IndexHNSWFlat"), ("HNSW8", true, "IndexIDMap2"),
        ]
        for (factory, ids, className) in cases {
            var options = IndexConversion.Options(factory: factory)
            options.queryCount = 20  // a search, so that IVF-PQ's precomputed table is built
            let job = IndexConversion(options: options)
            let prediction = try job.predict(count: rows, dimension: d, metric: .l2, sourceIDMap: ids ? .idMap2 : nil)
            let (built, _) = try job.run(source: try source(ids: ids), writingTo: folder.file("converted.index"))
            XCTAssertEqual(prediction.className, className, factory)
            XCTAssertEqual(built.faissClassName, className, factory)
            var measured: [String: Int] = [:]
            for part in built.memoryUsage { measured[part.name, default: 0] += part.bytes }
            // Caches made by the first add or search (and the L2 quantizer's centroid norms: nlist floats).
            let cacheNames = Set(prediction.searchCaches.map(\.name))
            XCTAssertTrue(cacheNames.isSubset(of: Set(measured.keys)), "\(factory): \(cacheNames)")
            for name in cacheNames.union(["centroid norms"]) { measured[name] = nil }
            XCTAssertEqual(Set(prediction.components.map(\.name)), Set(measured.keys), factory)
            for part in prediction.components {
                let actual = Double(measured[part.name] ?? 0)
                // HNSW's links depend on the levels drawn: the expectation is within a few percent.
                let tolerance = part.name == "links" ? 0.05 : 0.0
                XCTAssertEqual(Double(part.bytes), actual, accuracy: actual * tolerance, "\(factory): \(part.name)")
            }
        }
    }

    func testPeakAddsTheSampleOrAChunkAndTheCaches() throws {
        var options = IndexConversion.Options(factory: "IVF1024,PQ32")
        options.trainSize = 50_000
        let prediction = try IndexConversion(options: options).predict(count: 1_000_000, dimension: 128, metric: .l2,
                                                                        sourceIDMap: nil)
        XCTAssertEqual(prediction.indexBytes, 1024 * 128 * 4 + 1_000_000 * (32 + 8) + 128 * 256 * 4)
        XCTAssertEqual(prediction.searchCaches.map(\.bytes), [1024 * 128 * 4, 1024 * 32 * 256 * 4])
        XCTAssertEqual(prediction.trainSampleBytes, 50_000 * 128 * 4)
        XCTAssertEqual(prediction.chunkBytes, 65_536 * 128 * 4, "one chunk of rows, read in place")
        XCTAssertEqual(prediction.peakBytes, prediction.indexBytes + prediction.chunkBytes + 1024 * 128 * 4 + 1024 * 32 * 256 * 4)
        options.trainSize = 400_000
        let bigSample = try IndexConversion(options: options).predict(count: 1_000_000, dimension: 128, metric: .l2,
                                                                       sourceIDMap: nil)
        XCTAssertEqual(bigSample.peakBytes, bigSample.indexBytes + 400_000 * 128 * 4 + 1024 * 128 * 4 + 1024 * 32 * 256 * 4)
        // Inner product: no precomputed table.
        let ip = try IndexConversion(options: options).predict(count: 1_000_000, dimension: 128, metric: .innerProduct,
                                                                sourceIDMap: nil)
        XCTAssertEqual(ip.searchCaches.map(\.name), ["centroid copy"])
    }

    func testMoreListsThanVectorsIsRefusedBeforeAllocating() {
        // 10^11 lists would take terabytes of list headers; the count is known, so refuse first.
        let job = IndexConversion(options: IndexConversion.Options(factory: "IVF100000000000,Flat"))
        XCTAssertThrowsError(try job.predict(count: 300_000, dimension: 8, metric: .l2, sourceIDMap: nil)) { error in
            XCTAssertEqual((error as? IndexFactoryError)?.part, "IVF100000000000")
            XCTAssertEqual((error as? IndexFactoryError)?.reason,
                           "asks for 100000000000 lists, more than the 300000 vectors to train them on")
        }
    }

    func testOversizedPQAndHNSWAreRefusedBeforeAllocating() {
        // PQ8x24 would allocate d × 2^24 codebook floats before training found too few vectors;
        // HNSW with 10^8 links per node overflows FAISS's 32-bit slot counts.
        for (factory, part, reason) in [
            ("PQ8x24", "PQ8x24", "needs at least 16777216 training vectors (2^24 centroids per sub-quantizer), more than the 300000 there are"),
            ("IVF64,PQ8x20", "PQ8x20", "needs at least 1048576 training vectors (2^20 centroids per sub-quantizer), more than the 300000 there are"),
            ("HNSW100000000", "HNSW100000000", "asks for 100000000 links per node; at most 1024 are supported"),
        ] {
            let job = IndexConversion(options: IndexConversion.Options(factory: factory))
            XCTAssertThrowsError(try job.predict(count: 300_000, dimension: 128, metric: .l2, sourceIDMap: nil), factory) { error in
                XCTAssertEqual((error as? IndexFactoryError)?.part, part)
                XCTAssertEqual((error as? IndexFactoryError)?.reason, reason)
            }
        }
        // An untrained quantizer holds no codebooks yet (FAISS's zeros are written if saved).
        let untrained = ProductQuantizer(dimension: 128, m: 8, nbits: 16)
        XCTAssertFalse(untrained.hasCentroids)
        XCTAssertTrue(untrained.centroids.isEmpty)
    }

    func testAnUnsupportedFactoryIsNamed() {
        let job = IndexConversion(options: IndexConversion.Options(factory: "IVF64,LSH"))
        XCTAssertThrowsError(try job.predict(count: 10, dimension: 8, metric: .l2, sourceIDMap: nil)) { error in
            XCTAssertEqual((error as? IndexFactoryError)?.part, "LSH")
        }
    }

    func testConversionsSizeTheirStorageOnceAndKeepNoUndoCopy() throws {
        let folder = TemporaryFolder()
        let source = try source(ids: true)
        for factory in ["Flat", "SQ8", "PQ8", "HNSW8"] {
            var options = IndexConversion.Options(factory: factory)
            options.queryCount = 0
            options.chunkRows = 1_000  // six adds: each would have grown the storage
            let (built, _) = try IndexConversion(options: options).run(source: source, writingTo: folder.file("c.index"))
            let wrapper = try XCTUnwrap(built as? IDMapIndex, factory)
            XCTAssertGreaterThanOrEqual(wrapper.ids.capacity, rows)
            switch wrapper.inner {
            case let flat as FlatIndex: XCTAssertEqual(flat.storage.capacityRows, rows, factory)
            case let sq as ScalarQuantizerIndex: XCTAssertEqual(sq.codes.capacity, rows, factory)
            case let pq as PQIndex: XCTAssertEqual(pq.codes.capacity, rows, factory)
            case let hnsw as HNSWIndex:
                XCTAssertEqual(hnsw.storage.storage.capacityRows, rows)
                XCTAssertFalse(hnsw.undoesCancelledAdds)
                let graph = hnsw.graph
                // Reserved once for the expected slots (+1 % and 4,096), never grown by half again.
                XCTAssertGreaterThanOrEqual(graph.ownedCapacity, graph.neighborCount)
                XCTAssertLessThanOrEqual(graph.ownedCapacity, Int(Double(graph.neighborCount) * 1.05) + 4096)
            default: XCTFail("\(factory): \(wrapper.inner.faissClassName)")
            }
        }
    }
}
