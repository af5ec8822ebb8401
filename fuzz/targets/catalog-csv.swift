// fuzz-modules: Core
// fuzz-max-len: 4096
@testable import Core
import Foundation

/// libFuzzer target: any bytes as a CSV product catalog (RFC 4180, header row), joined by row number and by an
/// `id` field; products are looked up by id and filtered by title as the explorer does.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCatalogCSV(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzInput.withFile(data, size, named: "catalog.csv") { path in
        for join in [ProductCatalog.Join.rowNumber, .idField("id")] {
            guard let catalog = try? ProductCatalog(path: path, join: join) else { continue }
            precondition(!catalog.products.isEmpty && catalog.problems.count <= catalog.problemCount)
            for product in catalog.products.prefix(4) { precondition(catalog.product(id: product.id) != nil) }
            let filter = TitleFilter(titles: catalog.products.map(\.title))
            for query in [String(catalog.products[0].title.prefix(3)), "a"] {
                if let matches = try? filter.search(query) { precondition(matches.indices.allSatisfy { $0 < filter.count }) }
            }
        }
    }
    return 0
}
