import Dispatch
import Foundation
/// Runs work on every core. The host has few cores (two here), so parallel kernels split
/// their work into exactly `workerCount` contiguous parts.
public enum Parallel {
    /// Cores available to this process.
    public static let workerCount = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Calls `body(part, range)` for `parts` contiguous slices of `0..<count`, concurrently.
    ///
    /// Each call must write only the outputs of its own slice (or of its own `part`); `map`
    /// needs no such care.
    public static func forEachSlice(of count: Int, parts: Int, _ body: (Int, Range<Int>) -> Void) {
        let parts = max(1, min(parts, count))
        if parts == 1 {
            body(0, 0..<count)
            return
        }
        onThreads(parts) { part in body(part, (count * part / parts)..<(count * (part + 1) / parts)) }
    }

    /// Calls `body(thread)` on `threads` threads at once (inline for one), and returns when all
    /// have; for workers that take their work from a shared counter.
    ///
    /// Each call must write only the outputs of the work it took (or of its own `thread`).
    public static func onThreads(_ threads: Int, _ body: (Int) -> Void) {
        if threads <= 1 {
            body(0)
            return
        }
        withoutActuallyEscaping(body) { body in
            let shared = ThreadBody(body: body)
            DispatchQueue.concurrentPerform(iterations: threads) { thread in shared.body(thread) }
        }
    }

    /// `body(0) … body(count − 1)`, run concurrently, in order.
    /// - Throws: the first error (by position) a call threw, after every call has ended.
    public static func map<T: Sendable, E: Error>(_ count: Int, _ body: @Sendable (Int) throws(E) -> T) throws(E) -> [T] {
        if count == 1 { return [try body(0)] }
        let slots = Locked([Result<T, E>?](repeating: nil, count: count))
        DispatchQueue.concurrentPerform(iterations: count) { i in
            let result = Result { () throws(E) -> T in try body(i) }
            slots.withLock { $0[i] = result }
        }
        return try slots.withLock { $0 }.map { slot throws(E) -> T in try slot!.get() }
    }

    /// A body handed to Dispatch's threads.
    // @unchecked: `onThreads` calls `body` only inside `concurrentPerform`, which returns after
    // every call has, so `body` never outlives the caller's frame; each call writes only the
    // outputs of its own work (the contract stated on `onThreads` and `forEachSlice`), and
    // TSan checks the callers (scripts/test).
    private struct ThreadBody: @unchecked Sendable {
        let body: (Int) -> Void
    }
}
