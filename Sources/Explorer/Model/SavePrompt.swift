import TUI

/// The save dialog: the path being typed, and whether an existing file awaits a second
/// Enter to be overwritten.
struct SavePrompt: Equatable, Sendable {
    /// The path.
    var path: TextInputState
    /// Set when the path names an existing file: the next Enter overwrites it.
    var confirmingOverwrite = false
    /// Set while the runtime checks whether the path exists.
    var isChecking = false

    /// A prompt holding `path`.
    init(path: String) {
        self.path = TextInputState(text: path)
    }
}
