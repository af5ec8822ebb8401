import Foundation
import XCTest
@testable import Core

final class VectorFileTests: XCTestCase {
    /// A `.npy` file as NumPy writes it (version 1.0, header padded to 64 bytes).
    static func npy(descr: String, shape: String, payload: [UInt8], fortran: Bool = false) -> [UInt8] {
        var header = "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shape), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        bytes += [UInt8(header.utf8.count & 0xff), UInt8(header.utf8.count >> 8)]
        return bytes + Array(header.utf8) + payload
    }

    static func bytes<T>(_ values: [T]) -> [UInt8] { values.withUnsafeBytes { Array($0) } }

    func testReadsFloat32MappedAndConvertsOtherFloats() throws {
        let folder = TemporaryFolder()
        let values: [Float] = [1, 2.5, -3, 4, 0.25, 6]
        let cases: [(String, [UInt8])] = [
            ("<f4", Self.bytes(values)),
            ("<f2", Self.bytes(values.map { Float16($0).bitPattern })),
            ("<f8", Self.bytes(values.map { Double($0) })),
        ]
        for (descr, payload) in cases {
            let path = folder.file("v\(descr.dropFirst()).npy")
            try Data(Self.npy(descr: descr, shape: "(2, 3)", payload: payload)).write(to: URL(fileURLWithPath: path))
            let matrix = try VectorFile.readMatrix(path: path)
            XCTAssertEqual(matrix, VectorMatrix(rows: 2, dimension: 3, values: values), descr)
            XCTAssertEqual(try VectorFile.readStorage(path: path).isMapped, descr == "<f4")
        }
    }

    func testReadsIDsAndFvecs() throws {
        let folder = TemporaryFolder()
        let ids = folder.file("ids.npy")
        try Data(Self.npy(descr: "<i8", shape: "(3,)", payload: Self.bytes([Int64(7), -1, 1 << 40])))
            .write(to: URL(fileURLWithPath: ids))
        XCTAssertEqual(try VectorFile.readIDs(path: ids), [7, -1, 1 << 40])

        let fvecs = folder.file("q.fvecs")
        try Data(Self.bytes([Int32(2)]) + Self.bytes([Float(1), 2]) + Self.bytes([Int32(2)]) + Self.bytes([Float(3), 4]))
            .write(to: URL(fileURLWithPath: fvecs))
        XCTAssertEqual(try VectorFile.readMatrix(path: fvecs), VectorMatrix(rows: 2, dimension: 2, values: [1, 2, 3, 4]))
    }

    func testBadFilesAreNamedWithTheirOffset() throws {
        let folder = TemporaryFolder()
        let path = folder.file("bad.npy")
        func expectError(_ bytes: [UInt8], _ text: String, file: StaticString = #filePath, line: UInt = #line) throws {
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            XCTAssertThrowsError(try VectorFile.readMatrix(path: path), file: file, line: line) { error in
                XCTAssertTrue("\(error)".hasPrefix(path + ": at byte "), "\(error)", file: file, line: line)
                XCTAssertTrue("\(error)".contains(text), "\(error)", file: file, line: line)
            }
        }
        let good = Self.npy(descr: "<f4", shape: "(2, 3)", payload: Self.bytes([Float](repeating: 1, count: 6)))
        try expectError(Array(good.prefix(5)), "magic")
        try expectError([0x50] + good.dropFirst(), "magic")
        try expectError(Array(good.prefix(good.count - 1)), "24 bytes of data")
        try expectError(Self.npy(descr: "<f4", shape: "(2, 3)", payload: [], fortran: true), "C order")
        try expectError(Self.npy(descr: "<c8", shape: "(2, 3)", payload: []), "dtype '<c8'")
        try expectError(Self.npy(descr: ">f4", shape: "(2, 3)", payload: []), "dtype '>f4'")
        try expectError(Self.npy(descr: "<i8", shape: "(2, 3)", payload: Array(repeating: 0, count: 48)), "dtype int64")
        try expectError(Self.npy(descr: "<f4", shape: "(2, 3, 4)", payload: Array(repeating: 0, count: 96)), "3-D")
        try expectError(Self.npy(descr: "<f4", shape: "(99999999999, 99999999999)", payload: []), "fits in memory")

        let fvecs = folder.file("bad.fvecs")
        try Data(Self.bytes([Int32(2)]) + Self.bytes([Float(1), 2]) + Self.bytes([Int32(3)]) + Self.bytes([Float(3), 4]))
            .write(to: URL(fileURLWithPath: fvecs))
        XCTAssertThrowsError(try VectorFile.readMatrix(path: fvecs)) { error in
            XCTAssertEqual("\(error)", "\(fvecs): at byte 12: expected dimension 2 for row 1, like row 0, found 3")
        }
    }
}
