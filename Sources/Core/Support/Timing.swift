import Foundation

/// A monotonic clock in seconds, for timings.
public func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// The p-th percentile of ascending `sorted` (not empty): sorted[round(p · (count − 1))], the
/// rule `bench` and `embed --bench` report with (and the benchmarks' scripts mirror).
public func percentile(_ p: Double, ofSorted sorted: [Double]) -> Double {
    sorted[min(sorted.count - 1, Int((p * Double(sorted.count - 1)).rounded()))]
}

/// Writes a line to stderr (progress and timings, which must not mix with --json output).
public func printToStderr(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
