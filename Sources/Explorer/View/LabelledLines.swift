import TUI

/// Rows of "label value": labels dim in a fixed-width column, values cut to the width left —
/// from the front for the `file` row, so the file name stays visible.
struct LabelledLines: Widget {
    /// One row: its label, its value, and the value's theme role.
    typealias Line = (label: String, value: String, role: String)

    let lines: [Line]
    /// Columns for the labels, the space after them included.
    let labelWidth: Int
    let charset: Charset

    /// Draws one line per row of `area`, as many as fit.
    func render(into buffer: inout CellBuffer, area: Rect) {
        for (row, line) in lines.enumerated() where row < area.height {
            let y = area.y + row
            buffer.put(line.label, x: area.x, y: y, style: Style(role: Role.dim), maxWidth: labelWidth)
            let width = area.width - labelWidth
            guard width > 0 else { continue }
            let shown = truncate(line.value, toWidth: width, ellipsis: charset.ellipsis, mode: line.label == "file" ? .head : .tail)
            buffer.put(shown, x: area.x + labelWidth, y: y, style: Style(role: line.role), maxWidth: width)
        }
    }
}
