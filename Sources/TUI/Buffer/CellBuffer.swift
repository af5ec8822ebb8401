// A screen's worth of cells that widgets draw into. Views render a whole frame into a fresh
// buffer; the `Terminal` diffs it against the previous frame and sends only the changed cells.
//
// Invariant (checked in debug builds by `checkInvariants()`): a continuation cell (width 0)
// only ever follows a wide cell (width 2) in the same row, and every wide cell is followed by
// one. Writes keep it: overwriting either half of a wide glyph turns the other half into a space.

/// A `width` × `height` grid of cells, row-major, plus where the terminal cursor should be.
public struct CellBuffer: Equatable, Sendable {
    /// Columns.
    public let width: Int
    /// Rows.
    public let height: Int
    /// The cells, row by row (`cells[y * width + x]`).
    public private(set) var cells: [Cell]
    /// Where to show the terminal cursor after drawing (a focused text input sets it); nil hides it.
    public var cursor: Point?

    /// A buffer of blank cells (or copies of `fill`, which must be one column wide).
    public init(width: Int, height: Int, fill: Cell = Cell()) {
        precondition(fill.width == 1, "a buffer is filled with one-column cells")
        self.width = max(0, width)
        self.height = max(0, height)
        self.cells = [Cell](repeating: fill, count: self.width * self.height)
    }

    /// A buffer of blank cells of the given size.
    public init(size: Size) {
        self.init(width: size.width, height: size.height)
    }

    /// The whole buffer as a rectangle at the origin.
    public var area: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    /// The buffer's size.
    public var size: Size { Size(width: width, height: height) }

    /// The cell at column `x`, row `y` (both must be inside the buffer).
    public subscript(x: Int, y: Int) -> Cell {
        precondition(x >= 0 && x < width && y >= 0 && y < height, "cell (\(x), \(y)) outside \(width)x\(height)")
        return cells[y * width + x]
    }

    // MARK: - Writing

    /// Writes `string` from column `x` of row `y`, one cell per grapheme (two for wide ones).
    ///
    /// Controls and zero-width graphemes are skipped. Writing stops at the buffer's right edge or
    /// after `maxWidth` columns; a wide glyph that would straddle that limit becomes a space.
    /// - Parameters:
    ///   - string: the text to write.
    ///   - x: the first column (may be negative: columns left of 0 are skipped).
    ///   - y: the row; nothing is written when it is outside the buffer.
    ///   - style: the style of every written cell.
    ///   - maxWidth: the most columns to use (default: up to the right edge).
    /// - Returns: the number of columns consumed from `x` (written or skipped).
    @discardableResult
    public mutating func put(_ string: String, x: Int, y: Int, style: Style = Style(), maxWidth: Int? = nil) -> Int {
        guard y >= 0, y < height else { return 0 }
        let limit = min(width, maxWidth.map { x + max(0, $0) } ?? width)
        var column = x
        for character in string {
            if column >= limit { break }
            let characterWidth = displayWidth(of: character)
            if characterWidth == 0 { continue }
            if characterWidth == 2 && column + 1 >= limit {
                if column >= 0 { setCell(Cell(" ", width: 1, style: style), x: column, y: y) }
                column += 1
                break
            }
            if column >= 0 {
                setCell(Cell(String(character), width: characterWidth, style: style), x: column, y: y)
            } else if characterWidth == 2 && column == -1 {
                setCell(Cell(" ", width: 1, style: style), x: 0, y: y)  // right half of a cut glyph
            }
            column += characterWidth
        }
        return column - x
    }

    /// Writes one cell at (`x`, `y`) when it is inside; a wide cell (width 2) that does not fit
    /// before the right edge becomes a space. Keeps the wide-glyph invariant.
    public mutating func set(_ cell: Cell, x: Int, y: Int) {
        guard x >= 0, x < width, y >= 0, y < height, cell.width > 0 else { return }
        if cell.width == 2 && x + 1 >= width {
            setCell(Cell(" ", width: 1, style: cell.style), x: x, y: y)
        } else {
            setCell(cell, x: x, y: y)
        }
    }

    /// Fills `rect` (clipped to the buffer) with blanks, or with one-column `grapheme`, in `style`.
    public mutating func fill(_ rect: Rect, grapheme: String = " ", style: Style = Style()) {
        assert(displayWidth(of: grapheme) == 1, "fill takes a one-column grapheme")
        let clipped = rect.intersection(area)
        guard !clipped.isEmpty else { return }
        let cell = Cell(grapheme, width: 1, style: style)
        for row in clipped.minY..<clipped.maxY {
            for column in clipped.minX..<clipped.maxX { setCell(cell, x: column, y: row) }
        }
    }

    /// Changes the style of every cell in `rect` (clipped), keeping the graphemes.
    public mutating func setStyle(_ style: Style, in rect: Rect) {
        let clipped = rect.intersection(area)
        guard !clipped.isEmpty else { return }
        for row in clipped.minY..<clipped.maxY {
            for column in clipped.minX..<clipped.maxX { cells[row * width + column].style = style }
        }
    }

    /// Writes `cell` (width 1 or 2, inside the buffer, fitting) and clears the halves of any wide
    /// glyph it overwrites.
    private mutating func setCell(_ cell: Cell, x: Int, y: Int) {
        let index = y * width + x
        breakWideGlyph(at: index, x: x)
        cells[index] = cell
        if cell.width == 2 {
            breakWideGlyph(at: index + 1, x: x + 1)
            cells[index + 1] = .continuation(style: cell.style)
        }
    }

    /// Before cell `index` (column `x`) is overwritten: if it is half of a wide glyph, the other
    /// half becomes a space in its own style.
    private mutating func breakWideGlyph(at index: Int, x: Int) {
        let old = cells[index]
        if old.width == 0 && x > 0 {
            cells[index - 1] = Cell(" ", width: 1, style: cells[index - 1].style)
        } else if old.width == 2 && x + 1 < width {
            cells[index + 1] = Cell(" ", width: 1, style: cells[index + 1].style)
        }
    }

    // MARK: - Reading

    /// The buffer as text, one string per row: continuation cells skipped, trailing spaces kept.
    public func renderText() -> [String] {
        (0..<height).map { row in
            var line = ""
            line.reserveCapacity(width)
            for column in 0..<width {
                let cell = cells[row * width + column]
                if cell.width > 0 { line += cell.grapheme }
            }
            return line
        }
    }

    /// Whether the wide-glyph invariant holds; debug builds assert it after every frame.
    public func checkInvariants() -> Bool {
        for row in 0..<height {
            var expectContinuation = false
            for column in 0..<width {
                let cell = cells[row * width + column]
                if expectContinuation != (cell.width == 0) { return false }
                expectContinuation = cell.width == 2
            }
            if expectContinuation { return false }
        }
        return true
    }
}
