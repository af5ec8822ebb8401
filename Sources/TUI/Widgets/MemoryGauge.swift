// A horizontal memory bar split into coloured segments (index data, scratch, other, free), as in
// nvitop. Each segment also has its own glyph, so the bar reads the same without colour.

/// One part of a `MemoryGauge`: an amount, drawn in a role's colour with its own glyph.
public struct GaugeSegment: Equatable, Sendable {
    /// The amount (bytes, or any unit shared with the gauge's total).
    public var value: Double
    /// The theme role that colours it (`gauge.index`, `device.2`, …).
    public var role: String
    /// A one-column glyph to fill it with; nil picks one from the role and charset.
    public var glyph: String?

    /// A segment; see the properties for the parameters.
    public init(value: Double, role: String, glyph: String? = nil) {
        self.value = value
        self.role = role
        self.glyph = glyph
    }

    /// The index's own data.
    public static func index(_ value: Double) -> GaugeSegment { GaugeSegment(value: value, role: Role.gaugeIndex) }
    /// Scratch buffers.
    public static func scratch(_ value: Double) -> GaugeSegment { GaugeSegment(value: value, role: Role.gaugeScratch) }
    /// Memory used by others.
    public static func other(_ value: Double) -> GaugeSegment { GaugeSegment(value: value, role: Role.gaugeOther) }

    /// The default glyph for `role`: █ ▓ ▒ for index / scratch / other, ░ for free (ASCII: # = + .).
    public static func defaultGlyph(role: String, charset: Charset) -> String {
        switch (role, charset) {
        case (Role.gaugeScratch, .unicode): return "▓"
        case (Role.gaugeScratch, .ascii): return "="
        case (Role.gaugeOther, .unicode): return "▒"
        case (Role.gaugeOther, .ascii): return "+"
        case (Role.gaugeFree, .unicode): return "░"
        case (Role.gaugeFree, .ascii): return "."
        case (_, .unicode): return "█"
        case (_, .ascii): return "#"
        }
    }
}

/// A one-row bar of `total` split into segments, the rest shown as free, with a label on its right.
public struct MemoryGauge: Widget {
    /// The used parts, left to right.
    public var segments: [GaugeSegment]
    /// The whole (device memory); when the segments add up to more, their sum is used.
    public var total: Double
    /// Text after the bar ("3.1 / 24.0 GiB"), truncated or dropped when space is short.
    public var label: String
    /// Glyphs to use.
    public var charset: Charset

    /// A gauge; see the properties for the parameters.
    public init(segments: [GaugeSegment], total: Double, label: String = "", charset: Charset = .unicode) {
        self.segments = segments
        self.total = total
        self.label = label
        self.charset = charset
    }

    /// The fewest bar cells kept when the label is shortened.
    static let minimumBarWidth = 5

    /// Draws the bar and label in the first row of `area`.
    public func render(into buffer: inout CellBuffer, area: Rect) {
        guard !area.isEmpty else { return }
        var barWidth = area.width
        var shownLabel = ""
        if !label.isEmpty {
            let room = area.width - 1 - min(area.width, MemoryGauge.minimumBarWidth)
            if room >= min(3, displayWidth(of: label)) {
                shownLabel = truncate(label, toWidth: room, ellipsis: charset.ellipsis)
                barWidth = area.width - 1 - displayWidth(of: shownLabel)
            }
        }
        let cells = MemoryGauge.cellCounts(segments.map(\.value), total: total, width: barWidth)
        var x = area.x
        for (segment, count) in zip(segments, cells) where count > 0 {
            let glyph = segment.glyph ?? GaugeSegment.defaultGlyph(role: segment.role, charset: charset)
            buffer.put(String(repeating: glyph, count: count), x: x, y: area.y, style: Style(role: segment.role))
            x += count
        }
        let free = area.x + barWidth - x
        if free > 0 {
            let glyph = GaugeSegment.defaultGlyph(role: Role.gaugeFree, charset: charset)
            buffer.put(String(repeating: glyph, count: free), x: x, y: area.y, style: Style(role: Role.gaugeFree))
        }
        if !shownLabel.isEmpty {
            buffer.put(" " + shownLabel, x: area.x + barWidth, y: area.y, style: Style(role: Role.gaugeLabel))
        }
    }

    /// How many of `width` cells each value gets: proportional to `total` (or to the sum, when
    /// larger), rounded by largest remainder, and at least one cell for any positive value while
    /// cells can be taken from larger parts. The free rest is `width` minus the sum.
    /// - Complexity: O(n²) in the number of segments (a handful).
    public static func cellCounts(_ values: [Double], total: Double, width: Int) -> [Int] {
        guard width > 0, !values.isEmpty else { return values.map { _ in 0 } }
        let clean = values.map { $0.isFinite && $0 > 0 ? $0 : 0 }
        let used = clean.reduce(0, +)
        let whole = max(used, total.isFinite ? total : 0)
        guard whole > 0 else { return clean.map { _ in 0 } }
        let exact = clean.map { $0 / whole * Double(width) }
        var counts = exact.map { Int($0.rounded(.down)) }
        // Hand out the cells the used part should get in total, largest remainder first.
        let usedCells = min(width, Int((used / whole * Double(width)).rounded()))
        var left = usedCells - counts.reduce(0, +)
        let remainders = exact.indices.map { exact[$0] - Double(counts[$0]) }
        let order = exact.indices.sorted { remainders[$0] != remainders[$1] ? remainders[$0] > remainders[$1] : $0 < $1 }
        for index in order where left > 0 && clean[index] > 0 {
            counts[index] += 1
            left -= 1
        }
        // Every positive value shows: take a cell from the free rest, else from the largest part.
        for index in counts.indices where clean[index] > 0 && counts[index] == 0 {
            if counts.reduce(0, +) < width {
                counts[index] = 1
            } else if let largest = counts.indices.max(by: { counts[$0] < counts[$1] }), counts[largest] > 1 {
                counts[largest] -= 1
                counts[index] = 1
            }
        }
        return counts
    }
}
