// A one-row chart: one cell per value, its height one of eight block levels (▁…█), or an ASCII
// ramp where the terminal cannot show block elements.

/// A one-row chart of `values`, left to right, scaled between `range` (or the values' own
/// smallest and largest). More values than cells: each cell shows the largest of its share, so
/// a spike (a long inverted list) never disappears.
public struct Sparkline: Widget {
    /// The values, left to right (NaN and infinities count as the bottom of the range).
    public var values: [Double]
    /// The values drawn as the lowest and the highest level; nil: the values' own extremes.
    public var range: ClosedRange<Double>?
    /// The style of the bars.
    public var style: Style
    /// Glyphs to use.
    public var charset: Charset

    /// A sparkline; see the properties for the parameters.
    public init(_ values: [Double], range: ClosedRange<Double>? = nil, style: Style = Style(role: Role.progress),
                charset: Charset = .unicode) {
        self.values = values
        self.range = range
        self.style = style
        self.charset = charset
    }

    /// The eight levels, lowest first.
    static let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
    static let ascii: [Character] = ["_", ".", ",", "-", "=", "+", "*", "#"]

    /// The chart as text, at most `width` cells (one per value, or per share of the values).
    /// - Complexity: O(values.count).
    public func text(width: Int) -> String {
        guard width > 0, !values.isEmpty else { return "" }
        let cells = min(width, values.count)
        let shown: [Double] = cells == values.count ? values : (0..<cells).map { cell in
            let start = cell * values.count / cells, end = (cell + 1) * values.count / cells
            return values[start..<end].max()!
        }
        let finite = values.filter(\.isFinite)
        let low = range?.lowerBound ?? finite.min() ?? 0
        let high = range?.upperBound ?? finite.max() ?? 0
        let glyphs = charset == .unicode ? Sparkline.blocks : Sparkline.ascii
        return String(shown.map { value -> Character in
            guard value.isFinite else { return glyphs[0] }
            guard high > low else { return glyphs[glyphs.count - 1] }  // all equal: all full
            let fraction = min(1, max(0, (value - low) / (high - low)))
            return glyphs[min(glyphs.count - 1, Int(fraction * Double(glyphs.count - 1) + 0.5))]
        })
    }

    /// Draws the chart in the first row of `area`, from its left edge.
    public func render(into buffer: inout CellBuffer, area: Rect) {
        guard !area.isEmpty else { return }
        buffer.put(text(width: area.width), x: area.x, y: area.y, style: style, maxWidth: area.width)
    }
}
