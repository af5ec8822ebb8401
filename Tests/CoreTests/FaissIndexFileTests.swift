import Foundation
import XCTest
@testable import Core

final class FaissIndexFileTests: XCTestCase {
    /// faiss-format.md §4's worked example: IndexFlatL2, d = 2, one vector (1, 2), 53 bytes.
    static let flatL2Example: [UInt8] = [
        0x49, 0x78, 0x46, 0x32, 0x02, 0, 0, 0, 0x01, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0x10, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 0,
        0x01, 0x01, 0, 0, 0, 0x02, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0x80, 0x3f, 0, 0, 0, 0x40,
    ]

    func testReadsAndWritesTheDocumentedFlatExample() throws {
        let folder = TemporaryFolder()
        let path = folder.file("example.index")
        try Data(Self.flatL2Example).write(to: URL(fileURLWithPath: path))
        let index = try XCTUnwrap(FaissIndexFile.read(path: path) as? FlatIndex)
        XCTAssertEqual(index.metric, .l2)
        XCTAssertEqual(index.count, 1)
        XCTAssertEqual(try index.reconstruct(id: 0), [1, 2])
        XCTAssertTrue(index.storage.isMapped)

        let copy = folder.file("copy.index")
        try FaissIndexFile.write(index, to: copy)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: copy)), Data(Self.flatL2Example))
    }

    /// faiss-format.md §5's example: IDMap over IndexFlatIP, d = 2, one vector, id 42: 106 bytes.
    func testIDMapLayoutMatchesTheFormat() throws {
        let folder = TemporaryFolder()
        let inner = FlatIndex(dimension: 2, metric: .innerProduct)
        let index = try IDMapIndex(kind: .idMap, inner: inner, ids: [])
        try index.add(VectorMatrix(vector: [1, 2]), ids: [42])
        let path = folder.file("idmap.index")
        try FaissIndexFile.write(index, to: path)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        XCTAssertEqual(bytes.count, 106)
        XCTAssertEqual(Array(bytes[0..<4]), Array("IxMp".utf8))
        XCTAssertEqual(Array(bytes[37..<41]), Array("IxFI".utf8))
        XCTAssertEqual(Array(bytes[90..<106]), [1, 0, 0, 0, 0, 0, 0, 0, 42, 0, 0, 0, 0, 0, 0, 0])

        let back = try XCTUnwrap(FaissIndexFile.read(path: path) as? IDMapIndex)
        XCTAssertEqual(back.kind, .idMap)
        XCTAssertEqual(back.ids, [42])
        XCTAssertEqual(try back.reconstruct(id: 42), [1, 2])
    }

    func testRoundTripsEveryKindByteForByte() throws {
        let folder = TemporaryFolder()
        let data = randomMatrix(rows: 300, dimension: 37, seed: 4)
        var indexes: [any VectorIndex] = []
        for metric in [Metric.innerProduct, .l2] {
            let flat = FlatIndex(dimension: 37, metric: metric)
            try flat.add(data, ids: nil)
            indexes.append(flat)
            for kind in [IDMapIndex.Kind.idMap, .idMap2] {
                let wrapped = try IDMapIndex(kind: kind, inner: FlatIndex(dimension: 37, metric: metric), ids: [])
                try wrapped.add(data, ids: (0..<300).map { Int64($0 * 7 - 1000) })
                indexes.append(wrapped)
            }
        }
        indexes.append(FlatIndex(dimension: 5, metric: .l2))  // empty
        for (n, index) in indexes.enumerated() {
            let first = folder.file("a\(n).index"), second = folder.file("b\(n).index")
            try FaissIndexFile.write(index, to: first)
            let read = try FaissIndexFile.read(path: first)
            XCTAssertEqual(read.faissClassName, index.faissClassName)
            XCTAssertEqual(read.count, index.count)
            try FaissIndexFile.write(read, to: second)
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: first)), try Data(contentsOf: URL(fileURLWithPath: second)))
            if index.count > 0 {
                let queries = data.rows(0..<3)
                XCTAssertEqual(try read.search(queries, k: 5), try index.search(queries, k: 5))
            }
        }
    }

    func testEveryTruncationIsAClearError() throws {
        let folder = TemporaryFolder()
        let index = try IDMapIndex(kind: .idMap2, inner: FlatIndex(dimension: 3, metric: .l2), ids: [])
        try index.add(randomMatrix(rows: 4, dimension: 3, seed: 2), ids: [5, 6, 7, 8])
        let full = folder.file("full.index")
        try FaissIndexFile.write(index, to: full)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: full))
        for length in 0..<bytes.count {
            let cut = folder.file("cut.index")
            try bytes.prefix(length).write(to: URL(fileURLWithPath: cut))
            XCTAssertThrowsError(try FaissIndexFile.read(path: cut), "truncated at \(length)") { error in
                guard let format = error as? FileFormatError else { return XCTFail("\(length): \(error)") }
                XCTAssertEqual(format.path, cut)
                XCTAssertLessThanOrEqual(format.offset, length)
                XCTAssertTrue(format.description.contains("at byte"))
            }
        }
    }

    func testAHugeCountInATinyFileFailsWithoutAllocating() throws {
        let folder = TemporaryFolder()
        var bytes = Array("IxFI".utf8)
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
        append(Int32(128)); append(Int64(1_000_000_000_000)); append(Int64(1 << 20)); append(Int64(1 << 20))
        bytes.append(1); append(Int32(0)); append(UInt64(128_000_000_000_000))
        XCTAssertEqual(bytes.count, 45)
        let path = folder.file("huge.index")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try FaissIndexFile.read(path: path)) { error in
            let format = error as? FileFormatError
            XCTAssertEqual(format?.offset, 37)
            XCTAssertTrue(format?.found.contains("only 0 bytes") ?? false, "\(error)")
        }
    }

    func testBadFieldsAreNamed() throws {
        let folder = TemporaryFolder()
        let path = folder.file("bad.index")
        func check(_ mutate: (inout [UInt8]) -> Void, offset: Int, mentions text: String, unsupported: Bool = false) throws {
            var bytes = Self.flatL2Example
            mutate(&bytes)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            XCTAssertThrowsError(try FaissIndexFile.read(path: path)) { error in
                let message = "\(error)"
                XCTAssertTrue(message.contains(text), message)
                XCTAssertTrue(message.hasPrefix("\(path): at byte \(offset):"), message)
                XCTAssertEqual(error is UnsupportedIndexError, unsupported, message)
            }
        }
        try check({ $0.replaceSubrange(0..<4, with: Array("ABCD".utf8)) }, offset: 0, mentions: "unknown fourcc 'ABCD'")
        try check({ $0.replaceSubrange(0..<4, with: Array("IHNs".utf8)) }, offset: 0, mentions: "IndexHNSWSQ", unsupported: true)
        try check({ $0.replaceSubrange(0..<4, with: Array("IwRQ".utf8)) }, offset: 0, mentions: "IndexIVFResidualQuantizer", unsupported: true)
        try check({ $0.replaceSubrange(0..<4, with: [0, 0xff, 1, 2]) }, offset: 0, mentions: "bytes 00 ff 01 02")
        try check({ $0[32] = 7 }, offset: 32, mentions: "bool")
        try check({ $0[33] = 2 }, offset: 33, mentions: "METRIC_L1", unsupported: true)
        try check({ $0[33] = 99 }, offset: 33, mentions: "metric type")
        try check({ $0[15] = 0x80 }, offset: 8, mentions: "vector count")
        try check({ $0[6] = 0x20 }, offset: 4, mentions: "dimension")
        try check({ $0[37] = 3 }, offset: 37, mentions: "floats")
    }

    func testAFailedSaveLeavesTheOldFile() throws {
        let folder = TemporaryFolder()
        let path = folder.file("keep.index")
        try Data(Self.flatL2Example).write(to: URL(fileURLWithPath: path))
        do {
            let writer = try AtomicFileWriter(path: path)
            try writer.write(UInt64(12345))
            // Dropped without commit, as when a save fails half-way.
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), Data(Self.flatL2Example))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["keep.index"])
        XCTAssertThrowsError(try AtomicFileWriter(path: folder.file("missing/dir/x.index"))) { error in
            XCTAssertTrue(error is FileSystemError)
        }
    }

    func testSavingOverTheMappedFileKeepsTheIndexReadable() throws {
        let folder = TemporaryFolder()
        let path = folder.file("self.index")
        let flat = FlatIndex(dimension: 37, metric: .innerProduct)
        let data = randomMatrix(rows: 200, dimension: 37, seed: 1)
        try flat.add(data, ids: nil)
        try FaissIndexFile.write(flat, to: path)
        let mapped = try FaissIndexFile.read(path: path)
        try FaissIndexFile.write(mapped, to: path)
        XCTAssertEqual(try mapped.reconstruct(id: 199), data.row(199))
        XCTAssertEqual(try FaissIndexFile.read(path: path).reconstruct(id: 5), data.row(5))
    }
}
