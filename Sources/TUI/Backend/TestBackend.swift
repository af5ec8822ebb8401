// An in-memory terminal for tests: applies draws to a screen buffer, records every flushed
// frame, and replays scripted keys. No terminal, no sleeps.

/// A deterministic in-memory `TerminalBackend` that records frames and replays queued keys.
public final class TestBackend: TerminalBackend {
    /// The terminal's size; change it with `resize(to:)`.
    public private(set) var size: Size
    /// Colours it claims (0 behaves like a terminal without colour).
    public var colorCount: Int
    /// The charset it claims.
    public var charset: Charset
    /// The theme set by the UI (recorded, not applied).
    public var theme: Theme
    /// A termination signal to report (set it to simulate SIGTERM).
    public var terminationSignal: Int32?

    /// What is on the screen now.
    public private(set) var screen: CellBuffer
    /// The screen at every `flush()`, oldest first.
    public private(set) var frames: [CellBuffer] = []
    /// The cursor position at every `flush()`, parallel to `frames`.
    public private(set) var cursors: [Point?] = []
    /// The runs passed to each `draw` call, oldest first (to assert that only changes are sent).
    public private(set) var drawCalls: [[CellRun]] = []
    /// How many times `clear()` was called.
    public private(set) var clearCount = 0
    /// How many times `shutdown()` was called.
    public private(set) var shutdownCount = 0
    /// The bytes of every `writeRaw` call, oldest first.
    public private(set) var rawWrites: [[UInt8]] = []
    /// Keys still to be returned by `readKey`, first first.
    public var pendingKeys: [Key]

    private var cursor: Point?

    /// A test terminal of `width` × `height` that will return `keys` in order, then nil.
    public init(width: Int = 80, height: Int = 24, keys: [Key] = [], colorCount: Int = 8,
                charset: Charset = .unicode, theme: Theme = .monochrome) {
        self.size = Size(width: width, height: height)
        self.screen = CellBuffer(width: width, height: height)
        self.pendingKeys = keys
        self.colorCount = colorCount
        self.charset = charset
        self.theme = theme
    }

    /// The latest flushed frame as text lines (the current screen when nothing was flushed yet).
    public var text: [String] { (frames.last ?? screen).renderText() }

    /// Changes the size (the screen becomes blank, as a real resize may) and queues `.resize`.
    public func resize(to newSize: Size) {
        size = newSize
        screen = CellBuffer(size: newSize)
        pendingKeys.append(.resize)
    }

    /// Applies `runs` to `screen` and records them in `drawCalls`.
    public func draw(_ runs: [CellRun]) {
        drawCalls.append(runs)
        for run in runs {
            var column = run.x
            for cell in run.cells {
                if cell.width > 0 { screen.set(cell, x: column, y: run.y) }
                column += 1
            }
        }
    }

    /// Blanks `screen` and counts the call.
    public func clear() {
        clearCount += 1
        screen = CellBuffer(size: size)
    }

    /// Records the cursor for the next flush.
    public func setCursor(_ position: Point?) {
        cursor = position
    }

    /// Records the screen and cursor as a frame.
    public func flush() {
        var frame = screen
        frame.cursor = cursor
        frames.append(frame)
        cursors.append(cursor)
    }

    /// Records the bytes.
    public func writeRaw(_ bytes: [UInt8]) {
        rawWrites.append(bytes)
    }

    /// Returns the next queued key at once, or nil when none is left (the timeout is ignored).
    public func readKey(timeoutMilliseconds: Int) -> Key? {
        pendingKeys.isEmpty ? nil : pendingKeys.removeFirst()
    }

    /// Counts the call.
    public func shutdown() {
        shutdownCount += 1
    }
}
