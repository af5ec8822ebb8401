// A table (or, with one column and no header, a list): columns with widths and alignment, a
// selected row, and a scroll offset that keeps the selection visible.

/// One column of a `Table`.
public struct TableColumn: Equatable, Sendable {
    /// The header text.
    public var title: String
    /// The column's width, shared out like a layout split (`.fixed(8)`, `.fill(1)`, `.percent(30)`).
    public var width: Constraint
    /// Where text sits in the column (numbers usually `.right`).
    public var alignment: Alignment
    /// Which end of too-long text is cut (`.head` for file paths).
    public var truncation: TruncationMode

    /// A column; see the properties for the parameters.
    public init(_ title: String, width: Constraint, alignment: Alignment = .left, truncation: TruncationMode = .tail) {
        self.title = title
        self.width = width
        self.alignment = alignment
        self.truncation = truncation
    }
}

/// One row of a `Table`: a span per column.
public struct TableRow: Equatable, Sendable, ExpressibleByArrayLiteral {
    /// The cells, one per column (missing ones are blank, extra ones ignored).
    public var cells: [Span]
    /// Parts of a cell's text drawn in `Role.match` (the characters a filter matched), by
    /// column; drawn where they are visible in a left-aligned, tail-cut column.
    public var highlights: [Int: [Range<String.Index>]] = [:]

    /// A row of styled cells.
    public init(spans: [Span]) {
        self.cells = spans
    }

    /// A row of plain cells, all in `style`.
    public init(_ texts: [String], style: Style = Style()) {
        self.cells = texts.map { Span($0, style: style) }
    }

    /// A row of plain cells from an array literal.
    public init(arrayLiteral texts: String...) {
        self.init(texts)
    }
}

/// The part of a table that outlives a frame: the selected row and the first visible row.
public struct TableState: Equatable, Sendable {
    /// The selected row, or nil for none.
    public var selected: Int?
    /// The first row shown.
    public var offset: Int

    /// A state with `selected` selected and the view scrolled to `offset`.
    public init(selected: Int? = 0, offset: Int = 0) {
        self.selected = selected
        self.offset = offset
    }

    /// Selects `index` clamped to the rows (nil when there are none).
    public mutating func select(_ index: Int, rowCount: Int) {
        selected = rowCount > 0 ? min(max(0, index), rowCount - 1) : nil
    }

    /// Moves the selection by `delta` rows, clamped; from no selection it selects the first row.
    public mutating func moveSelection(by delta: Int, rowCount: Int) {
        select(selected.map { $0 + delta } ?? 0, rowCount: rowCount)
    }

    /// The offset that shows the selection: the stored one, moved just enough to bring the
    /// selection into the `visibleRows`, and never scrolled past the last row.
    public func visibleOffset(visibleRows: Int, rowCount: Int) -> Int {
        guard visibleRows > 0, rowCount > 0 else { return 0 }
        var top = offset
        if let selected {
            if selected < top { top = selected }
            if selected >= top + visibleRows { top = selected - visibleRows + 1 }
        }
        return min(max(0, top), max(0, rowCount - visibleRows))
    }

    /// Stores `visibleOffset(visibleRows:rowCount:)`, so later moves scroll from there.
    public mutating func scrollToSelection(visibleRows: Int, rowCount: Int) {
        if let selected, selected >= rowCount { select(selected, rowCount: rowCount) }
        offset = visibleOffset(visibleRows: visibleRows, rowCount: rowCount)
    }

    /// Scrolls the view by `delta` rows (the mouse wheel), clamped to the rows; the selection
    /// stays on its row while that row is in view, else it moves to the nearest row in view.
    public mutating func scroll(by delta: Int, rowCount: Int, visibleRows: Int) {
        guard rowCount > 0, visibleRows > 0 else { return }
        let top = visibleOffset(visibleRows: visibleRows, rowCount: rowCount) + delta
        offset = min(max(0, top), max(0, rowCount - visibleRows))
        if let selected {
            self.selected = min(max(selected, offset), offset + visibleRows - 1, rowCount - 1)
        }
    }

    /// The row shown on `line` of the visible rows (0: the first under the header), or nil
    /// when that line is outside the rows or past the last one (for mouse clicks).
    public func row(atLine line: Int, visibleRows: Int, rowCount: Int) -> Int? {
        guard line >= 0, line < visibleRows else { return nil }
        let row = visibleOffset(visibleRows: visibleRows, rowCount: rowCount) + line
        return row < rowCount ? row : nil
    }

    /// Handles list navigation: ↑/k, ↓/j, PgUp, PgDn, Home, End; then keeps the selection visible.
    /// - Parameters:
    ///   - key: the key pressed.
    ///   - rowCount: the number of rows.
    ///   - visibleRows: rows shown at once (`Table.visibleRowCount(in:)`), the page size.
    /// - Returns: whether the key was a navigation key.
    public mutating func handle(_ key: Key, rowCount: Int, visibleRows: Int) -> Bool {
        let page = max(1, visibleRows - 1)
        switch key {
        case .up, .character("k"): moveSelection(by: -1, rowCount: rowCount)
        case .down, .character("j"): moveSelection(by: 1, rowCount: rowCount)
        case .pageUp: moveSelection(by: -page, rowCount: rowCount)
        case .pageDown: moveSelection(by: page, rowCount: rowCount)
        case .home: select(0, rowCount: rowCount)
        case .end: select(rowCount - 1, rowCount: rowCount)
        default: return false
        }
        scrollToSelection(visibleRows: visibleRows, rowCount: rowCount)
        return true
    }
}

