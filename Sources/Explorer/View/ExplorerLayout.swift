import TUI

/// Where each pane goes at a terminal size: a pure function of the size (and of how many
/// devices there are), shared by the view and by `update` (which needs page sizes).
struct ExplorerLayout {
    /// The smallest terminal the panes fit in.
    static let minimumSize = Size(width: 80, height: 24)

    let index: Rect
    let devices: Rect
    let products: Rect
    let similar: Rect
    let jobs: Rect
    let message: Rect
    let footer: Rect

    /// Lines the Index pane shows inside its border, before pictures of the index's structure.
    static let indexLines = 8

    /// The layout for a terminal of `size` showing `deviceCount` devices and `indexLines` lines
    /// in the Index pane.
    init(size: Size, deviceCount: Int, indexLines: Int = ExplorerLayout.indexLines) {
        let screen = Rect(size: size)
        let jobsHeight = size.height >= 40 ? 6 : size.height >= 30 ? 5 : 3
        let wantedTop = max(indexLines + 2, min(deviceCount * 3 + 3, size.height / 3))
        let rows = screen.rows([.fixed(wantedTop), .fill(1), .fixed(jobsHeight), .fixed(1), .fixed(1)])
        let indexWidth = min(60, max(34, size.width * 2 / 5))
        let top = rows[0].columns([.fixed(indexWidth), .fill(1)])
        let bottom = rows[1].columns([.percent(42), .fill(1)])
        index = top[0]
        devices = top[1]
        products = bottom[0]
        similar = bottom[1]
        jobs = rows[2]
        message = rows[3]
        footer = rows[4]
    }

    /// The layout for the model's size.
    init(_ model: ExplorerModel) {
        self.init(size: model.size, deviceCount: model.devices.count,
                  indexLines: ExplorerLayout.indexLines + IndexPane.pictureLines(model.index, height: model.size.height))
    }

    /// The Products list under its filter line and header.
    var productsTable: Rect { products.inset(by: 1).inset(top: 1) }
    /// The Similar list under its info line and header.
    var similarTable: Rect { similar.inset(by: 1).inset(top: 1) }
    /// The Jobs list (no header).
    var jobsList: Rect { jobs.inset(by: 1) }

    /// Products rows visible at once (the page size for PgUp/PgDn).
    var productsPage: Int { Table.visibleRowCount(in: productsTable) }
    /// Neighbours visible at once.
    var similarPage: Int { Table.visibleRowCount(in: similarTable) }
    /// Jobs visible at once.
    var jobsPage: Int { jobsList.height }
    /// Device rows visible at once (each device takes `DevicesPane.linesPerDevice` lines).
    var devicesPage: Int { max(1, devices.inset(by: 1).height / 2) }
}
