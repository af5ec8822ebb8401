// A single line of text, possibly in several styles, aligned and truncated to its area.

/// One line of styled text, aligned within the first row of its area and truncated with an ellipsis.
public struct TextLine: Widget {
    /// The pieces of the line, left to right.
    public var spans: [Span]
    /// Where the line sits when narrower than the area.
    public var alignment: Alignment
    /// The style of the rest of the row (nil: leave it as it is).
    public var background: Style?
    /// Glyphs to use (for the ellipsis).
    public var charset: Charset

    /// A line of several styled spans.
    public init(spans: [Span], alignment: Alignment = .left, background: Style? = nil, charset: Charset = .unicode) {
        self.spans = spans
        self.alignment = alignment
        self.background = background
        self.charset = charset
    }

    /// A line of plain text in one style.
    public init(_ text: String, style: Style = Style(), alignment: Alignment = .left,
                background: Style? = nil, charset: Charset = .unicode) {
        self.init(spans: [Span(text, style: style)], alignment: alignment, background: background, charset: charset)
    }

    /// The line's display width before truncation.
    public var width: Int { spans.reduce(0) { $0 + $1.width } }

    /// Draws the line in the first row of `area`.
    public func render(into buffer: inout CellBuffer, area: Rect) {
        guard !area.isEmpty else { return }
        if let background { buffer.fill(area.row(0), style: background) }
        let shown = TextLine.truncated(spans, toWidth: area.width, ellipsis: charset.ellipsis)
        let shownWidth = shown.reduce(0) { $0 + $1.width }
        let gap = area.width - shownWidth
        var x = area.x
        switch alignment {
        case .left: break
        case .center: x += gap / 2
        case .right: x += gap
        }
        for span in shown {
            x += buffer.put(span.text, x: x, y: area.y, style: span.style, maxWidth: area.maxX - x)
        }
    }

    /// The spans cut to at most `width` columns, the last one ending in `ellipsis` when something was cut.
    static func truncated(_ spans: [Span], toWidth width: Int, ellipsis: String) -> [Span] {
        let total = spans.reduce(0) { $0 + $1.width }
        if total <= width { return spans }
        let ellipsisWidth = displayWidth(of: ellipsis)
        var room = max(0, width - ellipsisWidth)
        var result: [Span] = []
        for span in spans {
            if span.width <= room {
                result.append(span)
                room -= span.width
                continue
            }
            let cut = leadingGraphemes(of: span.text, fitting: room)
            result.append(Span(cut + (ellipsisWidth <= width ? ellipsis : ""), style: span.style))
            break
        }
        return result
    }
}
