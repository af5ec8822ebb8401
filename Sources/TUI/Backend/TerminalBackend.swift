// The seam between the UI and a real terminal. Everything above it (buffers, widgets, themes,
// the explorer's model/update/view) is pure Swift and testable with `TestBackend`.

/// Which glyphs widgets may use for borders, bars and ellipses.
public enum Charset: Sendable, Equatable {
    /// Box drawing, block elements and "…" (a UTF-8 terminal).
    case unicode
    /// Plain ASCII (`+-|`, `#`, `...`) for terminals that cannot show Unicode.
    case ascii

    /// The mark for truncated text.
    public var ellipsis: String { self == .unicode ? "…" : "..." }
}

/// A terminal the UI draws on: all calls come from one thread (the UI loop's).
public protocol TerminalBackend: AnyObject {
    /// The terminal's current size in cells.
    var size: Size { get }
    /// Colours the terminal can show (0 when it has none: use the monochrome theme).
    var colorCount: Int { get }
    /// Whether the terminal shows Unicode (a UTF-8 locale); otherwise widgets should use `.ascii`.
    var charset: Charset { get }
    /// The theme that resolves cell roles to colours and attributes; set it, then redraw everything.
    var theme: Theme { get set }
    /// A termination signal (SIGTERM, SIGHUP) received since start; the UI loop should shut down and exit.
    var terminationSignal: Int32? { get }

    /// Stages `runs` (from `CellBuffer.diff(from:)`) for the next `flush()`; continuation cells are not drawn.
    func draw(_ runs: [CellRun])
    /// Erases the whole screen before the next full redraw (after a resize or a theme change).
    func clear()
    /// Shows the cursor at `position`, or hides it when nil, from the next `flush()` on.
    func setCursor(_ position: Point?)
    /// Shows what was drawn since the last flush.
    func flush()
    /// Sends `bytes` to the terminal as they are, after what was flushed (an OSC 52 clipboard
    /// sequence, say); nothing on screen changes.
    func writeRaw(_ bytes: [UInt8])
    /// Waits up to `timeoutMilliseconds` (0: don't wait, negative: forever) for a key.
    /// - Returns: the key, `.resize` after a size change, or nil on timeout.
    func readKey(timeoutMilliseconds: Int) -> Key?
    /// Restores the terminal; safe to call more than once.
    func shutdown()
}
