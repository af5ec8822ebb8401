import Foundation

/// Human-readable byte counts in binary units ("512.0 MiB").
func formatBytes(_ bytes: Int) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1024 && unit < units.count - 1 {
        value /= 1024
        unit += 1
    }
    return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
}

/// A monotonic clock in seconds, for timings.
func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// This process's resident memory, split as Linux reports it (`/proc/self/status`).
struct ProcessMemory {
    let anonymousBytes: Int
    let fileBackedBytes: Int

    static func current() -> ProcessMemory? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        func kilobytes(_ key: String) -> Int? {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(key + ":") }) else { return nil }
            return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
        }
        guard let anon = kilobytes("RssAnon"), let file = kilobytes("RssFile") else { return nil }
        return ProcessMemory(anonymousBytes: anon * 1024, fileBackedBytes: file * 1024)
    }
}
