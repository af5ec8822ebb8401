import Foundation
import XCTest
@testable import Core

/// Where the fields of an `IHNf` file lie (faiss-format.md §12), found by walking its counts.
struct HNSWFileLayout {
    let ntotal: Int
    let probasCount: Int, cumCount: Int, levelsCount: Int, offsetsCount: Int, neighborsCount: Int
    let probas: Int, cum: Int, levels: Int, offsets: Int, neighbors: Int
    let entryPoint: Int, maxLevel: Int, efConstruction: Int, efSearch: Int, upperBeam: Int, storage: Int

    /// The payload offset of element `i` of a vector whose count sits at `countOffset`.
    static func element(_ countOffset: Int, _ i: Int, size: Int) -> Int { countOffset + 8 + i * size }

    init(_ bytes: [UInt8], start: Int = 0) {
        func u64(_ at: Int) -> Int { bytes[at..<(at + 8)].reversed().reduce(0) { $0 << 8 | Int($1) } }
        ntotal = u64(start + 8)
        probas = start + 37
        probasCount = u64(probas)
        cum = probas + 8 + 8 * probasCount
        cumCount = u64(cum)
        levels = cum + 8 + 4 * cumCount
        levelsCount = u64(levels)
        offsets = levels + 8 + 4 * levelsCount
        offsetsCount = u64(offsets)
        neighbors = offsets + 8 + 8 * offsetsCount
        neighborsCount = u64(neighbors)
        entryPoint = neighbors + 8 + 4 * neighborsCount
        maxLevel = entryPoint + 4
        efConstruction = maxLevel + 4
        efSearch = efConstruction + 4
        upperBeam = efSearch + 4
        storage = upperBeam + 4
    }

    func int32(_ bytes: [UInt8], _ at: Int) -> Int32 {
        Int32(bitPattern: UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24)
    }
}

final class HNSWFileTests: XCTestCase {
    private func put<T: FixedWidthInteger>(_ value: T, at offset: Int, in bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { raw in
            for (i, byte) in raw.enumerated() { bytes[offset + i] = byte }
        }
    }

    /// A small HNSW file with several layers: 48 integer vectors of dimension 2, M = 4.
    private func smallFile(_ folder: TemporaryFolder, metric: Metric = .l2) throws -> [UInt8] {
        let index = HNSWIndex(dimension: 2, metric: metric, m: 4)
        try index.add(integerMatrix(rows: 48, dimension: 2, seed: 5), ids: nil)
        XCTAssertGreaterThan(index.maxLevel, 0, "the fixture should have upper layers")
        return try savedBytes(index, in: folder, name: "small.index")
    }

