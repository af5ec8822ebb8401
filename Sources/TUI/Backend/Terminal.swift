// Presents frames on a backend: keeps the last frame, sends only the changed cells.

/// Draws successive frames on a backend, sending only what changed since the previous frame.
public final class Terminal {
    /// The backend frames are drawn on.
    public let backend: TerminalBackend
    /// The frame on screen, or nil before the first frame and after `invalidate()`.
    public private(set) var lastFrame: CellBuffer?

    /// A terminal that draws on `backend`.
    public init(backend: TerminalBackend) {
        self.backend = backend
    }

    /// The backend's current size: the size to render the next frame at.
    public var size: Size { backend.size }

    /// The backend's theme; setting it also schedules a full redraw.
    public var theme: Theme {
        get { backend.theme }
        set {
            backend.theme = newValue
            invalidate()
        }
    }

    /// Forgets the frame on screen so the next `present` clears and redraws everything
    /// (after a resize, a theme change, or anything else that disturbed the screen).
    public func invalidate() {
        lastFrame = nil
    }

    /// Shows `frame`: a full redraw after `invalidate()` or a size change, else only the changed
    /// cells; then places the cursor (`frame.cursor`) and flushes.
    /// - Returns: the number of cells sent to the backend (continuation cells included).
    @discardableResult
    public func present(_ frame: CellBuffer) -> Int {
        assert(frame.checkInvariants(), "a frame broke the wide-glyph invariant")
        let full = lastFrame == nil || lastFrame?.size != frame.size
        if full { backend.clear() }
        let runs = frame.diff(from: full ? nil : lastFrame)
        if !runs.isEmpty { backend.draw(runs) }
        backend.setCursor(frame.cursor)
        backend.flush()
        lastFrame = frame
        return runs.reduce(0) { $0 + $1.cells.count }
    }
}
