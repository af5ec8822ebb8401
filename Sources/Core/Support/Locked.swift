import Foundation

/// A value that threads share behind a lock: what Synchronization's `Mutex` offers, on a
/// pthread mutex (`NSLock`) instead. ThreadSanitizer understands pthread mutexes; `Mutex`
/// on Linux takes a contended lock through the kernel (`FUTEX_LOCK_PI`), which TSan cannot
/// see, so it reported every access under a `Mutex` as a race (scripts/test runs TSan).
public final class Locked<Value: Sendable>: @unchecked Sendable {
    // @unchecked: `value` is read and written only inside `withLock`, holding `lock`.
    private let lock = NSLock()
    private var value: Value

    /// A lock around `value`.
    public init(_ value: Value) {
        self.value = value
    }

    /// Runs `body` on the value while holding the lock.
    /// - Returns: what `body` returns.
    /// - Throws: what `body` throws (the lock is released first).
    public func withLock<Result, E: Error>(_ body: (inout Value) throws(E) -> Result) throws(E) -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
