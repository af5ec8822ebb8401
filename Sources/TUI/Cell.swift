/// One terminal cell: a grapheme, its display width, and its style. A wide glyph (CJK,
/// most emoji) occupies two columns: its own cell with width 2, then a continuation cell
/// with width 0 that the backend never draws.
public struct Cell: Equatable, Sendable {
    public var grapheme: String
    public var width: Int
    public var style: Style

    public init(_ grapheme: String = " ", width: Int = 1, style: Style = Style()) {
        self.grapheme = grapheme
        self.width = width
        self.style = style
    }

    /// The trailing half of a wide glyph.
    public static func continuation(style: Style) -> Cell { Cell("", width: 0, style: style) }
}

/// How a cell is drawn: a theme role (resolved to colours by the backend) plus attributes.
public struct Style: Equatable, Hashable, Sendable {
    public var role: String
    public var bold: Bool
    public var reverse: Bool

    public init(role: String = "text", bold: Bool = false, reverse: Bool = false) {
        self.role = role
        self.bold = bold
        self.reverse = reverse
    }
}
