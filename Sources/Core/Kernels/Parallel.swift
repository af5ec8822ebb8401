import Dispatch
import Foundation

/// Runs work on every core. The host has few cores (two here), so parallel kernels split
/// their work into exactly `workerCount` contiguous parts.
public enum Parallel {
    /// Cores available to this process.
    public static let workerCount = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Calls `body(part, range)` for `parts` contiguous slices of `0..<count`, concurrently.
    public static func forEachSlice(of count: Int, parts: Int, _ body: (Int, Range<Int>) -> Void) {
        let parts = max(1, min(parts, count))
        if parts == 1 {
            body(0, 0..<count)
            return
        }
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let lower = count * part / parts
            let upper = count * (part + 1) / parts
            body(part, lower..<upper)
        }
    }
}
