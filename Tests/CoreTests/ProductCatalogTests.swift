import Foundation
import XCTest
@testable import Core

final class ProductCatalogTests: XCTestCase {
    func write(_ text: String, to path: String) throws { try text.write(toFile: path, atomically: false, encoding: .utf8) }

    func testJSONLJoinsByIDAndReportsBadLines() throws {
        let folder = TemporaryFolder()
        let path = folder.file("p.jsonl")
        try write("""
        {"id": 4006000000001, "title": "Stridex Running Shoes – Red", "price": 59.99, "tags": ["a", "b"], "ok": true}
        {"id": 4006000000002, "title": "Stridex 红色跑鞋 \\u00e9\\ud83d\\ude00", "price": 61}
        not json at all
        {"id": "seven", "title": "Bad id"}
        {"title": "No id"}

        {"id": 4006000000001, "title": "Repeated"}
        {"id": 4006000000003, "name": "Untitled", "price": null}
        """, to: path)
        let catalog = try ProductCatalog(path: path, join: .idField("id"))
        XCTAssertEqual(catalog.products.map(\.id), [4_006_000_000_001, 4_006_000_000_002, 4_006_000_000_003])
        XCTAssertEqual(catalog.product(id: 4_006_000_000_002)?.title, "Stridex 红色跑鞋 é😀")
        XCTAssertEqual(catalog.product(id: 4_006_000_000_001)?.fields["tags"], #"["a", "b"]"#)
        XCTAssertEqual(catalog.product(id: 4_006_000_000_001)?.fields["ok"], "true")
        XCTAssertEqual(catalog.product(id: 4_006_000_000_003)?.title, "#4006000000003")
        XCTAssertEqual(catalog.columns, ["price", "tags", "ok", "name"])
        XCTAssertEqual(catalog.problems.map(\.line), [3, 4, 5, 7, 8])
        XCTAssertTrue(catalog.problems[0].description.hasPrefix("line 3: not valid JSON at column 1"), "\(catalog.problems[0])")
        XCTAssertEqual(catalog.problems[1].description, "line 4: 'id' is 'seven', not a 64-bit integer id")
        XCTAssertEqual(catalog.problems[3].description, "line 7: id 4006000000001 repeats line 1")
    }

    func testCSVWithQuotesJoinsByRowNumber() throws {
        let folder = TemporaryFolder()
        let path = folder.file("p.csv")
        try write("name,price,notes\r\n\"Desk Lamp, \"\"Nordlys\"\"\",39.99,\"two\nlines\"\r\nWall Clock,12\r\nMug,5,ok\r\n", to: path)
        let catalog = try ProductCatalog(path: path, join: .rowNumber)
        XCTAssertEqual(catalog.titleField, "name")
        XCTAssertEqual(catalog.products.map(\.title), ["Desk Lamp, \"Nordlys\"", "Mug"])
        XCTAssertEqual(catalog.products.map(\.id), [0, 1])
        XCTAssertEqual(catalog.products[0].fields["notes"], "two\nlines")
        XCTAssertEqual(catalog.problems, [ProductCatalog.Problem(line: 4, message: "2 fields where the header has 3")])
    }

    func testUnusableCatalogsAreErrorsNamingTheFile() throws {
        let folder = TemporaryFolder()
        XCTAssertThrowsError(try ProductCatalog(path: folder.file("missing.jsonl"), join: .rowNumber)) { error in
            XCTAssertEqual("\(error)", "\(folder.file("missing.jsonl")): cannot read: no such file")
        }
        let path = folder.file("empty.jsonl")
        try write("[1, 2]\n", to: path)
        XCTAssertThrowsError(try ProductCatalog(path: path, join: .rowNumber)) { error in
            XCTAssertTrue("\(error)".contains("at least one usable product row"), "\(error)")
            XCTAssertTrue("\(error)".contains("line 1"), "\(error)")
        }
    }

    func testDemoProductsOfOneBrandAreNeighbours() throws {
        let folder = TemporaryFolder()
        let demo = DemoDataset(folder: folder.path)
        try demo.generate(productCount: 3000)
        XCTAssertTrue(demo.isReady(productCount: 3000))
        XCTAssertFalse(demo.isReady(productCount: 2000))
        let index = try XCTUnwrap(FaissIndexFile.read(path: demo.indexPath) as? IDMapIndex)
        let catalog = try ProductCatalog(path: demo.catalogPath, join: .idField("id"))
        XCTAssertEqual(catalog.products.count, 3000)
        XCTAssertEqual(catalog.problemCount, 0)
        XCTAssertGreaterThan(catalog.products.filter { $0.title.unicodeScalars.contains { $0.value >= 0x4E00 && $0.value < 0xA000 } }.count, 150)
        // The nearest neighbours of a product share its category and brand.
        var agreeing = 0, total = 0
        for product in catalog.products.prefix(50) {
            let result = try index.search(VectorMatrix(vector: try index.reconstruct(id: product.id)), k: 6)
            for id in result.ids.dropFirst() {
                total += 1
                let neighbour = try XCTUnwrap(catalog.product(id: id))
                if neighbour.fields["brand"] == product.fields["brand"] { agreeing += 1 }
            }
        }
        XCTAssertGreaterThan(Double(agreeing) / Double(total), 0.9)
    }
}
