import TUI

/// Pane 3: the filter box and the matching products (or ids, without a catalog).
struct ProductsPane: Widget {
    let model: ExplorerModel

    /// The narrowest the title gets before the id (then the chosen fields) is left out.
    static let minimumTitleWidth = 16

    /// Draws the pane into `area`.
    func render(into buffer: inout CellBuffer, area: Rect) {
        let state = model.products
        let note = state.isFiltering ? "filtering…"
            : "\(ViewFormat.count(state.matches.count)) of \(ViewFormat.count(model.catalog.count))"
        let box = ExplorerView.paneBox(.products, model: model, note: note)
        box.render(into: &buffer, area: area)
        let inner = box.inner(area)
        guard !inner.isEmpty else { return }

        let placeholder = model.catalog.catalog == nil ? "press / and type digits of an id" : "press / and type a name"
        TextInput(state: state.filter, prompt: "/ ", placeholder: placeholder,
                  focused: state.isEditing && model.overlay == nil && model.commandLine == nil)
            .render(into: &buffer, area: inner.row(0))

        let tableArea = inner.inset(top: 1)
        let visible = Table.visibleRowCount(in: tableArea)
        let offset = state.table.visibleOffset(visibleRows: visible, rowCount: state.matches.count)
        let shown = state.matches[offset..<min(state.matches.count, offset + visible)]
        let hasCatalog = model.catalog.catalog != nil
        let columns: [TableColumn]
        let layout = ItemColumns(width: tableArea.width, fixed: 0, minimumTitleWidth: ProductsPane.minimumTitleWidth,
                                 idWidth: model.catalog.idWidth, fields: model.columns ?? [], sortedBy: state.sort) { field in
            shown.map { model.catalog.field(field, at: $0) }
        }
        if hasCatalog {
            columns = layout.tableColumns(leading: [], sortedBy: state.sort, charset: model.charset)
        } else {
            columns = [TableColumn("ROW", width: .fixed(9), alignment: .right), TableColumn("ID", width: .fill(1))]
        }
        // Matches inside words (after those at word starts) are dim: weaker matches; the
        // matched characters of each drawn title are highlighted.
        let words = FilterText(state.shownQuery, fields: model.catalog.catalog?.filterableFields ?? []).text
        let rows = zip(shown.indices, shown).map { row, position in
            let id = String(model.catalog.id(at: position))
            let cells = hasCatalog
                ? [model.catalog.title(at: position)] + (layout.showsID ? [id] : [])
                    + layout.fields.map { model.catalog.field($0.name, at: position) }
                : [ViewFormat.count(position), id]
            var tableRow = TableRow(cells, style: Style(role: row < state.wordPrefixCount ? Role.text : Role.dim))
            if hasCatalog && !words.isEmpty { tableRow.highlights[0] = model.catalog.filter.highlights(words, at: position) }
            return tableRow
        }
        let empty = state.filter.text.isEmpty ? "no products"
            : ExplorerUpdate.offersAskForFilter(model) ? "nothing matches '\(state.shownQuery)' · Enter asks by meaning"
            : "nothing matches '\(state.shownQuery)'"
        Table(columns: columns, rows: rows,
              state: TableState(selected: state.table.selected.map { $0 - offset }, offset: 0),
              focused: model.focus == .products && model.overlay == nil, emptyText: empty, charset: model.charset)
            .render(into: &buffer, area: tableArea)
    }
}
