import Core
import Foundation
import TUI
import XCTest
@testable import Explorer

/// Ids whole at every width, fields as columns (`:columns`), and sorting (`:sort`).
final class ExplorerColumnsTests: XCTestCase {
    /// A catalog of 64-bit ids (16–19 digits, one negative) with section and price fields.
    static let wideIDs: ProductList = {
        let ids: [Int64] = [9_223_372_036_854_775_807, 1_234_567_890_123_456, -4_611_686_018_427_387_904,
                            5_000_000_000_000_000_001, 7_777_777_777_777_777_777]
        let sections = ["web", "editors", "web", "graphics", "net"]
        let prices = ["49.5", "12", "150", "7.25", "50"]
        let lines = ids.indices.map {
            "{\"id\": \(ids[$0]), \"title\": \"package \($0) — a rather long description of what this package does\", "
                + "\"section\": \"\(sections[$0])\", \"price\": \"\(prices[$0])\"}"
        }
        let path = NSTemporaryDirectory() + "vectui-wide-ids-\(getpid()).jsonl"
        try! (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return ProductList(catalog: try! ProductCatalog(path: path, join: .idField("id")))
    }()

    /// The model at `width` × 40 with every product listed and all five as results.
    private func model(width: Int) -> ExplorerModel {
        let catalog = ExplorerColumnsTests.wideIDs
        var model = ExplorerFixture.model(width: width, height: 40, catalog: catalog)
        send(&model, .filtered(tag: model.products.requestedTag, matches: try! catalog.filter.search(""), milliseconds: 1))
        model.similar.queryID = catalog.id(at: 0)
        model.similar.requestedTag = 99
        let neighbours = (0..<catalog.count).map {
            SimilarState.Neighbour(id: catalog.id(at: $0), score: 1 - Float($0) / 10, rank: $0 + 1)
        }
        send(&model, .searched(tag: 99, neighbours: neighbours, milliseconds: 1, ranOn: "cpu"))
        return model
    }

    func testSixtyFourBitIdsAreWholeInBothPanesAt120And180Columns() {
        XCTAssertEqual(ExplorerColumnsTests.wideIDs.idWidth, 20, "19 digits and a sign")
        for width in [120, 180] {
            let screen = ExplorerView.render(model(width: width)).renderText()
            let layout = ExplorerLayout(model(width: width))
            for position in 0..<ExplorerColumnsTests.wideIDs.count {
                let id = String(ExplorerColumnsTests.wideIDs.id(at: position))
                let products = screen[layout.products.y..<layout.products.y + layout.products.height]
                    .map { String($0.dropFirst(layout.products.x).prefix(layout.products.width)) }
                let similar = screen[layout.similar.y..<layout.similar.y + layout.similar.height]
                    .map { String($0.dropFirst(layout.similar.x).prefix(layout.similar.width)) }
                XCTAssertTrue(products.contains { $0.contains(id) }, "\(id) whole in Products at \(width) columns")
                XCTAssertTrue(similar.contains { $0.contains(id) }, "\(id) whole in Similar at \(width) columns")
            }
            XCTAssertFalse(screen.joined().contains("…4"), "no id is cut")
        }
    }

    func testAtEightyColumnsIdsAreWholeOrLeftForTheDetailView() {
        let screen = ExplorerView.render(model(width: 80)).renderText().joined(separator: "\n")
        for position in 0..<ExplorerColumnsTests.wideIDs.count {
            let id = String(ExplorerColumnsTests.wideIDs.id(at: position))
            // Cut ids would show a prefix of the digits followed by an ellipsis.
            XCTAssertFalse(screen.contains(String(id.prefix(8)) + "…"), "\(id) cut")
        }
    }

    func testColumnsChooseTheFieldsAndSortOrdersTheResults() {
        var model = self.model(width: 180)
        press(&model, ":")
        type(&model, "columns section,price")
        press(&model, "enter")
        XCTAssertEqual(model.columns, ["section", "price"])
        var screen = ExplorerView.render(model).renderText().joined(separator: "\n")
        XCTAssertTrue(screen.contains("SECTION") && screen.contains("PRICE") && screen.contains("graphics"))

        press(&model, ":")
        type(&model, "columns colour")
        press(&model, "enter")
        XCTAssertEqual(model.columns, ["section", "price"], "an unknown field changes nothing")
        XCTAssertTrue(model.message?.text.contains("colour is not a field") ?? false)
        XCTAssertTrue(model.message?.text.contains("section, price") ?? false, "the fields are listed")

        // With Similar focused, :sort orders its results. Numbers sort as numbers
        // (7.25 < 12 < 49.5 < 50 < 150), descending with a minus.
        press(&model, "4", ":")
        type(&model, "sort price")
        press(&model, "enter")
        XCTAssertEqual(model.similar.neighbours.map(\.rank), [4, 2, 1, 5, 3])
        press(&model, ":")
        type(&model, "sort -price")
        press(&model, "enter")
        XCTAssertEqual(model.similar.neighbours.map(\.rank), [3, 5, 1, 2, 4])
        screen = ExplorerView.render(model).renderText().joined(separator: "\n")
        XCTAssertTrue(screen.contains("PRICE▼"))
        // Text sorts as text; ties keep the score order; the selection follows its item.
        press(&model, "4", "down")
        XCTAssertEqual(model.similar.table.selected, 3, "the first result (rank 1) was followed to row 2, then down")
        let selected = model.similar.neighbours[3].id
        press(&model, ":")
        type(&model, "sort section")
        press(&model, "enter")
        XCTAssertEqual(model.similar.neighbours.map(\.rank), [2, 4, 5, 1, 3])
        XCTAssertEqual(model.similar.neighbours[model.similar.table.selected!].id, selected)
        press(&model, ":")
        type(&model, "sort")
        press(&model, "enter")
        XCTAssertEqual(model.similar.neighbours.map(\.rank), [1, 2, 3, 4, 5])
        press(&model, ":")
        type(&model, "sort weight")
        press(&model, "enter")
        XCTAssertTrue(model.message?.text.contains("cannot sort by weight") ?? false)
    }
}

/// The characters the filter matched are drawn in `Role.match` in the Products pane.
final class ExplorerHighlightTests: XCTestCase {
    func testMatchedCharactersAreHighlighted() throws {
        var model = ExplorerFixture.model(width: 120, height: 40)
        press(&model, "/")
        type(&model, "lamp halc")
        send(&model, .filtered(tag: model.products.requestedTag, matches: ExplorerFixture.matches("lamp halc"), milliseconds: 1))
        press(&model, "escape", "down")  // the selected row is drawn in the selection's style
        let buffer = ExplorerView.render(model)
        let layout = ExplorerLayout(model)
        let text = buffer.renderText()
        // The first listed product's row (not selected): "Halcyon … Lamp …".
        let row = try XCTUnwrap((layout.products.y..<layout.products.maxY).first { text[$0].contains("Halcyon") })
        let cells = (layout.products.x + 1..<layout.products.maxX - 1).map { buffer[$0, row] }
        let line = cells.map(\.grapheme).joined()
        let matched = cells.filter { $0.style.role == Role.match }.map(\.grapheme).joined()
        XCTAssertEqual(matched.lowercased(), "halclamp", "\(line): highlighted \(matched)")
        XCTAssertFalse(cells.contains { $0.style.role == Role.match && $0.grapheme == " " })
    }
}

/// `--name-field`: a catalog field names each product exactly, for the ranking.
final class ExplorerNameFieldTests: XCTestCase {
    func testTheNameFieldRanksItsExactNameFirstAndAnUnknownOneIsSaid() throws {
        let path = NSTemporaryDirectory() + "vectui-name-field-\(getpid()).jsonl"
        try """
        {"id": 1, "title": "Fast web server with modules, nginx compatible", "pkg": "angie"}
        {"id": 2, "title": "Small powerful web server", "pkg": "nginx"}
        {"id": 3, "title": "nginx-mod-geoip: GeoIP for the web server", "pkg": "libnginx-mod-http-geoip"}

        """.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var options = ExplorerOptions(indexPath: "x", catalogPath: path, idField: "id", titleField: nil, theme: nil, k: 10,
                                      measure: false)
        let index = try IDMapIndex(kind: .idMap2, inner: FlatIndex(dimension: 1, metric: .l2), ids: [])
        try index.add(VectorMatrix(rows: 3, dimension: 1, values: [0, 1, 2]), ids: [1, 2, 3])
        options.nameField = "pkg"
        let (named, message) = ExplorerLauncher.loadCatalog(options, index: index)
        XCTAssertNil(message)
        XCTAssertEqual(try named.filter.search("nginx").indices.first, 1, "the product whose pkg is nginx")

        options.nameField = "package"
        let (plain, warning) = ExplorerLauncher.loadCatalog(options, index: index)
        XCTAssertTrue(warning?.text.contains("--name-field package") ?? false)
        XCTAssertTrue(warning?.text.contains("pkg") ?? false, "the fields are listed")
        XCTAssertEqual(try plain.filter.search("nginx").indices.first, 2, "the title's leading name, nginx-mod-geoip, is not exact")
    }
}
