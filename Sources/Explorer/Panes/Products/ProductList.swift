import Core

/// What the Products and Similar panes list: the catalog's products, or, without a catalog,
/// the index's ids (so the user can still look vectors up by id). Immutable, so the model can
/// share it and filter jobs can read it from other threads.
final class ProductList: Sendable {
    /// The catalog, when one was loaded.
    let catalog: ProductCatalog?
    /// The index's ids by row, used when there is no catalog.
    private let ids: [Int64]
    /// The name filter over the titles (the ids' digits when there is no catalog).
    let filter: TitleFilter
    /// The catalog's other fields, most useful first: price, rating, brand, category, then the rest.
    let keyFields: [String]

    /// Columns the widest id takes (a 64-bit id has up to 19 digits and a sign): id columns
    /// are this wide, so ids are never cut.
    let idWidth: Int

    /// Fields shown first when a catalog has them.
    static let preferredFields = ["price", "rating", "brand", "category"]

    /// A list over a catalog's products.
    /// - Parameters:
    ///   - columns: the fields to show, in order (`columns` in config.toml); names the catalog
    ///     lacks are left out. Nil: price, rating, brand, category, then the rest.
    ///   - nameField: the field whose value counts as each product's exact name in the
    ///     ranking (`--name-field`); nil: the title's leading name.
    init(catalog: ProductCatalog, columns: [String]? = nil, nameField: String? = nil) {
        self.catalog = catalog
        ids = []
        filter = TitleFilter(titles: catalog.products.map(\.title),
                             names: nameField.map { field in catalog.products.map { $0.fields[field] ?? "" } })
        if let columns {
            keyFields = columns.filter { catalog.columns.contains($0) }
        } else {
            let preferred = ProductList.preferredFields.filter { catalog.columns.contains($0) }
            keyFields = preferred + catalog.columns.filter { !preferred.contains($0) }
        }
        idWidth = ProductList.widestID(catalog.products.lazy.map(\.id))
    }

    /// A list of bare ids (row numbers for an index without an id map).
    init(ids: [Int64]) {
        catalog = nil
        self.ids = ids
        filter = TitleFilter(titles: ids.map { String($0) })
        keyFields = []
        idWidth = ProductList.widestID(ids.lazy)
    }

    /// The width of the longest decimal id (at least 2, the ID header's).
    private static func widestID<S: Sequence>(_ ids: S) -> Int where S.Element == Int64 {
        var low: Int64 = 0, high: Int64 = 0
        for id in ids {
            low = min(low, id)
            high = max(high, id)
        }
        return max(2, String(low).count, String(high).count)
    }

    /// How many products (or ids) there are.
    var count: Int { catalog?.products.count ?? ids.count }

    /// The index id of the product at `position`.
    func id(at position: Int) -> Int64 {
        catalog?.products[position].id ?? ids[position]
    }

    /// The title of the product at `position` ("#id" without a catalog).
    func title(at position: Int) -> String {
        catalog?.products[position].title ?? "#\(ids[position])"
    }

    /// The title of the product with index id `id`, or "#id" when the catalog does not list it.
    func title(ofID id: Int64) -> String {
        catalog?.product(id: id)?.title ?? "#\(id)"
    }

    /// The value of field `name` of the product at `position`, or "" when it has none.
    func field(_ name: String, at position: Int) -> String {
        catalog?.products[position].fields[name] ?? ""
    }

    /// The value of field `name` of the product with index id `id`, or "" when it has none.
    func field(_ name: String, ofID id: Int64) -> String {
        catalog?.product(id: id)?.fields[name] ?? ""
    }
}