    private func readError(_ bytes: [UInt8], _ folder: TemporaryFolder, file: StaticString = #filePath,
                           line: UInt = #line) -> Error? {
        let path = folder.file("bad.index")
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        do {
            _ = try FaissIndexFile.read(path: path)
            XCTFail("the file was accepted", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    private func assertFormatError(_ bytes: [UInt8], at offset: Int, expecting words: String, _ folder: TemporaryFolder,
                                   file: StaticString = #filePath, line: UInt = #line) {
        guard let error = readError(bytes, folder, file: file, line: line) else { return }
        guard let format = error as? FileFormatError else {
            return XCTFail("expected a FileFormatError, got \(error)", file: file, line: line)
        }
        XCTAssertEqual(format.offset, offset, "\(format)", file: file, line: line)
        XCTAssertTrue(format.expected.contains(words), "\(format)", file: file, line: line)
    }

    // MARK: - Layout and round trips

    func testEmptyIndexIsFAISSsBytes() throws {
        // faiss.write_index(faiss.IndexHNSWFlat(8, 32)) from faiss-cpu 1.15.1.
        let hex = "49484e66080000000000000000000000000010000000000000001000000000000101000000060000000000000000000000"
            + "0000ef3f0000008000009f3f000000e000004f3f000000e00000ff3e000000e00100af3e000000c002005f3e0700000000000000"
            + "00000000400000006000000080000000a0000000c0000000e0000000000000000000000001000000000000000000000000000000"
            + "0000000000000000ffffffffffffffff28000000100000000100000049784632080000000000000000000000000010000000000000"
            + "0010000000000001010000000000000000000000"
        var expected = [UInt8]()
        var i = hex.startIndex
        while i < hex.endIndex {
            let next = hex.index(i, offsetBy: 2)
            expected.append(UInt8(hex[i..<next], radix: 16)!)
            i = next
        }
        let folder = TemporaryFolder()
        let bytes = try savedBytes(HNSWIndex(dimension: 8, metric: .l2, m: 32), in: folder)
        XCTAssertEqual(bytes.count, 226)
        XCTAssertEqual(bytes, expected)
        let back = try FaissIndexFile.read(path: folder.file("saved.index"))
        XCTAssertTrue(back is HNSWIndex)
        XCTAssertEqual(back.count, 0)
        XCTAssertEqual(try savedBytes(back, in: folder, name: "again.index"), bytes)
    }

    func testRoundTripsAreByteIdenticalAndSearchTheSame() throws {
        let folder = TemporaryFolder()
        let data = randomMatrix(rows: 700, dimension: 12, seed: 41)
        let queries = randomMatrix(rows: 25, dimension: 12, seed: 42)
        for metric in [Metric.l2, .innerProduct] {
            let index = HNSWIndex(dimension: 12, metric: metric, m: 6)
            index.efSearch = 23
            index.efConstruction = 57
            try index.add(data, ids: nil)
            let bytes = try savedBytes(index, in: folder)
            let layout = HNSWFileLayout(bytes)
            XCTAssertEqual(Array(bytes.prefix(4)), Array("IHNf".utf8))
            XCTAssertEqual(layout.ntotal, 700)
            XCTAssertEqual(layout.levelsCount, 700)
            XCTAssertEqual(layout.offsetsCount, 701)
            XCTAssertEqual(layout.int32(bytes, layout.efConstruction), 57)
            XCTAssertEqual(layout.int32(bytes, layout.efSearch), 23)
            XCTAssertEqual(layout.int32(bytes, layout.upperBeam), 1)
            XCTAssertEqual(Array(bytes[layout.storage..<(layout.storage + 4)]), Array((metric == .l2 ? "IxF2" : "IxFI").utf8))

            let back = try XCTUnwrap(try FaissIndexFile.read(path: folder.file("saved.index")) as? HNSWIndex)
            XCTAssertTrue(back.storage.storage.isMapped, "vectors stay in the mapping")
            XCTAssertEqual(back.efSearch, 23)
            XCTAssertEqual(back.efConstruction, 57)
            XCTAssertEqual(back.m, 6)
            XCTAssertEqual(back.nodesPerLayer, index.nodesPerLayer)
            XCTAssertEqual(try back.search(queries, k: 7), try index.search(queries, k: 7))
            XCTAssertEqual(try savedBytes(back, in: folder, name: "again.index"), bytes)
            XCTAssertTrue(back.memoryUsage.contains { $0.name == "links" && !$0.fileBacked && $0.bytes == layout.neighborsCount * 4 })
        }
    }

    func testAddingToAReadIndexLeavesTheFileAlone() throws {
        let folder = TemporaryFolder()
        let original = try smallFile(folder)
        let back = try XCTUnwrap(try FaissIndexFile.read(path: folder.file("small.index")) as? HNSWIndex)
        let more = integerMatrix(rows: 30, dimension: 2, seed: 6)
        try back.add(more, ids: nil)
        XCTAssertEqual(back.count, 78)
        XCTAssertEqual(Array(try Data(contentsOf: URL(fileURLWithPath: folder.file("small.index")))), original)
        // Every new vector is found as its own nearest neighbour (distance 0) by an exhaustive search.
        let result = try back.search(more, k: 1, parameters: SearchParameters(efSearch: 78))
        XCTAssertEqual(result.scores, [Float](repeating: 0, count: 30))
    }

    // MARK: - Damaged files

    func testEveryTruncationIsAFormatError() throws {
        let folder = TemporaryFolder()
        let bytes = try smallFile(folder)
        for length in 0..<bytes.count {
            guard let error = readError(Array(bytes.prefix(length)), folder) else { continue }
            guard let format = error as? FileFormatError else {
                XCTFail("length \(length): \(error)")
                continue
            }
            XCTAssertLessThanOrEqual(format.offset, length, "length \(length): \(format)")
        }
    }

    func testCorruptGraphFieldsAreNamedAtTheirByte() throws {
        let folder = TemporaryFolder()
        let good = try smallFile(folder)
        let l = HNSWFileLayout(good)
        let cumAt = { HNSWFileLayout.element(l.cum, $0, size: 4) }
        let levelAt = { HNSWFileLayout.element(l.levels, $0, size: 4) }
        let offsetAt = { HNSWFileLayout.element(l.offsets, $0, size: 8) }
        let neighborAt = { HNSWFileLayout.element(l.neighbors, $0, size: 4) }
        func level(_ node: Int) -> Int { Int(l.int32(good, levelAt(node))) }

        var bad = good
        put(Int32(1), at: cumAt(0), in: &bad)
        assertFormatError(bad, at: cumAt(0), expecting: "cum_nneighbor_per_level[0] = 0", folder)

        bad = good
        put(l.int32(good, cumAt(1)) - 1, at: cumAt(2), in: &bad)
        assertFormatError(bad, at: cumAt(2), expecting: "non-decreasing", folder)

        bad = good
        put(UInt64(l.ntotal - 1), at: l.levels, in: &bad)
        assertFormatError(bad, at: l.levels, expecting: "node levels", folder)

        for wrong: Int32 in [0, -3, Int32(l.cumCount)] {
            bad = good
            put(wrong, at: levelAt(7), in: &bad)
            // A level change breaks the offsets recurrence too; the level is checked first.
            assertFormatError(bad, at: levelAt(7), expecting: "node level between 1 and", folder)
        }

        bad = good
        put(UInt64(l.ntotal), at: l.offsets, in: &bad)
        assertFormatError(bad, at: l.offsets, expecting: "neighbour offsets", folder)

        bad = good
        put(UInt64(l.int32(good, cumAt(1))), at: offsetAt(5), in: &bad)
        assertFormatError(bad, at: offsetAt(5), expecting: "neighbour offset", folder)

        bad = good
        put(UInt64(l.neighborsCount + 1), at: offsetAt(l.ntotal), in: &bad)
        assertFormatError(bad, at: offsetAt(l.ntotal), expecting: "at most", folder)

        for wrong: Int32 in [Int32(l.ntotal), -2, Int32.max] {
            bad = good
            put(wrong, at: neighborAt(3), in: &bad)
            assertFormatError(bad, at: neighborAt(3), expecting: "neighbour id between -1 and", folder)
        }

        for wrong: Int32 in [Int32(l.ntotal), -2] {
            bad = good
            put(wrong, at: l.entryPoint, in: &bad)
            assertFormatError(bad, at: l.entryPoint, expecting: "entry point", folder)
        }

        bad = good
        put(Int32(l.cumCount), at: l.maxLevel, in: &bad)
        assertFormatError(bad, at: l.maxLevel, expecting: "top layer below", folder)

        // The entry point must live on max_level: point it at a node of layer 0 only.
        let lowNode = (0..<l.ntotal).first { level($0) == 1 }!
        bad = good
        put(Int32(lowNode), at: l.entryPoint, in: &bad)
        assertFormatError(bad, at: l.maxLevel, expecting: "entry point lives on", folder)

        // A neighbour on layer 1 that does not live on layer 1.
        let upper = (0..<l.ntotal).first { level($0) >= 2 }!
        let offset = Int(good[offsetAt(upper)..<(offsetAt(upper) + 8)].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        let slot = offset + Int(l.int32(good, cumAt(1)))
        XCTAssertGreaterThanOrEqual(l.int32(good, neighborAt(slot)), 0, "the fixture's upper node has a layer-1 link")
        bad = good
        put(Int32(lowNode), at: neighborAt(slot), in: &bad)
        assertFormatError(bad, at: neighborAt(slot), expecting: "lives on that layer", folder)
    }

    func testCorruptStorageIsNamed() throws {
        let folder = TemporaryFolder()
        let good = try smallFile(folder)
        let l = HNSWFileLayout(good)

        // Storage with fewer vectors than the graph (and its data shortened to match).
        var bad = good
        put(Int64(l.ntotal - 1), at: l.storage + 8, in: &bad)
        put(UInt64((l.ntotal - 1) * Int(l.int32(good, 4))), at: l.storage + 37, in: &bad)
        assertFormatError(bad, at: l.storage, expecting: "storage of \(l.ntotal) vectors", folder)

        // Storage with the other metric.
        bad = good
        for (i, byte) in "IxFI".utf8.enumerated() { bad[l.storage + i] = byte }
        put(Int32(0), at: l.storage + 33, in: &bad)
        assertFormatError(bad, at: l.storage, expecting: "metric", folder)

        // An unknown storage tag.
        bad = good
        for (i, byte) in "Junk".utf8.enumerated() { bad[l.storage + i] = byte }
        assertFormatError(bad, at: l.storage, expecting: "index type tag", folder)

        // A bad bool in the HNSW header.
        bad = good
        bad[32] = 2
        assertFormatError(bad, at: 32, expecting: "bool", folder)

        // No storage at all (IO_FLAG_SKIP_STORAGE): FAISS's own format, but nothing to search.
        bad = Array(good.prefix(l.storage)) + Array("null".utf8)
        let error = readError(bad, folder)
        XCTAssertEqual((error as? UnsupportedIndexError)?.offset, l.storage, "\(String(describing: error))")
    }

    func testHugeCountsFailBeforeAllocating() throws {
        let folder = TemporaryFolder()
        let good = try smallFile(folder)
        let l = HNSWFileLayout(good)
        for field in [l.probas, l.cum, l.levels, l.offsets, l.neighbors] {
            var bad = good
            put(UInt64(1) << 61, at: field, in: &bad)
            assertFormatError(bad, at: field, expecting: "bytes", folder)
        }
    }

    func testOtherHNSWKindsAreNotSupportedYet() throws {
        let folder = TemporaryFolder()
        var bytes = try smallFile(folder)
        for tag in ["IHNs", "IHNp", "IHN2", "IHc2", "IHfP", "IH00"] {
            for (i, byte) in tag.utf8.enumerated() { bytes[i] = byte }
            let error = readError(bytes, folder)
            XCTAssertTrue(error is UnsupportedIndexError, "\(tag): \(String(describing: error))")
        }
    }
}
