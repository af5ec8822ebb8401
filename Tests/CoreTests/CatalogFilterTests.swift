import XCTest
@testable import Core

/// The search-box filter syntax and its evaluation over catalogs.
final class CatalogFilterTests: XCTestCase {
    typealias P = CatalogQuery.Predicate

    func testParsingSplitsPredicatesFromFreeText() throws {
        let query = try CatalogQuery.parse(#"  section:web nginx price<50 rating>=4 brand:"Acme Co" x=3 y!=no "http://a" c++ wi-fi "#)
        XCTAssertEqual(query.predicates, [
            P(field: "section", comparison: .contains, value: "web"),
            P(field: "price", comparison: .less, value: "50"),
            P(field: "rating", comparison: .greaterOrEqual, value: "4"),
            P(field: "brand", comparison: .contains, value: "Acme Co"),
            P(field: "x", comparison: .equal, value: "3"),
            P(field: "y", comparison: .notEqual, value: "no"),
        ])
        XCTAssertEqual(query.text, "nginx http://a c++ wi-fi")
        XCTAssertEqual(query.predicates[1].number, 50)
        XCTAssertEqual(try CatalogQuery.parse("a<=1.5 b>-2 c>1e3").predicates.map(\.comparison), [.lessOrEqual, .greater, .greater])
        XCTAssertEqual(try CatalogQuery.parse("plain words only"), CatalogQuery(predicates: [], text: "plain words only"))
        XCTAssertEqual(try CatalogQuery.parse(#"brand:"""#).predicates, [P(field: "brand", comparison: .contains, value: "")])
    }

    func testSyntaxErrorsSayWhatIsWrong() {
        let cases: [(String, String)] = [
            ("price<abc", "'abc' is not a number"),
            ("section:", "needs a value after ':'"),
            (#"brand:"Acme"#, "a quote is not closed"),
            ("rating>=", "needs a value after '>='"),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try CatalogQuery.parse(text), text) { error in
                guard case let .syntax(expression, got) = error as? CatalogFilterError else { return XCTFail("\(error)") }
                XCTAssertEqual(expression, text)
                XCTAssertTrue(got.contains(message), "\(text): \(got)")
                XCTAssertEqual(ErrorDomain.of(error), .usage)
            }
        }
    }

    private func catalog(_ lines: [String], join: ProductCatalog.Join = .rowNumber) throws -> (ProductCatalog, TemporaryFolder) {
        let folder = TemporaryFolder()
        let path = folder.file("catalog.jsonl")
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return (try ProductCatalog(path: path, join: join), folder)
    }

    private let lines = [
        #"{"title": "nginx — web server", "section": "web", "price": "30", "rating": "4.5", "brand": "Acme Co"}"#,
        #"{"title": "apache2", "section": "httpd/Web", "price": "50", "rating": "4", "brand": "ACME CO."}"#,
        #"{"title": "vim", "section": "editors", "price": "free", "rating": "5"}"#,
        #"{"title": "emacs", "section": "editors", "price": "49.99", "rating": "3.9", "brand": "GNU"}"#,
        #"{"title": "gimp", "section": "graphics", "price": " 4E1 ", "brand": "gnu"}"#,
    ]

    private func matches(_ text: String, _ catalog: ProductCatalog) throws -> [String] {
        let filter = try CatalogFilter(parsing: text, catalog: catalog)
        let rows = filter.rows ?? IDBitmap(count: catalog.products.count, repeating: true)
        return rows.setIndices.map { catalog.products[$0].title }
    }

    func testPredicatesOverACatalog() throws {
        let (catalog, folder) = try catalog(lines)
        _ = folder
        XCTAssertEqual(try matches("section:web", catalog), ["nginx — web server", "apache2"], "case-folded substring")
        XCTAssertEqual(try matches("section=web", catalog), ["nginx — web server"], "= is whole-value equality")
        XCTAssertEqual(try matches("price<50", catalog), ["nginx — web server", "emacs", "gimp"], "non-numbers never pass")
        XCTAssertEqual(try matches("price<=50 price>=40", catalog), ["apache2", "emacs", "gimp"])
        XCTAssertEqual(try matches("rating>=4", catalog), ["nginx — web server", "apache2", "vim"], "missing fields never pass")
        XCTAssertEqual(try matches("price=40", catalog), ["gimp"], "numbers compare as numbers: ' 4E1 ' = 40")
        XCTAssertEqual(try matches("price=FREE", catalog), ["vim"], "text equality is case-folded")
        XCTAssertEqual(try matches("brand!=gnu", catalog), ["nginx — web server", "apache2", "vim"], "missing is not equal")
        XCTAssertEqual(try matches(#"brand:"acme co""#, catalog), ["nginx — web server", "apache2"])
        XCTAssertEqual(try matches("title:WEB", catalog), ["nginx — web server"], "the title field")
        XCTAssertEqual(try matches("id>=3", catalog), ["emacs", "gimp"], "id is the index id")
        XCTAssertEqual(try matches("Section:editors", catalog), ["vim", "emacs"], "field names case-insensitive when unambiguous")
        XCTAssertEqual(try matches("section:nothing", catalog), [])
        let filter = try CatalogFilter(parsing: "section:editors emacs mode", catalog: catalog)
        XCTAssertEqual(filter.query.text, "emacs mode")
        XCTAssertEqual(filter.selector, .bitmap(filter.rows!), "row-numbered catalogs select by a bitmap of rows")
        let none = try CatalogFilter(parsing: "just text", catalog: catalog)
        XCTAssertNil(none.rows)
        XCTAssertNil(none.selector)
    }

    func testUnknownFieldsListTheCatalogsFields() throws {
        let (catalog, folder) = try catalog(lines)
        _ = folder
        XCTAssertThrowsError(try CatalogFilter(parsing: "colour:red", catalog: catalog)) { error in
            XCTAssertEqual(error as? CatalogFilterError,
                           .unknownField("colour", known: ["title", "section", "price", "rating", "brand", "id"]))
            XCTAssertEqual("\(error)", "filter: the catalog has no field 'colour'; its fields are title, section, price, rating, brand, id")
        }
    }

    /// Selectors are over index ids: a bitmap of ids when they are dense, a batch when sparse.
    func testSelectorsAreOverIndexIDs() throws {
        let dense = try catalog(lines.enumerated().map { i, line in line.replacingOccurrences(of: "{", with: "{\"id\": \(i * 3 + 1), ") },
                                join: .idField("id"))
        let denseFilter = try CatalogFilter(parsing: "section:editors", catalog: dense.0)
        guard case .bitmap = try XCTUnwrap(denseFilter.selector).kind else { return XCTFail("dense ids: a bitmap") }
        XCTAssertEqual((0..<20).filter { denseFilter.selector!.contains(Int64($0)) }, [7, 10])
        let sparse = try catalog(lines.enumerated().map { i, line in
            line.replacingOccurrences(of: "{", with: "{\"id\": \(Int64(i) * 1_000_000_000_000_007 + 5), ")
        }, join: .idField("id"))
        let sparseFilter = try CatalogFilter(parsing: "id>1000000000000012", catalog: sparse.0)
        let step: Int64 = 1_000_000_000_000_007
        let wanted: [Int64] = [2, 3, 4].map { $0 * step + 5 }
        XCTAssertEqual(sparseFilter.selector, .batch(wanted), "64-bit ids compare exactly")
    }

    /// Many products: the substring and numeric paths against a plain loop.
    func testLargeCatalogAgreesWithAPlainLoop() throws {
        var rng = SplitMix64(seed: 21)
        let sections = ["web", "libs", "contrib/web", "devel", "Web-Apps"]
        var rows = [String]()
        var expectedWeb = [Int](), expectedCheap = [Int]()
        for i in 0..<50_000 {
            let section = sections[Int(rng.next() % 5)]
            let price = Int(rng.next() % 100)
            rows.append(#"{"title": "p\#(i)", "section": "\#(section)", "price": "\#(price)"}"#)
            if section.lowercased().contains("web") && price < 20 { expectedWeb.append(i) }
            if price >= 95 { expectedCheap.append(i) }
        }
        let (catalog, folder) = try catalog(rows)
        _ = folder
        XCTAssertEqual(try CatalogFilter(parsing: "section:WEB price<20", catalog: catalog).rows?.setIndices, expectedWeb)
        XCTAssertEqual(try CatalogFilter(parsing: "price>=95", catalog: catalog).rows?.setIndices, expectedCheap)
    }
}
