import Foundation
import XCTest
@testable import Core

/// FAISS files of the IVF, SQ and PQ types: layouts, byte-identical round trips, mapping,
/// and refusals of truncated or corrupt files at the right offset.
final class QuantizedFileTests: XCTestCase {
    private func build(_ factory: String, rows: Int, dimension d: Int, metric: Metric, seed: UInt64,
                       ids: [Int64]? = nil, nprobe: Int = 3) throws -> any VectorIndex {
        let data = IVFIndexTests.clustered(rows: rows, dimension: d, clusters: 5, seed: seed)
        let index = try IndexFactory.make(factory, dimension: d, metric: metric)
        let core = (index as? IDMapIndex)?.inner ?? index
        try (core as? TrainableIndex)?.train(data, progress: { _, _ in true })
        if index is IDMapIndex {
            try index.add(data, ids: (0..<rows).map { Int64($0) * 3 + 1 })
        } else {
            try index.add(data, ids: ids)
        }
        (core as? IVFIndex)?.nprobe = nprobe
        return index
    }

    private func bytes(_ path: String) throws -> [UInt8] { try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) }

    /// Every type this file covers, small.
    private func smallIndexes() throws -> [(String, any VectorIndex)] {
        var out = [(String, any VectorIndex)]()
        for metric in [Metric.l2, .innerProduct] {
            for factory in ["IVF4,Flat", "IVF4,SQ8", "IVF4,SQ4", "IVF4,SQfp16", "IVF4,PQ2", "IVF4,PQ2x5", "SQ8", "SQ4", "SQ6",
                            "SQfp16", "SQbf16", "SQ8_direct", "PQ2", "PQ4x3", "IDMap2,IVF4,PQ2"] {
                let rows = factory.contains("PQ2x5") || factory == "PQ2" || factory.hasSuffix(",PQ2") ? 300 : 40
                out.append(("\(factory) \(metric)", try build(factory, rows: rows, dimension: 4, metric: metric, seed: 3)))
            }
        }
        return out
    }

    func testEveryTypeRoundTripsByteForByteAndSearchesTheSame() throws {
        let folder = TemporaryFolder()
        let queries = randomMatrix(rows: 6, dimension: 4, seed: 77)
        for (name, index) in try smallIndexes() {
            let first = folder.file("first.index"), second = folder.file("second.index")
            try FaissIndexFile.write(index, to: first)
            let back = try FaissIndexFile.read(path: first)
            XCTAssertEqual(back.faissClassName, index.faissClassName, name)
            XCTAssertEqual(back.count, index.count, name)
            XCTAssertEqual(back.isTrained, true, name)
            XCTAssertEqual(try back.search(queries, k: 5), try index.search(queries, k: 5), name)
            XCTAssertEqual(try back.reconstruct(id: 1), try index.reconstruct(id: 1), name)
            try FaissIndexFile.write(back, to: second)
            XCTAssertEqual(try bytes(first), try bytes(second), name)
            // Codes and lists stay in the mapping.
            XCTAssertTrue(back.memoryUsage.contains { $0.fileBacked && ($0.name == "codes" || $0.name == "list codes") }, name)
        }
    }

    func testIVFFlatLayoutFollowsTheFormat() throws {
        let folder = TemporaryFolder()
        let ivf = try XCTUnwrap(try build("IVF4,Flat", rows: 40, dimension: 4, metric: .l2, seed: 5, nprobe: 2) as? IVFIndex)
        let path = folder.file("ivf.index")
        try FaissIndexFile.write(ivf, to: path)
        let b = try bytes(path)
        func u64(_ at: Int) -> UInt64 { b[at..<(at + 8)].enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) } }
        XCTAssertEqual(Array(b[0..<4]), Array("IwFl".utf8))
        XCTAssertEqual(u64(37), 4)  // nlist
        XCTAssertEqual(u64(45), 2)  // nprobe
        XCTAssertEqual(Array(b[53..<57]), Array("IxF2".utf8))  // the quantizer, nested
        let afterQuantizer = 53 + 45 + 4 * 4 * 4
        XCTAssertEqual(b[afterQuantizer], 0)  // NoMap
        XCTAssertEqual(u64(afterQuantizer + 1), 0)  // empty direct map array
        let lists = afterQuantizer + 9
        XCTAssertEqual(Array(b[lists..<(lists + 4)]), Array("ilar".utf8))
        XCTAssertEqual(u64(lists + 4), 4)
        XCTAssertEqual(u64(lists + 12), 16)  // code size d·4
        XCTAssertEqual(Array(b[(lists + 20)..<(lists + 24)]), Array("full".utf8))
        XCTAssertEqual(u64(lists + 24), 4)
        let sizes = (0..<4).map { Int(u64(lists + 32 + 8 * $0)) }
        XCTAssertEqual(sizes, (0..<4).map { ivf.lists.count($0) })
        XCTAssertEqual(b.count, lists + 64 + 40 * (16 + 8))
    }

    func testSparseListsWhenHalfOrMoreAreEmpty() throws {
        let folder = TemporaryFolder()
        // 8 lists, 2 vectors: at most 2 non-empty lists, which is not more than 8/2 → 'sprs'.
        let data = IVFIndexTests.clustered(rows: 64, dimension: 3, clusters: 8, seed: 4)
        let ivf = IVFIndex(dimension: 3, metric: .l2, nlist: 8, encoding: .flat)
        try ivf.train(data, progress: { _, _ in true })
        try ivf.add(data.rows(0..<2), ids: [10, 20])
        let path = folder.file("sparse.index")
        try FaissIndexFile.write(ivf, to: path)
        let b = try bytes(path)
        let tag = Array("sprs".utf8)
        XCTAssertNotNil((0..<(b.count - 4)).first { Array(b[$0..<($0 + 4)]) == tag })
        let back = try XCTUnwrap(FaissIndexFile.read(path: path) as? IVFIndex)
        XCTAssertEqual(back.lists.totalCount, 2)
        XCTAssertEqual(try back.reconstruct(id: 20), data.row(1))
        // An empty trained IVF: 'sprs' with no pairs.
        let empty = IVFIndex(dimension: 3, metric: .l2, nlist: 8, encoding: .flat)
        try empty.train(data, progress: { _, _ in true })
        try FaissIndexFile.write(empty, to: path)
        let emptyBack = try XCTUnwrap(FaissIndexFile.read(path: path) as? IVFIndex)
        XCTAssertEqual(emptyBack.count, 0)
    }

    func testAddingToAMappedIndexCopiesOnlyWhatChanges() throws {
        let folder = TemporaryFolder()
        let index = try build("IVF4,SQ8", rows: 100, dimension: 4, metric: .l2, seed: 6)
        let path = folder.file("mapped.index")
        try FaissIndexFile.write(index, to: path)
        let back = try XCTUnwrap(FaissIndexFile.read(path: path) as? IVFIndex)
        let extra = randomMatrix(rows: 3, dimension: 4, seed: 1)
        try back.add(extra, ids: nil)
        XCTAssertEqual(back.count, 103)
        XCTAssertEqual(try back.search(extra.rows(0..<1), k: 1).ids, [100])
        // Saving over the mapped file keeps the open index readable.
        try FaissIndexFile.write(back, to: path)
        XCTAssertEqual((try FaissIndexFile.read(path: path)).count, 103)
        XCTAssertEqual(try back.reconstruct(id: 5), try index.reconstruct(id: 5))
    }

    // MARK: - Truncated and corrupt files

    func testTruncationAtEveryOffsetIsAFormatError() throws {
        let folder = TemporaryFolder()
        var cases = [(String, any VectorIndex)]()
        for factory in ["IVF4,Flat", "IVF4,SQ4", "IVF4,PQ2x3", "SQ8", "SQfp16", "PQ2x4", "IDMap2,IVF4,Flat"] {
            cases.append((factory, try build(factory, rows: 20, dimension: 4, metric: .l2, seed: 3)))
        }
        cases.append(("IVF4,PQ2 (nbits 8)", try build("IVF4,PQ2", rows: 300, dimension: 4, metric: .innerProduct, seed: 3)))
        for (name, index) in cases {
            let full = folder.file("full.index")
            try FaissIndexFile.write(index, to: full)
            let b = try bytes(full)
            let cut = folder.file("cut.index")
            // Every offset of the small files; every 7th (a prime, so all field phases) of the one with 256-centroid codebooks.
            let offsets = b.count <= 1500 ? Array(0..<b.count) : Array(stride(from: 0, to: b.count, by: 7))
            for length in offsets {
                try Data(b[0..<length]).write(to: URL(fileURLWithPath: cut))
                XCTAssertThrowsError(try FaissIndexFile.read(path: cut), "\(name) cut at \(length)") { error in
                    guard let format = error as? FileFormatError else { return XCTFail("\(name) cut at \(length): \(error)") }
                    XCTAssertLessThanOrEqual(format.offset, length, name)
                    XCTAssertTrue(format.description.hasPrefix("\(cut): at byte \(format.offset): expected "), format.description)
                }
            }
        }
    }

    /// Writes `index`, changes the bytes, and expects a refusal at `offset` mentioning `text`.
    private func expectRefusal(_ index: any VectorIndex, _ name: String, offset: (([UInt8]) -> Int),
                               _ mutate: (inout [UInt8], Int) -> Void, mentions text: String, unsupported: Bool = false,
                               file: StaticString = #filePath, line: UInt = #line) throws {
        let folder = TemporaryFolder()
        let path = folder.file("bad.index")
        try FaissIndexFile.write(index, to: path)
        var b = try bytes(path)
        let at = offset(b)
        mutate(&b, at)
        try Data(b).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try FaissIndexFile.read(path: path), name, file: file, line: line) { error in
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix("\(path): at byte \(at):"), "\(name): \(message)", file: file, line: line)
            XCTAssertTrue(message.contains(text), "\(name): \(message)", file: file, line: line)
            XCTAssertEqual(error is UnsupportedIndexError, unsupported, "\(name): \(message)", file: file, line: line)
        }
    }

    private func put<T: FixedWidthInteger>(_ value: T, _ b: inout [UInt8], _ at: Int) {
        withUnsafeBytes(of: value.littleEndian) { for (i, byte) in $0.enumerated() { b[at + i] = byte } }
    }

    private func find(_ text: String, _ b: [UInt8]) -> Int {
        let tag = Array(text.utf8)
        return (0...(b.count - tag.count)).first { Array(b[$0..<($0 + tag.count)]) == tag }!
    }

    func testCorruptIVFFieldsAreNamedAtTheirOffset() throws {
        let ivf = try build("IVF4,Flat", rows: 40, dimension: 4, metric: .l2, seed: 7)
        let pqIVF = try build("IVF4,PQ2", rows: 300, dimension: 4, metric: .l2, seed: 7)
        let sqIVF = try build("IVF4,SQ8", rows: 40, dimension: 4, metric: .innerProduct, seed: 7)
        try expectRefusal(ivf, "nlist 0", offset: { _ in 37 }, { self.put(UInt64(0), &$0, $1) }, mentions: "nlist")
        try expectRefusal(ivf, "nlist 5", offset: { _ in 53 }, { b, _ in self.put(UInt64(5), &b, 37) }, mentions: "centroids")
        try expectRefusal(ivf, "map type", offset: { _ in 53 + 45 + 64 }, { $0[$1] = 7 }, mentions: "direct map type")
        try expectRefusal(ivf, "lists tag", offset: { self.find("ilar", $0) }, { $0[$1 + 3] = UInt8(ascii: "x") }, mentions: "inverted-lists tag")
        try expectRefusal(ivf, "il00", offset: { self.find("ilar", $0) }, { $0[$1 + 2] = UInt8(ascii: "0"); $0[$1 + 3] = UInt8(ascii: "0") },
                          mentions: "without its inverted lists", unsupported: true)
        try expectRefusal(ivf, "ilod", offset: { self.find("ilar", $0) }, { $0[$1 + 2] = UInt8(ascii: "o"); $0[$1 + 3] = UInt8(ascii: "d") },
                          mentions: "OnDiskInvertedLists", unsupported: true)
        try expectRefusal(ivf, "lists nlist", offset: { self.find("ilar", $0) + 4 }, { self.put(UInt64(3), &$0, $1) }, mentions: "nlist 4")
        try expectRefusal(ivf, "code size", offset: { self.find("ilar", $0) + 12 }, { self.put(UInt64(15), &$0, $1) }, mentions: "code size 16")
        try expectRefusal(ivf, "list type", offset: { self.find("full", $0) }, { $0[$1] = UInt8(ascii: "F") }, mentions: "'full' or 'sprs'")
        try expectRefusal(ivf, "list size", offset: { self.find("full", $0) + 12 }, { self.put(UInt64(1 << 40), &$0, $1) }, mentions: "list size")
        try expectRefusal(ivf, "sizes sum", offset: { self.find("full", $0) + 4 }, { b, at in
            // Move one entry from list 0 to list 1: same bytes, different sizes → the ids land elsewhere,
            // but the total still matches, so instead grow list 0 by one and shrink nothing: a total mismatch.
            let s0 = b[at + 8..<at + 16].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
            self.put(s0 - 1, &b, at + 8)
        }, mentions: "adding up to ntotal")
        try expectRefusal(pqIVF, "pq nbits", offset: { self.find("ilar", $0) - 8 - 4 * 4 * 256 - 8 }, { self.put(UInt64(30), &$0, $1) },
                          mentions: "nbits between 1 and 24")
        try expectRefusal(pqIVF, "pq M", offset: { self.find("ilar", $0) - 8 - 4 * 4 * 256 - 16 }, { self.put(UInt64(3), &$0, $1) },
                          mentions: "dividing the dimension")
        try expectRefusal(pqIVF, "pq code size", offset: { self.find("ilar", $0) - 8 - 4 * 4 * 256 - 32 }, { self.put(UInt64(3), &$0, $1) },
                          mentions: "code size 2")
        try expectRefusal(pqIVF, "by_residual", offset: { self.find("ilar", $0) - 8 - 4 * 4 * 256 - 33 }, { $0[$1] = 2 }, mentions: "bool")
        // IwSq: qtype right after the direct map (NoMap + empty array).
        let sqTypeAt: ([UInt8]) -> Int = { _ in 53 + 45 + 64 + 9 }
        try expectRefusal(sqIVF, "qtype 99", offset: sqTypeAt, { self.put(Int32(99), &$0, $1) }, mentions: "scalar quantizer type")
        try expectRefusal(sqIVF, "qtype 12", offset: sqTypeAt, { self.put(Int32(12), &$0, $1) }, mentions: "QT_3bit_tqmse", unsupported: true)
        try expectRefusal(sqIVF, "rangestat", offset: { sqTypeAt($0) + 4 }, { self.put(Int32(9), &$0, $1) }, mentions: "range statistic")
        try expectRefusal(sqIVF, "sq d", offset: { sqTypeAt($0) + 12 }, { self.put(UInt64(5), &$0, $1) }, mentions: "dimension 4")
        try expectRefusal(sqIVF, "sq trained", offset: { sqTypeAt($0) + 28 }, { self.put(UInt64(2), &$0, $1) }, mentions: "8 trained floats")
    }

    func testCorruptFlatCodeFilesAreNamedAtTheirOffset() throws {
        let sq = try build("SQ8", rows: 10, dimension: 4, metric: .l2, seed: 2)
        let pq = try build("PQ2x4", rows: 40, dimension: 4, metric: .l2, seed: 2)
        try expectRefusal(sq, "codes count", offset: { _ in 37 + 28 + 8 + 32 }, { self.put(UInt64(39), &$0, $1) }, mentions: "10 codes of 4 bytes")
        try expectRefusal(sq, "code size", offset: { _ in 37 + 20 }, { self.put(UInt64(8), &$0, $1) }, mentions: "code size 4")
        let afterCodes: ([UInt8]) -> Int = { $0.count - 9 }
        try expectRefusal(pq, "search type", offset: afterCodes, { self.put(Int32(6), &$0, $1) }, mentions: "PQ search type")
        try expectRefusal(pq, "encode signs", offset: { afterCodes($0) + 4 }, { $0[$1] = 3 }, mentions: "bool")
        try expectRefusal(pq, "centroids", offset: { _ in 37 + 24 }, { self.put(UInt64(63), &$0, $1) }, mentions: "64 centroid floats")
    }

    func testAHugeListCountWithoutCentroidsIsRefusedBeforeAllocating() throws {
        // An untrained IVF claiming 2^30 lists: no centroids vouch for them.
        let folder = TemporaryFolder()
        let ivf = IVFIndex(dimension: 4, metric: .l2, nlist: 4, encoding: .flat)
        let path = folder.file("huge.index")
        try FaissIndexFile.write(ivf, to: path)
        var b = try bytes(path)
        put(UInt64(1 << 30), &b, 37)
        try Data(b).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try FaissIndexFile.read(path: path)) { error in
            XCTAssertEqual((error as? FileFormatError)?.offset, 37, "\(error)")
        }
    }
}
