// Horizontal bars, one row per bin: a label, a bar as long as the bin's count (eighth-cell
// precision in Unicode, `#` in ASCII), and the count.

/// One row of a `Histogram`.
public struct HistogramBin: Equatable, Sendable {
    /// What the bin holds ("12–60", "layer 2").
    public var label: String
    /// How many.
    public var count: Int
    /// The text after the bar; nil: the count.
    public var note: String?

    /// A bin; see the properties for the parameters.
    public init(_ label: String, count: Int, note: String? = nil) {
        self.label = label
        self.count = count
        self.note = note
    }
}

/// Bins as horizontal bars scaled to the largest count; a bin with anything in it gets at
/// least the thinnest bar, so it is never mistaken for an empty one.
public struct Histogram: Widget {
    /// The bins, top to bottom (rows past the area's height are not drawn).
    public var bins: [HistogramBin]
    /// The style of the bars.
    public var style: Style
    /// Glyphs to use.
    public var charset: Charset

    /// A histogram; see the properties for the parameters.
    public init(_ bins: [HistogramBin], style: Style = Style(role: Role.progress), charset: Charset = .unicode) {
        self.bins = bins
        self.style = style
        self.charset = charset
    }

    /// Draws one bin a row: labels right-aligned in a shared column, bars, then the counts.
    public func render(into buffer: inout CellBuffer, area: Rect) {
        guard !area.isEmpty, !bins.isEmpty else { return }
        let notes = bins.map { $0.note ?? String($0.count) }
        let labelWidth = min(bins.map { displayWidth(of: $0.label) }.max() ?? 0, area.width / 3)
        let noteWidth = min(notes.map { displayWidth(of: $0) }.max() ?? 0, area.width / 3)
        let barWidth = area.width - labelWidth - noteWidth - 2
        let largest = max(1, bins.map(\.count).max() ?? 1)
        for (row, bin) in bins.prefix(area.height).enumerated() {
            let y = area.y + row
            let label = fit(bin.label, toWidth: labelWidth, alignment: .right, ellipsis: charset.ellipsis)
            buffer.put(label, x: area.x, y: y, style: Style(role: Role.dim), maxWidth: labelWidth)
            var x = area.x + labelWidth + 1
            if barWidth > 0 {
                x += buffer.put(bar(count: bin.count, largest: largest, width: barWidth), x: x, y: y, style: style,
                                maxWidth: barWidth)
                x += 1
            }
            buffer.put(truncate(notes[row], toWidth: noteWidth, ellipsis: charset.ellipsis), x: x, y: y,
                       style: Style(role: Role.text), maxWidth: noteWidth)
        }
    }

    /// The bar for `count` of `largest` in `width` cells.
    func bar(count: Int, largest: Int, width: Int) -> String {
        guard count > 0 else { return "" }
        switch charset {
        case .unicode:
            let eighths = max(1, Int((Double(count) / Double(largest) * Double(width * 8)).rounded(.down)))
            return String(repeating: "█", count: eighths / 8) + ProgressBar.eighths[eighths % 8]
        case .ascii:
            return String(repeating: "#", count: max(1, Int((Double(count) / Double(largest) * Double(width)).rounded(.down))))
        }
    }
}
