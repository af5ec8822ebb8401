import Foundation

/// The host: cores, RAM, and this process's resident memory as Linux reports it.
public struct HostInfo: Sendable, Equatable {
    public let cores: Int
    public let totalMemoryBytes: Int
    public let availableMemoryBytes: Int
    /// This process's anonymous resident memory (its own heap, and PoCL "device" buffers).
    public let residentAnonymousBytes: Int
    /// This process's file-backed resident memory (memory-mapped index pages, libraries).
    public let residentFileBytes: Int

    /// Reads `/proc/meminfo` and `/proc/self/status` now.
    public static func current() -> HostInfo {
        let meminfo = Self.kilobyteFields(path: "/proc/meminfo")
        let status = Self.kilobyteFields(path: "/proc/self/status")
        return HostInfo(cores: ProcessInfo.processInfo.activeProcessorCount,
                        totalMemoryBytes: (meminfo["MemTotal"] ?? 0) * 1024,
                        availableMemoryBytes: (meminfo["MemAvailable"] ?? 0) * 1024,
                        residentAnonymousBytes: (status["RssAnon"] ?? 0) * 1024,
                        residentFileBytes: (status["RssFile"] ?? 0) * 1024)
    }

    /// "Key:   123 kB" lines of a /proc file, as kilobytes.
    private static func kilobyteFields(path: String) -> [String: Int] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [:] }
        var out = [String: Int]()
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            if let value = parts[1].split(whereSeparator: { $0 == " " || $0 == "\t" }).first.flatMap({ Int($0) }) {
                out[String(parts[0])] = value
            }
        }
        return out
    }
}
