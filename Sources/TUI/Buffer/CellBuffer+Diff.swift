// Frame diffing: what a backend must redraw to turn the previous frame into the new one.

/// Consecutive cells of one row, starting at (`x`, `y`), for a backend to draw in one go.
/// A run never starts with a continuation cell, and a wide cell's continuation is always in it.
public struct CellRun: Equatable, Sendable {
    /// The first column.
    public var x: Int
    /// The row.
    public var y: Int
    /// The cells, left to right (a wide cell is followed by its continuation).
    public var cells: [Cell]

    /// A run of `cells` starting at column `x` of row `y`.
    public init(x: Int, y: Int, cells: [Cell]) {
        self.x = x
        self.y = y
        self.cells = cells
    }

    /// The run's text, continuation cells skipped.
    public var text: String { cells.filter { $0.width > 0 }.map(\.grapheme).joined() }
}

extension CellBuffer {
    /// The changed cells between `previous` and this buffer, as runs in row-major order.
    /// - Parameter previous: the frame on screen, or nil (or another size) to redraw everything.
    /// - Returns: runs covering every changed cell; a changed half of a wide glyph brings its other half.
    /// - Complexity: O(width × height).
    public func diff(from previous: CellBuffer?) -> [CellRun] {
        guard let previous, previous.width == width, previous.height == height else { return allRuns() }
        var runs: [CellRun] = []
        for row in 0..<height {
            let base = row * width
            var column = 0
            while column < width {
                guard cells[base + column] != previous.cells[base + column] else {
                    column += 1
                    continue
                }
                var start = column
                if cells[base + start].width == 0 && start > 0 { start -= 1 }  // include the head
                var end = column + 1
                while end < width && (cells[base + end] != previous.cells[base + end] || cells[base + end].width == 0) {
                    end += 1
                }
                runs.append(CellRun(x: start, y: row, cells: Array(cells[(base + start)..<(base + end)])))
                column = end
            }
        }
        return runs
    }

    /// Every row as one run: what a full redraw sends.
    public func allRuns() -> [CellRun] {
        (0..<height).map { row in
            CellRun(x: 0, y: row, cells: Array(cells[(row * width)..<((row + 1) * width)]))
        }
    }
}
