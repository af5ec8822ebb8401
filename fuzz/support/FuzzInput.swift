import Foundation

/// The fuzzer's bytes, for readers that take a path: written to one file per process (in
/// /dev/shm when there is one, so no disk is touched), passed to `body`, then removed.
enum FuzzInput {
    static let folder: String = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm/" : NSTemporaryDirectory()
        let folder = base + "vectui-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }()

    /// Runs `body` with the path of a file named `name` in `folder` holding `data`.
    static func withFile<T>(_ data: UnsafePointer<UInt8>, _ size: Int, named name: String, _ body: (String) throws -> T) rethrows -> T {
        let path = folder + "/" + name
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        precondition(fd >= 0, "cannot create \(path)")
        var written = 0
        while written < size {
            let n = write(fd, data + written, size - written)
            precondition(n > 0, "cannot write \(path)")
            written += n
        }
        close(fd)
        defer { unlink(path) }
        return try body(path)
    }

    /// The bytes as `Data`.
    static func data(_ data: UnsafePointer<UInt8>, _ size: Int) -> Data { Data(bytes: data, count: size) }
}