/// Rows under a header, in columns; the selected row is highlighted and kept in view.
public struct Table: Widget {
    /// Draws the `ranges` of `text` again in `style` where they fall inside `width` columns
    /// from `x` (minus the ellipsis when the text was `cut`).
    static func putHighlights(_ ranges: [Range<String.Index>], of text: String, x: Int, y: Int, width: Int, cut: Bool,
                              charset: Charset, style: Style, into buffer: inout CellBuffer) {
        let limit = width - (cut ? displayWidth(of: charset.ellipsis) : 0)
        for range in ranges where range.upperBound <= text.endIndex {
            let start = displayWidth(of: text[text.startIndex..<range.lowerBound])
            guard start < limit else { continue }
            buffer.put(String(text[range]), x: x + start, y: y, style: style, maxWidth: limit - start)
        }
    }

    /// The columns, left to right.
    public var columns: [TableColumn]
    /// The rows, top to bottom.
    public var rows: [TableRow]
    /// Selection and scroll offset.
    public var state: TableState
    /// Whether the first line shows the column titles.
    public var showsHeader: Bool
    /// Whether the table has the focus (its selection uses `selection`, else `selection.inactive`).
    public var focused: Bool
    /// Text shown (dim) when there are no rows.
    public var emptyText: String
    /// Blank columns between columns.
    public var columnSpacing: Int
    /// Glyphs to use (for the ellipsis).
    public var charset: Charset

    /// A table; see the properties for the parameters.
    public init(columns: [TableColumn], rows: [TableRow], state: TableState = TableState(),
                showsHeader: Bool = true, focused: Bool = true, emptyText: String = "",
                columnSpacing: Int = 1, charset: Charset = .unicode) {
        self.columns = columns
        self.rows = rows
        self.state = state
        self.showsHeader = showsHeader
        self.focused = focused
        self.emptyText = emptyText
        self.columnSpacing = columnSpacing
        self.charset = charset
    }

    /// How many rows fit in `area` under the header (the page size for `TableState.handle`).
    public static func visibleRowCount(in area: Rect, showsHeader: Bool = true) -> Int {
        max(0, area.height - (showsHeader ? 1 : 0))
    }

    /// The column rectangles within one row of `area` (for drawing extra marks in a column).
    public func columnRects(in area: Rect) -> [Rect] {
        area.columns(columns.map(\.width), spacing: columnSpacing)
    }

    /// Draws the header and the visible rows into `area`.
    public func render(into buffer: inout CellBuffer, area: Rect) {
        guard !area.isEmpty else { return }
        let slots = columnRects(in: area.row(0))
        var y = area.y
        if showsHeader {
            let header = Style(role: Role.header)
            buffer.fill(area.row(0), style: header)
            for (column, slot) in zip(columns, slots) where slot.width > 0 {
                let text = fit(column.title, toWidth: slot.width, alignment: column.alignment, ellipsis: charset.ellipsis)
                buffer.put(text, x: slot.x, y: y, style: header, maxWidth: slot.width)
            }
            y += 1
        }
        let visible = Table.visibleRowCount(in: area, showsHeader: showsHeader)
        guard visible > 0 else { return }
        if rows.isEmpty {
            if !emptyText.isEmpty {
                TextLine(emptyText, style: Style(role: Role.dim), charset: charset)
                    .render(into: &buffer, area: Rect(x: area.x, y: y, width: area.width, height: 1))
            }
            return
        }
        let offset = state.visibleOffset(visibleRows: visible, rowCount: rows.count)
        let selection = Style(role: focused ? Role.selection : Role.selectionInactive)
        for index in offset..<min(rows.count, offset + visible) {
            let isSelected = index == state.selected
            let line = Rect(x: area.x, y: y, width: area.width, height: 1)
            if isSelected { buffer.fill(line, style: selection) }
            for (columnIndex, (column, slot)) in zip(columns, slots).enumerated() where slot.width > 0 {
                guard columnIndex < rows[index].cells.count else { continue }
                let span = rows[index].cells[columnIndex]
                let text = fit(span.text, toWidth: slot.width, alignment: column.alignment,
                               ellipsis: charset.ellipsis, mode: column.truncation)
                buffer.put(text, x: slot.x, y: y, style: isSelected ? selection : span.style, maxWidth: slot.width)
                if let ranges = rows[index].highlights[columnIndex], column.alignment == .left, column.truncation == .tail {
                    let style = isSelected ? Style(role: selection.role, bold: true) : Style(role: Role.match)
                    Table.putHighlights(ranges, of: span.text, x: slot.x, y: y, width: slot.width,
                                        cut: displayWidth(of: span.text) > slot.width, charset: charset, style: style, into: &buffer)
                }
            }
            y += 1
        }
    }
}
