// fuzz-modules: Core
// fuzz-max-len: 1024
@testable import Core
import Foundation

/// A small catalog with text, numeric, missing and non-ASCII values, written once.
let fuzzFilterCatalog: ProductCatalog = {
    let lines = [
        #"{"id": 3, "title": "nginx — small, powerful web server", "section": "web", "price": "4.5", "rating": "4"}"#,
        #"{"id": 10, "title": "Café au lait bowl", "section": "kitchen", "price": "12", "brand": "Acme Co"}"#,
        #"{"id": 1099511627776, "title": "中文 lamp", "section": "contrib/web", "price": "n/a"}"#,
        #"{"id": -7, "title": "vim — Vi IMproved", "rating": "4.5", "brand": "Été"}"#,
    ]
    let path = FuzzInput.folder + "/filter-catalog.jsonl"
    try! (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    return try! ProductCatalog(path: path, join: .idField("id"))
}()

/// libFuzzer target: any bytes as a search-box filter (`section:web nginx`, `price<50`,
/// `brand:"Acme Co"`), parsed and evaluated over the catalog: the row mask and the id
/// selector must agree, and an error must be one of the filter's own.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCatalogFilter(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let text = String(data: FuzzInput.data(data, size), encoding: .utf8) else { return 0 }
    let catalog = fuzzFilterCatalog
    do {
        let filter = try CatalogFilter(parsing: text, catalog: catalog)
        guard let rows = filter.rows, let selector = filter.selector else {
            precondition(filter.query.predicates.isEmpty)
            return 0
        }
        precondition(rows.count == catalog.products.count)
        for (position, product) in catalog.products.enumerated() {
            precondition(rows[position] == selector.contains(product.id), "mask and selector disagree on \(product.id)")
        }
    } catch is CatalogFilterError {
        // A filter the user must fix: said, not crashed.
    } catch {
        preconditionFailure("unexpected error \(error)")
    }
    return 0
}
