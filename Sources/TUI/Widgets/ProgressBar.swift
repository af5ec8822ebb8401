// A progress bar with a percentage, for jobs (load, move, save, …).

/// A one-row progress bar: an optional label, the bar (with eighth-cell precision in Unicode),
/// and the percentage done, rounded down so that 100% means finished.
public struct ProgressBar: Widget {
    /// The part done, 0…1 (clamped; NaN counts as 0).
    public var fraction: Double
    /// Text before the bar ("Moving to gpu0"), given at most a third of the width.
    public var label: String
    /// Whether the percentage is shown after the bar.
    public var showsPercentage: Bool
    /// Glyphs to use.
    public var charset: Charset

    /// A progress bar; see the properties for the parameters.
    public init(fraction: Double, label: String = "", showsPercentage: Bool = true, charset: Charset = .unicode) {
        self.fraction = fraction
        self.label = label
        self.showsPercentage = showsPercentage
        self.charset = charset
    }

    /// `fraction` clamped to 0…1.
    public var clampedFraction: Double {
        fraction.isNaN ? 0 : min(1, max(0, fraction))
    }

    /// The percentage text, "0%" … "100%" (rounded down).
    public var percentageText: String {
        "\(Int((clampedFraction * 100).rounded(.down)))%"
    }

    /// Partial blocks by eighths: index n is n/8 of a cell.
    static let eighths = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]

    /// Draws the label, bar and percentage in the first row of `area`.
    public func render(into buffer: inout CellBuffer, area: Rect) {
        guard !area.isEmpty else { return }
        var bar = area.row(0)
        if !label.isEmpty {
            let room = min(displayWidth(of: label), area.width / 3)
            if room > 0 {
                let text = truncate(label, toWidth: room, ellipsis: charset.ellipsis)
                let written = buffer.put(text, x: bar.x, y: bar.y, style: Style(role: Role.gaugeLabel))
                bar = bar.divided(atDistance: written + 1, from: .left).remainder
            }
        }
        if showsPercentage && bar.width >= 6 {
            let text = fit(percentageText, toWidth: 4, alignment: .right)
            buffer.put(text, x: bar.maxX - 4, y: bar.y, style: Style(role: Role.gaugeLabel))
            bar = bar.divided(atDistance: 5, from: .right).remainder
        }
        guard bar.width > 0 else { return }

        let done = Style(role: Role.progress)
        let track = Style(role: Role.progressTrack)
        switch charset {
        case .unicode:
            let eighthsDone = Int((clampedFraction * Double(bar.width * 8)).rounded(.down))
            let full = eighthsDone / 8
            let partial = ProgressBar.eighths[eighthsDone % 8]
            var x = buffer.put(String(repeating: "█", count: full), x: bar.x, y: bar.y, style: done) + bar.x
            if !partial.isEmpty { x += buffer.put(partial, x: x, y: bar.y, style: done) }
            buffer.put(String(repeating: "░", count: bar.maxX - x), x: x, y: bar.y, style: track)
        case .ascii:
            let full = Int((clampedFraction * Double(bar.width)).rounded(.down))
            buffer.put(String(repeating: "#", count: full), x: bar.x, y: bar.y, style: done)
            buffer.put(String(repeating: "-", count: bar.width - full), x: bar.x + full, y: bar.y, style: track)
        }
    }
}
