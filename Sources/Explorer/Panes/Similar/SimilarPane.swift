import TUI

/// Pane 4: the query product's nearest neighbours with rank, score, title, id and key fields,
/// and how long the search took where.
struct SimilarPane: Widget {
    let model: ExplorerModel

    /// The narrowest the title column gets before the id is left out; fields also leave it
    /// at least 45% of the pane.
    static let minimumTitleWidth = 32

    /// Draws the pane into `area`.
    func render(into buffer: inout CellBuffer, area: Rect) {
        let state = model.similar
        let box = ExplorerView.paneBox(.similar, model: model, note: SimilarPane.note(state, charset: model.charset))
        box.render(into: &buffer, area: area)
        let inner = box.inner(area)
        guard !inner.isEmpty else { return }
        let catalog = model.catalog

        if let text = state.askedText {
            TextLine(spans: SimilarPane.askHeader(state, text: text, charset: model.charset), charset: model.charset)
                .render(into: &buffer, area: inner.row(0))
        } else if let queryID = state.queryID {
            var spans: [Span] = []
            if state.isSearching {
                spans.append(Span("searching… ", role: Role.dim))
            } else if let milliseconds = state.latencyMilliseconds {
                spans.append(Span("\(ViewFormat.milliseconds(milliseconds)) on \(state.ranOn) · ", role: Role.dim))
            }
            if !state.restriction.isEmpty { spans.append(Span("where \(state.restriction) · ", role: Role.warning)) }
            spans += [Span("like ", role: Role.dim), Span(catalog.title(ofID: queryID), style: Style(role: Role.text, bold: true))]
            TextLine(spans: spans, charset: model.charset).render(into: &buffer, area: inner.row(0))
        } else {
            let hint = model.ask.hasModel ? "Choose a product (Enter) to see the most similar ones, or press a to ask by meaning."
                : "Choose a product (Enter) to see the most similar ones."
            TextLine(hint, style: Style(role: Role.dim), charset: model.charset).render(into: &buffer, area: inner.row(0))
            return
        }

        // Rank, score and title always; then the id and key fields while the title keeps its room.
        // Rank, score and title always; then the id whole and the fields while the title keeps its room.
        let tableArea = inner.inset(top: 1)
        let visible = Table.visibleRowCount(in: tableArea)
        let offset = state.table.visibleOffset(visibleRows: visible, rowCount: state.neighbours.count)
        let shown = state.neighbours.dropFirst(offset).prefix(visible)
        let fixedWidth = 3 + 1 + 6 + 1
        let layout = ItemColumns(width: inner.width, fixed: fixedWidth,
                                 minimumTitleWidth: max(SimilarPane.minimumTitleWidth, inner.width * 45 / 100),
                                 idWidth: catalog.idWidth, fields: model.columns ?? catalog.keyFields, sortedBy: state.sort) { field in
            shown.map { catalog.field(field, ofID: $0.id) }
        }
        // The id goes first, whenever the title keeps minimumTitleWidth.
        let layoutWithID = layout.showsID ? layout
            : ItemColumns(width: inner.width, fixed: fixedWidth, minimumTitleWidth: SimilarPane.minimumTitleWidth,
                          idWidth: catalog.idWidth, fields: [], sortedBy: state.sort) { _ in [] }
        let scoreHeader = state.sort == nil ? (model.charset == .unicode ? "SCORE▼" : "SCOREv") : "SCORE"
        let columns = layoutWithID.tableColumns(leading: [TableColumn("#", width: .fixed(3), alignment: .right),
                                                          TableColumn(scoreHeader, width: .fixed(6), alignment: .right)],
                                                sortedBy: state.sort, charset: model.charset)
        let rows = shown.map { neighbour -> TableRow in
            var cells = [String(neighbour.rank), ViewFormat.score(neighbour.score), catalog.title(ofID: neighbour.id)]
            if layoutWithID.showsID { cells.append(String(neighbour.id)) }
            cells += layoutWithID.fields.map { catalog.field($0.name, ofID: neighbour.id) }
            return TableRow(cells)
        }
        Table(columns: columns, rows: rows,
              state: TableState(selected: state.table.selected.map { $0 - offset }, offset: 0),
              focused: model.focus == .similar && model.overlay == nil,
              emptyText: state.isSearching ? "" : "no neighbours", charset: model.charset)
            .render(into: &buffer, area: tableArea)
    }

    /// Neighbours whose scores the title's sparkline shows at most.
    static let sparklineWidth = 20

    /// "▇▆▅▅▄▃▂▁ k=10": the shown neighbours' scores by rank (the best to the left; its own
    /// range, so the drop-off shows), then k; just k while none are shown.
    static func note(_ state: SimilarState, charset: Charset) -> String {
        guard !state.neighbours.isEmpty, !state.isSearching else { return "k=\(state.k)" }
        let chart = Sparkline(state.neighbours.map { Double($0.score) }, charset: charset).text(width: sparklineWidth)
        return "\(chart) k=\(state.k)"
    }

    /// `ask “cosy wool blanket” · embed 4.1 ms · search 2.3 ms on cpu` (the times once known).
    static func askHeader(_ state: SimilarState, text: String, charset: Charset) -> [Span] {
        let (open, close) = charset == .unicode ? ("“", "”") : ("\"", "\"")
        var spans = [Span("ask ", role: Role.dim), Span(open + text + close, style: Style(role: Role.text, bold: true))]
        if state.isSearching {
            spans.append(Span(" · embedding and searching…", role: Role.dim))
        } else if let embed = state.embedMilliseconds, let search = state.latencyMilliseconds {
            spans.append(Span(" · embed \(ViewFormat.milliseconds(embed)) · search \(ViewFormat.milliseconds(search)) on \(state.ranOn)",
                              role: Role.dim))
        }
        return spans
    }
}
