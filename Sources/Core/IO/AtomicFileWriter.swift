#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file so that readers see either the old file or the complete new one: bytes go
/// to a temporary file in the same folder, which is fsynced and renamed over the target on
/// `commit()`. Dropping the writer without committing removes the temporary file and leaves
/// the target as it was.
public final class AtomicFileWriter {
    public let path: String
    private let temporaryPath: String
    private var fd: Int32
    private var buffer: UnsafeMutableRawPointer
    private let bufferCapacity = 1 << 20
    private var buffered = 0
    private var committed = false
    /// Bytes handed to the writer so far.
    public private(set) var bytesWritten = 0

    /// Creates the temporary file beside `path`.
    /// - Throws: `FileSystemError` when the folder is not writable.
    public init(path: String) throws {
        self.path = path
        let folder = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let name = path.split(separator: "/").last.map(String.init) ?? path
        var template = Array("\(folder.isEmpty ? "/" : folder)/.\(name).tmp-XXXXXX".utf8CString)
        fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw FileSystemError(path: path, operation: "create a temporary file beside", errno: errno) }
        temporaryPath = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        fchmod(fd, 0o644)
        buffer = .allocate(byteCount: bufferCapacity, alignment: 64)
    }

    deinit {
        buffer.deallocate()
        if !committed {
            if fd >= 0 { close(fd) }
            unlink(temporaryPath)
        }
    }

    /// Appends bytes.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        bytesWritten += bytes.count
        if buffered + bytes.count <= bufferCapacity {
            (buffer + buffered).copyMemory(from: source, byteCount: bytes.count)
            buffered += bytes.count
            return
        }
        try flush()
        if bytes.count >= bufferCapacity {
            try writeAll(source, bytes.count)
        } else {
            buffer.copyMemory(from: source, byteCount: bytes.count)
            buffered = bytes.count
        }
    }

    /// Appends a fixed-width integer, little-endian.
    public func write<T: FixedWidthInteger>(_ value: T) throws {
        var little = value.littleEndian
        try withUnsafeBytes(of: &little) { try write($0) }
    }

    /// Appends a float32.
    public func write(_ value: Float) throws { try write(value.bitPattern) }

    /// Appends a one-byte bool (0 or 1).
    public func write(_ value: Bool) throws { try write(UInt8(value ? 1 : 0)) }

    /// Appends a string's UTF-8 bytes.
    public func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }

    /// Appends a four-character tag.
    public func write(_ code: FourCC) throws { try code.bytes.withUnsafeBytes { try write($0) } }

    /// Makes the file durable and puts it in place of `path` — unless a mapped file it may have
    /// been written from changed under this process meanwhile (bytes read from a truncated file
    /// are zeros): then nothing replaces the target.
    /// - Throws: `FileSystemError` or `FileChangedError`; the target is then unchanged.
    public func commit() throws {
        try flush()
        try MappedFile.checkAllUnchanged()
        guard fsync(fd) == 0 else { throw FileSystemError(path: path, operation: "fsync", errno: errno) }
        guard close(fd) == 0 else { fd = -1; throw FileSystemError(path: path, operation: "close", errno: errno) }
        fd = -1
        guard rename(temporaryPath, path) == 0 else { throw FileSystemError(path: path, operation: "rename the temporary file to", errno: errno) }
        committed = true
        let folder = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let dirfd = open(folder.isEmpty ? "/" : folder, O_RDONLY | O_DIRECTORY)
        if dirfd >= 0 {
            fsync(dirfd)
            close(dirfd)
        }
    }

    private func flush() throws {
        guard buffered > 0 else { return }
        try writeAll(buffer, buffered)
        buffered = 0
    }

    private func writeAll(_ source: UnsafeRawPointer, _ count: Int) throws {
        var done = 0
        while done < count {
            let n = Glibc.write(fd, source + done, count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw FileSystemError(path: path, operation: "write", errno: errno)
            }
            done += n
        }
    }
}
