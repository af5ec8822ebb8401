import TUI

// The mouse in the explorer: a left press focuses the pane under the pointer and selects the
// row there, a double click acts as Enter on that row, the wheel scrolls the pane under the
// pointer. Dialogs keep their keys: the help overlay closes on a click, the others (which hold
// a typed path or wait for an answer) ignore the mouse, so a stray click cannot discard them.

extension ExplorerUpdate {
    /// Rows one wheel step scrolls.
    static let wheelRows = 3

    /// A mouse event, routed to the pane under the pointer.
    static func handleMouse(_ model: inout ExplorerModel, _ event: MouseEvent) -> [ExplorerEffect] {
        if model.isTooSmall || model.commandLine != nil || model.ask.box != nil { return [] }
        if let overlay = model.overlay {
            if overlay == .help && (event.kind == .press || event.kind == .doubleClick) { model.overlay = nil }
            return []
        }
        let layout = ExplorerLayout(model)
        guard let pane = layout.pane(at: event.point) else { return [] }
        switch event.kind {
        case .wheelUp, .wheelDown:
            scroll(&model, pane, by: event.kind == .wheelUp ? -wheelRows : wheelRows, layout: layout)
            return []
        case .press, .doubleClick:
            guard event.button == .left else { return [] }
            model.focus = pane
            if pane == .products && layout.productsFilterLine.contains(event.point) {
                model.products.isEditing = true
                return []
            }
            model.products.isEditing = false
            guard let row = layout.row(at: event.point, in: pane, of: model) else { return [] }
            select(&model, row: row, in: pane, layout: layout)
            return event.kind == .doubleClick ? perform(&model, .activate) : []
        case .release, .moved:
            return []
        }
    }

    /// Selects `row` of `pane`'s list (it is on screen, so the view does not move).
    static func select(_ model: inout ExplorerModel, row: Int, in pane: Pane, layout: ExplorerLayout) {
        switch pane {
        case .index:
            break
        case .devices:
            model.devicesTable.select(row, rowCount: model.devices.count)
        case .products:
            model.products.table.select(row, rowCount: model.products.matches.count)
            model.products.table.scrollToSelection(visibleRows: layout.productsPage, rowCount: model.products.matches.count)
        case .similar:
            model.similar.table.select(row, rowCount: model.similar.neighbours.count)
            model.similar.table.scrollToSelection(visibleRows: layout.similarPage, rowCount: model.similar.neighbours.count)
        case .jobs:
            model.jobsTable.select(row, rowCount: model.jobs.count)
            model.jobsTable.scrollToSelection(visibleRows: layout.jobsPage, rowCount: model.jobs.count)
        }
    }

    /// Scrolls `pane`'s list by `delta` rows (devices: by `delta` devices); the focus stays.
    static func scroll(_ model: inout ExplorerModel, _ pane: Pane, by delta: Int, layout: ExplorerLayout) {
        switch pane {
        case .index:
            break
        case .devices:
            let shown = DevicesPane.rowsShown(height: layout.devices.inset(by: 1).height, count: model.devices.count)
            model.devicesTable.scroll(by: delta, rowCount: model.devices.count, visibleRows: shown.visible)
        case .products:
            model.products.table.scroll(by: delta, rowCount: model.products.matches.count, visibleRows: layout.productsPage)
        case .similar:
            model.similar.table.scroll(by: delta, rowCount: model.similar.neighbours.count, visibleRows: layout.similarPage)
        case .jobs:
            model.jobsTable.scroll(by: delta, rowCount: model.jobs.count, visibleRows: layout.jobsPage)
        }
    }
}
