import Core

/// The detail view of one item (`i` or Space in Products and Similar): its id, its whole
/// catalog record, and where its vector lives, which the session looks up (`.locate`).
struct ItemDetails: Equatable, Sendable {
    /// What the session found out about the item's vector.
    enum Location: Equatable, Sendable {
        case looking
        case found(VectorLocation)
        case failed(String)
    }

    /// The item's index id.
    let id: Int64
    /// The `.locate` request whose answer is shown.
    let tag: Int
    var location: Location = .looking
    /// The first line shown (the record may be longer than the dialog).
    var scroll = 0
}
