import Core
import Foundation
import XCTest

/// Another process truncates, rewrites, replaces or deletes a file this process has mapped:
/// reads never fault, and `change` / `checkUnchanged()` say what happened.
final class MappedFileChangeTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("vectui-mapped-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        MappedFile.changePolicy = .failReaders
        try? FileManager.default.removeItem(at: directory)
    }

    /// A 1 MiB file whose byte i is i % 251 (so a zero-filled page is told apart).
    private func makeFile(_ name: String = "data.bin") throws -> String {
        let path = directory.appendingPathComponent(name).path
        let bytes = (0..<(1 << 20)).map { UInt8($0 % 251) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Runs `script` in another Python process (a writer that is not us, as in a notebook).
    private func runPython(_ script: String, _ path: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, path]
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
    }

    private func lastByte(_ file: MappedFile) -> UInt8 { file.bytes[file.bytes.count - 1] }

    func testTruncatedUnderTheMappingReadsZerosAndFails() throws {
        let path = try makeFile()
        let file = try MappedFile(path: path)
        XCTAssertTrue(file.holdsLease, "a file we own on a local disk takes a read lease")
        XCTAssertNil(file.change)
        try runPython("import sys; open(sys.argv[1], 'r+b').truncate(4096)", path)
        XCTAssertEqual(lastByte(file), 0, "a read past the new end finds zeros instead of SIGBUS")
        XCTAssertEqual(file.bytes[100], 100, "the pages inside the file are still read")
        XCTAssertEqual(file.change, .truncated)
        XCTAssertThrowsError(try file.checkUnchanged()) { error in
            XCTAssertEqual(error as? FileChangedError, FileChangedError(path: path, change: .truncated))
            XCTAssertTrue("\(error)".contains(path))
        }
        XCTAssertThrowsError(try MappedFile.checkAllUnchanged())
    }

    func testRewriteInPlaceWithoutALeaseIsGuardedToo() throws {
        let path = try makeFile()
        // Holding the file open for writing ourselves keeps the kernel from granting a lease.
        let writer = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? writer.close() }
        let file = try MappedFile(path: path)
        XCTAssertFalse(file.holdsLease)
        try runPython("import sys; open(sys.argv[1], 'wb').write(b'x' * 1000)", path)
        XCTAssertEqual(lastByte(file), 0)
        XCTAssertEqual(file.change, .truncated)
        XCTAssertThrowsError(try file.checkUnchanged())
    }

    func testKeepPrivateCopyHoldsTheFileAsOpened() throws {
        MappedFile.changePolicy = .keepPrivateCopy
        let path = try makeFile()
        let file = try MappedFile(path: path)
        XCTAssertTrue(file.holdsLease)
        // As faiss.write_index does: truncate and write a new file of another size.
        try runPython("import sys; open(sys.argv[1], 'wb').write(b'\\x07' * 5000)", path)
        XCTAssertTrue(file.isPrivateCopy)
        XCTAssertEqual(lastByte(file), UInt8((1 << 20 - 1) % 251))
        XCTAssertEqual(file.bytes[4999], UInt8(4999 % 251), "the old bytes, not the new file's")
        XCTAssertEqual(file.change, .truncated)
        XCTAssertNoThrow(try file.checkUnchanged())
        XCTAssertEqual(MappedFile.changedFiles().first { $0.path == path }?.privateCopy, true)
    }

    func testReplacedByRenameOrDeletedKeepsTheOldFile() throws {
        let path = try makeFile()
        let file = try MappedFile(path: path)
        try runPython("import os, sys; open(sys.argv[1] + '.new', 'wb').write(b'y'); os.replace(sys.argv[1] + '.new', sys.argv[1])", path)
        XCTAssertEqual(file.change, .replaced)
        XCTAssertNoThrow(try file.checkUnchanged())
        XCTAssertEqual(lastByte(file), UInt8((1 << 20 - 1) % 251))
        try FileManager.default.removeItem(atPath: path)
        XCTAssertEqual(file.change, .deleted)
        XCTAssertNoThrow(try file.checkUnchanged())
    }

    func testFileIdentitySeesRewritesOfUnmappedFiles() throws {
        let path = try makeFile("catalog.jsonl")
        let before = try XCTUnwrap(FileIdentity(path: path))
        XCTAssertNil(before.change(at: path))
        try Data("{}\n".utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        XCTAssertEqual(before.change(at: path), .replaced, "an atomic write saves by rename")
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        let now = try XCTUnwrap(FileIdentity(path: path))
        try handle.write(contentsOf: Data("{\"a\": 1}\n".utf8))
        try handle.close()
        XCTAssertEqual(now.change(at: path), .rewritten)
    }
}
