import TUI

// Where a mouse event lands: which pane, and which row of its list. The arithmetic follows the
// panes' own drawing (the box border, the Products filter line, the table headers, each list's
// scroll offset), so a click selects the row drawn under the pointer.

extension ExplorerLayout {
    /// The pane whose box holds `point`, or nil (the message line, the footer).
    func pane(at point: Point) -> Pane? {
        Pane.allCases.first { rect(of: $0).contains(point) }
    }

    /// The rectangle of `pane`'s box.
    func rect(of pane: Pane) -> Rect {
        switch pane {
        case .index: return index
        case .devices: return devices
        case .products: return products
        case .similar: return similar
        case .jobs: return jobs
        }
    }

    /// The Products pane's filter line (a click there starts typing, as `/` does).
    var productsFilterLine: Rect { products.inset(by: 1).row(0) }

    /// The list row of `pane` drawn at `point` (a product's row among the matches, a neighbour's
    /// rank, a device or a job), or nil when `point` is on a header, a border, or past the rows.
    func row(at point: Point, in pane: Pane, of model: ExplorerModel) -> Int? {
        switch pane {
        case .index:
            return nil
        case .products:
            return tableRow(at: point, in: productsTable, state: model.products.table,
                            rowCount: model.products.matches.count)
        case .similar:
            guard model.similar.hasQuery else { return nil }
            return tableRow(at: point, in: similarTable, state: model.similar.table,
                            rowCount: model.similar.neighbours.count)
        case .jobs:
            guard jobsList.contains(point) else { return nil }
            return model.jobsTable.row(atLine: point.y - jobsList.y, visibleRows: jobsList.height,
                                       rowCount: model.jobs.count)
        case .devices:
            let inner = devices.inset(by: 1)
            guard inner.contains(point) else { return nil }
            let shown = DevicesPane.rowsShown(height: inner.height, count: model.devices.count)
            return model.devicesTable.row(atLine: (point.y - inner.y) / shown.linesPerDevice, visibleRows: shown.visible,
                                          rowCount: model.devices.count)
        }
    }

    /// The row of a table with a header drawn in `area`.
    private func tableRow(at point: Point, in area: Rect, state: TableState, rowCount: Int) -> Int? {
        guard area.contains(point) else { return nil }
        return state.row(atLine: point.y - area.y - 1, visibleRows: Table.visibleRowCount(in: area), rowCount: rowCount)
    }
}
