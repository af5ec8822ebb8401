import Foundation

// Catalog fields as columns: `:columns section,price` chooses them (both lists), `:sort price`
// or `:sort -rating` orders the Similar results by one (`:sort` alone: by score again).

extension ExplorerUpdate {
    /// `:columns [FIELD,FIELD…|default]`.
    static func chooseColumns(_ model: inout ExplorerModel, _ arguments: [String]) -> [ExplorerEffect] {
        guard let catalog = model.catalog.catalog else {
            model.message = .error("No catalog (--meta FILE): there are no fields to show.")
            return []
        }
        let available = catalog.columns.joined(separator: ", ")
        guard !arguments.isEmpty else {
            let shown = (model.columns ?? model.catalog.keyFields).joined(separator: ", ")
            model.message = .info("Columns: \(shown.isEmpty ? "none" : shown). Fields: \(available). :columns default resets.")
            return []
        }
        let names = arguments.joined(separator: ",").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        if names == ["default"] {
            model.columns = nil
            model.message = .info("Columns: the catalog's key fields.")
            return []
        }
        if let unknown = names.first(where: { !catalog.columns.contains($0) }) {
            model.message = .error("\(unknown) is not a field of \(catalog.path); fields: \(available)")
            return []
        }
        model.columns = names
        model.message = .info("Columns: \(names.joined(separator: ", ")).")
        return []
    }

    /// `:sort [-]FIELD` (also `FIELD desc`), or `:sort` / `:sort score` for the search order:
    /// the Similar results, or with Products focused the product matches (the session orders
    /// them in the filter job, `.sortProducts`).
    static func chooseSort(_ model: inout ExplorerModel, _ arguments: [String]) -> [ExplorerEffect] {
        var words = arguments
        var descending = false
        if let last = words.last?.lowercased(), ["desc", "asc"].contains(last) {
            descending = last == "desc"
            words.removeLast()
        }
        guard words.count <= 1 else {
            model.message = .error("usage: :sort FIELD, :sort -FIELD (descending), or :sort for the search order")
            return []
        }
        var field = words.first ?? "score"
        if field.hasPrefix("-") {
            descending = true
            field.removeFirst()
        }
        let inProducts = model.focus == .products
        if ["score", "rank", "#", "match"].contains(field.lowercased()) {
            if inProducts {
                model.products.sort = nil
                model.message = .info("Products: by how well they match.")
                return [.sortProducts(nil)] + requestFilter(&model)
            }
            model.similar.sort = nil
            model.message = .info("Similar: by score.")
        } else {
            guard let catalog = model.catalog.catalog, catalog.columns.contains(field) || field == "id"
                    || field == catalog.titleField else {
                let fields = model.catalog.catalog.map { ["id", $0.titleField] + $0.columns } ?? ["id"]
                model.message = .error("cannot sort by \(field); fields: \(fields.joined(separator: ", "))")
                return []
            }
            let order = FieldOrder(field: field, descending: descending)
            if inProducts {
                model.products.sort = order
                model.message = .info("Products: by \(field)\(descending ? ", largest first" : ""); :sort alone orders by match again.")
                return [.sortProducts(order)] + requestFilter(&model)
            }
            model.similar.sort = order
            model.message = .info("Similar: by \(field)\(descending ? ", largest first" : "").")
        }
        applySort(&model)
        return []
    }

    /// Orders the shown results by the chosen field (numbers as numbers; items without the
    /// field last; ties by score), or by score; the selection stays on the same item.
    static func applySort(_ model: inout ExplorerModel) {
        let selectedID = model.similar.table.selected.flatMap { row in
            row < model.similar.neighbours.count ? model.similar.neighbours[row].id : nil
        }
        let catalog = model.catalog
        guard let sort = model.similar.sort else {
            model.similar.neighbours.sort { $0.rank < $1.rank }
            reselect(&model, selectedID)
            return
        }
        func value(_ id: Int64) -> String? {
            if sort.field == "id" { return String(id) }
            if sort.field == catalog.catalog?.titleField { return catalog.catalog?.product(id: id)?.title }
            let text = catalog.field(sort.field, ofID: id)
            return text.isEmpty ? nil : text
        }
        model.similar.neighbours = sort.sorted(model.similar.neighbours, value: { value($0.id) },
                                               tiesBy: { $0.rank < $1.rank })
        reselect(&model, selectedID)
    }

    private static func reselect(_ model: inout ExplorerModel, _ id: Int64?) {
        guard let id, let row = model.similar.neighbours.firstIndex(where: { $0.id == id }) else { return }
        model.similar.table.select(row, rowCount: model.similar.neighbours.count)
    }
}
