#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only and shared: pages are read on first touch, shared with the
/// page cache and with every other process that maps the same file. The mapping lives as long
/// as this object (a saved file that replaces it by rename leaves the mapping intact).
public final class MappedFile: @unchecked Sendable {
    public let path: String
    /// The file's bytes. Empty (and not mapped) for an empty file.
    public let bytes: UnsafeRawBufferPointer
    private let mappedLength: Int

    /// Maps the file at `path`.
    /// - Throws: `FileSystemError` when the file cannot be opened, read or mapped.
    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileSystemError(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FileSystemError(path: path, operation: "stat", errno: errno) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw FileSystemError(path: path, operation: "open", message: "not a regular file")
        }
        let length = Int(info.st_size)
        mappedLength = length
        if length == 0 {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let base = mmap(nil, length, PROT_READ, MAP_SHARED, fd, 0), base != MAP_FAILED else {
            throw FileSystemError(path: path, operation: "mmap", errno: errno)
        }
        bytes = UnsafeRawBufferPointer(start: base, count: length)
    }

    deinit {
        if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), mappedLength) }
    }

    /// How many bytes of `range` are resident in physical memory right now (mincore), so
    /// callers can show that opening an index did not read its data.
    public func residentBytes(in range: Range<Int>) -> Int {
        guard let base = bytes.baseAddress, !range.isEmpty else { return 0 }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let first = (range.lowerBound / page) * page
        let pages = (range.upperBound - first + page - 1) / page
        var vector = [UInt8](repeating: 0, count: pages)
        let status = vector.withUnsafeMutableBufferPointer { buffer -> Int32 in
            mincore(UnsafeMutableRawPointer(mutating: base + first), range.upperBound - first, buffer.baseAddress)
        }
        guard status == 0 else { return 0 }
        let residentPages = vector.reduce(0) { $0 + Int($1 & 1) }
        return min(residentPages * page, range.count)
    }
}

/// An operating-system call on a file failed.
public struct FileSystemError: Error, Equatable, CustomStringConvertible {
    public let path: String
    public let operation: String
    public let message: String

    public init(path: String, operation: String, message: String) {
        self.path = path
        self.operation = operation
        self.message = message
    }

    public init(path: String, operation: String, errno code: Int32) {
        self.init(path: path, operation: operation, message: String(cString: strerror(code)))
    }

    public var description: String { "\(path): cannot \(operation): \(message)" }
}
