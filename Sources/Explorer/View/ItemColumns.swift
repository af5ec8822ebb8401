import TUI

/// The columns after an item's title in Products and Similar: the id, always whole, then the
/// chosen catalog fields, each as wide as its widest shown value (up to `maximumFieldWidth`).
/// Titles give way first: a column is added only while the title keeps `minimumTitleWidth`;
/// an id that does not fit is left out whole (the detail view shows it), never cut.
struct ItemColumns {
    /// Whether the id column is shown.
    let showsID: Bool
    /// The id column's width: the widest id of the list.
    let idWidth: Int
    /// The fields shown, with their widths.
    let fields: [(name: String, width: Int)]

    /// The widest a field column gets; longer values are cut (the detail view has them whole).
    static let maximumFieldWidth = 24

    /// Fits the id (`idWidth` columns) and `fields` (their values in the shown rows are
    /// `values(field)`) into `width` columns, of which `fixed` are taken already.
    init(width: Int, fixed: Int, minimumTitleWidth: Int, idWidth: Int, fields candidates: [String],
         sortedBy sort: FieldOrder? = nil, values: (String) -> [String]) {
        self.idWidth = idWidth + (sort?.field == "id" ? 1 : 0)  // room for the sort arrow
        var left = width - fixed
        guard left - (self.idWidth + 1) >= minimumTitleWidth else {
            showsID = false
            fields = []
            return
        }
        showsID = true
        left -= self.idWidth + 1
        var chosen: [(name: String, width: Int)] = []
        for field in candidates {
            let widest = values(field).map { displayWidth(of: $0) }.max() ?? 0
            let headerWidth = displayWidth(of: field) + (sort?.field == field ? 1 : 0)  // the sort arrow
            let columnWidth = min(ItemColumns.maximumFieldWidth, max(headerWidth, widest, 1))
            guard left - (columnWidth + 1) >= minimumTitleWidth else { break }
            chosen.append((field, columnWidth))
            left -= columnWidth + 1
        }
        fields = chosen
    }

    /// The table columns: the title (filling what is left), the id, the fields; `sortedBy`
    /// marks the column the rows are sorted by.
    func tableColumns(leading: [TableColumn], sortedBy sort: FieldOrder? = nil, charset: Charset) -> [TableColumn] {
        func header(_ name: String) -> String {
            guard let sort, sort.field == name else { return name.uppercased() }
            let arrow = charset == .unicode ? (sort.descending ? "▼" : "▲") : (sort.descending ? "v" : "^")
            return name.uppercased() + arrow
        }
        var columns = leading + [TableColumn(header("title"), width: .fill(1))]
        if showsID { columns.append(TableColumn(header("id"), width: .fixed(idWidth), alignment: .right)) }
        for field in fields {
            let numeric = ["price", "rating", "score"].contains(field.name.lowercased())
            columns.append(TableColumn(header(field.name), width: .fixed(field.width), alignment: numeric ? .right : .left))
        }
        return columns
    }
}
