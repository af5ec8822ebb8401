import Core
import TUI

/// The detail view: every catalog field of one item, its id and row, where its vector lives
/// (device, shard, IVF list, HNSW layer) and its norm; long values wrap.
struct DetailsView {
    let model: ExplorerModel

    /// The record as label/value rows, in catalog order, then the vector's facts.
    static func lines(_ details: ItemDetails, model: ExplorerModel) -> [(label: String, value: String, role: String)] {
        var lines: [(label: String, value: String, role: String)] = [("id", String(details.id), Role.text)]
        if let product = model.catalog.catalog?.product(id: details.id) {
            lines.append((model.catalog.catalog?.titleField ?? "title", product.title, Role.text))
            for field in model.catalog.catalog?.columns ?? [] where product.fields[field] != nil {
                lines.append((field, product.fields[field]!, Role.text))
            }
            lines.append(("catalog line", String(product.line), Role.dim))
        } else if model.catalog.catalog != nil {
            lines.append(("title", "not in the catalog", Role.warning))
        }
        switch details.location {
        case .looking:
            lines.append(("vector", "looking it up…", Role.dim))
        case let .failed(reason):
            lines.append(("vector", reason, Role.error))
        case let .found(location):
            if let row = location.row { lines.append(("index row", String(row), Role.text)) }
            lines.append(("memory", location.memory, Role.text))
            if let list = location.list {
                let place = location.listOffset.map { "entry \($0 + 1)" } ?? ""
                let length = location.listLength.map { " of \(ViewFormat.count($0))" } ?? ""
                lines.append(("IVF list", "\(list) (\(place)\(length))", Role.text))
            }
            if let layer = location.topLayer {
                lines.append(("HNSW", layer == 0 ? "bottom layer only" : "layers 0–\(layer)", Role.text))
            }
            lines.append(("norm", String(format: "%.4f", location.norm) + (location.isDecoded ? " (decoded)" : ""), Role.text))
        }
        return lines
    }

    /// Draws the dialog centred in `area`.
    func render(_ details: ItemDetails, into buffer: inout CellBuffer, area: Rect) {
        let lines = DetailsView.lines(details, model: model)
        let width = min(area.width - 4, 100)
        let labelWidth = min(width / 3, (lines.map { displayWidth(of: $0.label) }.max() ?? 0) + 2)
        let valueWidth = max(1, width - 4 - labelWidth)
        var rows: [(label: String, value: String, role: String)] = []
        for line in lines {
            for (number, piece) in wrap(line.value, toWidth: valueWidth).enumerated() {
                rows.append((number == 0 ? line.label : "", piece, line.role))
            }
        }
        let height = min(area.height - 2, rows.count + 2)
        let rect = area.centered(width: width, height: height)
        let visible = max(1, height - 2)
        let scroll = min(details.scroll, max(0, rows.count - visible))
        let more = rows.count > visible ? "  \(scroll + 1)–\(min(rows.count, scroll + visible)) of \(rows.count) lines" : ""
        let box = Box(title: model.catalog.title(ofID: details.id), trailingTitle: "Enter similar · Esc closes" + more,
                      focused: true, charset: model.charset)
        box.render(into: &buffer, area: rect)
        let inner = box.inner(rect).inset(left: 1, right: 1)
        for (offset, row) in rows.dropFirst(scroll).prefix(visible).enumerated() {
            let y = inner.y + offset
            buffer.put(row.label, x: inner.x, y: y, style: Style(role: Role.dim), maxWidth: labelWidth)
            buffer.put(row.value, x: inner.x + labelWidth, y: y, style: Style(role: row.role), maxWidth: inner.width - labelWidth)
        }
    }
}
