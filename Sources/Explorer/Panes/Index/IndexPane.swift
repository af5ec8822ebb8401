import Core
import TUI

/// Pane 1: what the index is and where it lives, and pictures of an IVF or HNSW index's
/// structure under that (IndexPane+Pictures).
struct IndexPane: Widget {
    let model: ExplorerModel

    /// Draws the pane into `area`.
    func render(into buffer: inout CellBuffer, area: Rect) {
        let box = ExplorerView.paneBox(.index, model: model)
        box.render(into: &buffer, area: area)
        let inner = box.inner(area)
        let index = model.index
        let type = index.innerClassName.map { "\(index.className) · \($0)" } ?? index.className
        let ids = index.hasIDs ? "\(ViewFormat.count(index.count)) × int64 (\(ByteSize.format(index.idBytes)))"
            : index.idsInLists ? "int64, in the inverted lists" : "row numbers"
        let search = [index.tuningSummary ?? (index.holdsFlatVectors ? "exact (all vectors)" : "exact"),
                      index.structure].filter { !$0.isEmpty }.joined(separator: " · ")
        let changed = model.changedFiles.first { $0.concerns(index.path) }
        let state = changed.map { "changed on disk (\($0.change.rawValue)); :reload" }
            ?? (model.movedSinceSave ? "moved since saved (s saves it)" : "as on disk")
        let lines: [LabelledLines.Line] = [
            ("file", index.path, Role.text),
            ("type", type, Role.text),
            ("shape", "\(ViewFormat.count(index.count)) × \(index.dimension) · \(ViewFormat.metric(index.metric))", Role.text),
            ("stored", "\(index.coding) · \(ByteSize.format(index.bytes))", Role.text),
            ("where", index.placement, Role.text),
            ("ids", ids, Role.text),
            ("search", search, Role.text),
            ("state", state, changed != nil || model.movedSinceSave ? Role.warning : Role.dim),
        ]
        LabelledLines(lines: lines, labelWidth: 7, charset: model.charset).render(into: &buffer, area: inner)
        renderPictures(into: &buffer, area: inner.inset(top: lines.count))
    }
}
