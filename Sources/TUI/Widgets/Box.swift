// A bordered box with a title, the frame of every pane and dialog.

/// The eight glyphs of a rectangular border.
public struct BorderSet: Equatable, Sendable {
    /// Top-left corner.
    public var topLeft: String
    /// Top edge.
    public var top: String
    /// Top-right corner.
    public var topRight: String
    /// Left edge.
    public var left: String
    /// Right edge.
    public var right: String
    /// Bottom-left corner.
    public var bottomLeft: String
    /// Bottom edge.
    public var bottom: String
    /// Bottom-right corner.
    public var bottomRight: String

    /// A border from its glyphs (each one column wide).
    public init(topLeft: String, top: String, topRight: String, left: String, right: String,
                bottomLeft: String, bottom: String, bottomRight: String) {
        self.topLeft = topLeft
        self.top = top
        self.topRight = topRight
        self.left = left
        self.right = right
        self.bottomLeft = bottomLeft
        self.bottom = bottom
        self.bottomRight = bottomRight
    }

    /// Thin lines: ┌─┐ │ └─┘.
    public static let plain = BorderSet(topLeft: "┌", top: "─", topRight: "┐", left: "│", right: "│",
                                        bottomLeft: "└", bottom: "─", bottomRight: "┘")
    /// Thin lines with rounded corners: ╭─╮ │ ╰─╯.
    public static let rounded = BorderSet(topLeft: "╭", top: "─", topRight: "╮", left: "│", right: "│",
                                          bottomLeft: "╰", bottom: "─", bottomRight: "╯")
    /// Heavy lines: ┏━┓ ┃ ┗━┛ (the focused box, visible without colour).
    public static let heavy = BorderSet(topLeft: "┏", top: "━", topRight: "┓", left: "┃", right: "┃",
                                        bottomLeft: "┗", bottom: "━", bottomRight: "┛")
    /// Double lines: ╔═╗ ║ ╚═╝.
    public static let double = BorderSet(topLeft: "╔", top: "═", topRight: "╗", left: "║", right: "║",
                                         bottomLeft: "╚", bottom: "═", bottomRight: "╝")
    /// ASCII: +-+ | +-+.
    public static let ascii = BorderSet(topLeft: "+", top: "-", topRight: "+", left: "|", right: "|",
                                        bottomLeft: "+", bottom: "-", bottomRight: "+")
    /// ASCII for the focused box: +=+ | +=+.
    public static let asciiFocused = BorderSet(topLeft: "+", top: "=", topRight: "+", left: "|", right: "|",
                                               bottomLeft: "+", bottom: "=", bottomRight: "+")
}

/// A bordered box with a title on the top edge (and an optional note on its right, e.g. "12/340").
/// The focused box uses `border.focused` / `title.focused` and heavier lines, so focus shows even
/// in monochrome.
public struct Box: Widget {
    /// The title, shown as " Title " after the top-left corner (truncated to fit).
    public var title: String
    /// A short note shown at the right of the top edge, dropped when there is no room.
    public var trailingTitle: String
    /// Whether the box holds the keyboard focus.
    public var focused: Bool
    /// Unicode box drawing or ASCII.
    public var charset: Charset
    /// Whether the interior is blanked first (so a dialog hides what is under it).
    public var clearsInterior: Bool

    /// A box; see the properties for the parameters.
    public init(title: String = "", trailingTitle: String = "", focused: Bool = false,
                charset: Charset = .unicode, clearsInterior: Bool = true) {
        self.title = title
        self.trailingTitle = trailingTitle
        self.focused = focused
        self.charset = charset
        self.clearsInterior = clearsInterior
    }

    /// The border glyphs this box draws with.
    public var borders: BorderSet {
        switch (charset, focused) {
        case (.unicode, false): return .plain
        case (.unicode, true): return .heavy
        case (.ascii, false): return .ascii
        case (.ascii, true): return .asciiFocused
        }
    }

    /// The area inside the border, where the content goes.
    public func inner(_ area: Rect) -> Rect { area.inset(by: 1) }

    /// Draws the border and titles around the edge of `area` (nothing when smaller than 2×2).
    public func render(into buffer: inout CellBuffer, area: Rect) {
        guard area.width >= 2, area.height >= 2 else { return }
        let set = borders
        let border = Style(role: focused ? Role.borderFocused : Role.border)
        let titleStyle = Style(role: focused ? Role.titleFocused : Role.title)
        if clearsInterior { buffer.fill(inner(area)) }

        let horizontal = String(repeating: set.top, count: area.width - 2)
        buffer.put(set.topLeft + horizontal + set.topRight, x: area.x, y: area.y, style: border)
        let bottom = String(repeating: set.bottom, count: area.width - 2)
        buffer.put(set.bottomLeft + bottom + set.bottomRight, x: area.x, y: area.maxY - 1, style: border)
        for row in (area.y + 1)..<(area.maxY - 1) {
            buffer.put(set.left, x: area.x, y: row, style: border)
            buffer.put(set.right, x: area.maxX - 1, y: row, style: border)
        }

        // " Title " from the second column; room = width - 2 corners - 2 spaces.
        var used = 1
        let room = area.width - 4
        if !title.isEmpty && room >= 1 {
            let shown = truncate(title, toWidth: room, ellipsis: charset.ellipsis)
            buffer.put(" ", x: area.x + 1, y: area.y, style: border)
            let written = buffer.put(shown, x: area.x + 2, y: area.y, style: titleStyle)
            buffer.put(" ", x: area.x + 2 + written, y: area.y, style: border)
            used = 2 + written + 1
        }
        // " note " ending before the top-right corner, with at least one border cell before it.
        let noteWidth = displayWidth(of: trailingTitle)
        if !trailingTitle.isEmpty && used + 1 + noteWidth + 2 <= area.width - 1 {
            let start = area.maxX - 1 - noteWidth - 2
            buffer.put(" " + trailingTitle + " ", x: start, y: area.y, style: border)
        }
    }
}
