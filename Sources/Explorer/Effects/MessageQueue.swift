import Core

/// Messages from job threads to the UI loop: any thread posts, the UI thread drains.
final class MessageQueue: Sendable {
    private let messages = Locked<[ExplorerMessage]>([])

    /// Adds a message for the next turn of the UI loop.
    func post(_ message: ExplorerMessage) {
        messages.withLock { $0.append(message) }
    }

    /// Takes every waiting message, oldest first.
    func drain() -> [ExplorerMessage] {
        messages.withLock { messages in
            let taken = messages
            messages.removeAll(keepingCapacity: true)
            return taken
        }
    }
}
