// Widgets are values that draw themselves into a region of a buffer and nowhere else.
// State that outlives a frame (selection, scroll offset, text being edited) lives in the model
// as a separate value (`TableState`, `TextInputState`) and is passed to the widget each frame.

/// Something that draws into a rectangle of a `CellBuffer`, never outside it.
public protocol Widget {
    /// Draws the widget into `area` of `buffer` (clipped to the buffer).
    func render(into buffer: inout CellBuffer, area: Rect)
}

extension CellBuffer {
    /// Draws `widget` into `area`.
    public mutating func render(_ widget: some Widget, in area: Rect) {
        widget.render(into: &self, area: area.intersection(self.area))
    }
}

/// A piece of text in one style, for lines mixing styles.
public struct Span: Equatable, Sendable {
    /// The text.
    public var text: String
    /// Its style.
    public var style: Style

    /// A span of `text` drawn in `style`.
    public init(_ text: String, style: Style = Style()) {
        self.text = text
        self.style = style
    }

    /// A span of `text` drawn in theme role `role`.
    public init(_ text: String, role: String) {
        self.init(text, style: Style(role: role))
    }

    /// The span's display width.
    public var width: Int { displayWidth(of: text) }
}
