// The footer: the keys that work now, as "key label" pairs (k9s, lazygit, htop).

/// One footer entry: a key as shown ("q", "Tab", "^C") and what it does ("quit").
public struct KeyHint: Equatable, Sendable {
    /// The key as shown.
    public var key: String
    /// What the key does.
    public var label: String

    /// A hint showing `key` followed by `label`.
    public init(_ key: String, _ label: String) {
        self.key = key
        self.label = label
    }
}

/// A footer row of key hints, "key label" pairs separated by two spaces; hints that do not fit
/// are left out from the end (an ellipsis marks the cut), never split.
public struct KeyHints: Widget {
    /// The hints, most important first.
    public var hints: [KeyHint]
    /// Glyphs to use (for the ellipsis).
    public var charset: Charset

    /// A footer of `hints`.
    public init(_ hints: [KeyHint], charset: Charset = .unicode) {
        self.hints = hints
        self.charset = charset
    }

    /// Draws the hints in the first row of `area`.
    public func render(into buffer: inout CellBuffer, area: Rect) {
        guard !area.isEmpty else { return }
        let line = area.row(0)
        let labelStyle = Style(role: Role.footerLabel)
        let keyStyle = Style(role: Role.footerKey)
        buffer.fill(line, style: labelStyle)
        let ellipsis = charset.ellipsis
        let ellipsisWidth = displayWidth(of: ellipsis)
        var x = line.x
        for (index, hint) in hints.enumerated() {
            let gap = index == 0 ? 0 : 2
            let keyText = " \(hint.key) "
            let pairWidth = displayWidth(of: keyText) + 1 + displayWidth(of: hint.label)
            let isLast = index == hints.count - 1
            // Keep room for the ellipsis unless this is the last hint.
            let reserve = isLast ? 0 : 1 + ellipsisWidth
            if x + gap + pairWidth + reserve > line.maxX {
                if index == 0 {
                    // Not even one hint fits whole: show it cut.
                    x += buffer.put(truncate(keyText, toWidth: line.width, ellipsis: ellipsis), x: x, y: line.y,
                                    style: keyStyle)
                    buffer.put(" " + truncate(hint.label, toWidth: line.maxX - x - 1, ellipsis: ellipsis),
                               x: x, y: line.y, style: labelStyle, maxWidth: line.maxX - x)
                } else if x + 1 + ellipsisWidth <= line.maxX {
                    buffer.put(" " + ellipsis, x: x, y: line.y, style: labelStyle)
                }
                return
            }
            x += gap
            x += buffer.put(keyText, x: x, y: line.y, style: keyStyle)
            x += buffer.put(" " + hint.label, x: x, y: line.y, style: labelStyle)
        }
    }
}
