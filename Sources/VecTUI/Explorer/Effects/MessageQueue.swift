import Foundation

/// Messages from job threads to the UI loop: any thread posts, the UI thread drains.
final class MessageQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [ExplorerMessage] = []

    /// Adds a message for the next turn of the UI loop.
    func post(_ message: ExplorerMessage) {
        lock.lock()
        messages.append(message)
        lock.unlock()
    }

    /// Takes every waiting message, oldest first.
    func drain() -> [ExplorerMessage] {
        lock.lock()
        defer { lock.unlock() }
        let taken = messages
        messages.removeAll(keepingCapacity: true)
        return taken
    }
}
