import Core
import TUI
import XCTest
@testable import Explorer

/// `update` driven with synthetic mouse events: clicks land on the rows the view draws under the
/// pointer (found in the rendered screen, not from the layout's arithmetic), the wheel scrolls
/// the pane under the pointer, a double click acts as Enter.
final class ExplorerMouseTests: XCTestCase {
    let catalog = ExplorerFixture.demo.catalog

    // MARK: - Clicks select what is drawn there

    func testAClickSelectsTheProductDrawnUnderThePointerAtEverySize() throws {
        for (width, height) in [(80, 24), (120, 40), (200, 60)] {
            var model = ExplorerFixture.model(width: width, height: height)
            model.focus = .similar
            let position = model.products.matches[4]
            let point = try XCTUnwrap(screenPoint(of: String(catalog.id(at: position)), in: model, pane: .products))
            XCTAssertEqual(click(&model, at: point), [], "\(width)×\(height)")
            XCTAssertEqual(model.focus, .products, "\(width)×\(height)")
            XCTAssertEqual(model.products.selectedPosition, position, "\(width)×\(height)")
        }
    }

    func testAClickAccountsForTheScrollOffset() throws {
        var model = ExplorerFixture.model(width: 80, height: 24)
        press(&model, "pgdn", "pgdn", "pgdn")
        let layout = ExplorerLayout(model)
        let offset = model.products.table.visibleOffset(visibleRows: layout.productsPage, rowCount: model.products.matches.count)
        XCTAssertGreaterThan(offset, 0, "the list scrolled")
        let position = model.products.matches[offset + 1]
        let point = try XCTUnwrap(screenPoint(of: String(catalog.id(at: position)), in: model, pane: .products))
        click(&model, at: point)
        XCTAssertEqual(model.products.selectedPosition, position)
        XCTAssertEqual(model.products.table.visibleOffset(visibleRows: layout.productsPage, rowCount: model.products.matches.count),
                       offset, "selecting a visible row does not scroll")
    }

    func testHeadersBordersAndEmptyLinesSelectNothingButFocus() throws {
        var model = ExplorerFixture.model()
        model.focus = .jobs
        let layout = ExplorerLayout(model)
        click(&model, at: Point(x: layout.productsTable.x + 2, y: layout.productsTable.y))  // the TITLE header
        XCTAssertEqual(model.focus, .products)
        XCTAssertEqual(model.products.table.selected, 0)
        click(&model, at: Point(x: layout.similar.x, y: layout.similar.y + 5))  // the border
        XCTAssertEqual(model.focus, .similar)
        XCTAssertEqual(click(&model, at: Point(x: 3, y: layout.footer.y)), [], "the footer is no pane")
        XCTAssertEqual(model.focus, .similar)
        // No query yet: the Similar pane's lines are not rows.
        click(&model, at: Point(x: layout.similarTable.x + 4, y: layout.similarTable.y + 2))
        XCTAssertNil(model.similar.table.selected.flatMap { $0 < model.similar.neighbours.count ? $0 : nil })
    }

    func testAClickOnTheFilterLineStartsTypingAndAClickOnARowEndsIt() throws {
        var model = ExplorerFixture.model()
        model.focus = .index
        let layout = ExplorerLayout(model)
        click(&model, at: Point(x: layout.productsFilterLine.x + 5, y: layout.productsFilterLine.y))
        XCTAssertEqual(model.focus, .products)
        XCTAssertTrue(model.products.isEditing)
        XCTAssertEqual(type(&model, "la"), [.filter(tag: 1, query: "l"), .filter(tag: 2, query: "la")])
        send(&model, .filtered(tag: 2, matches: ExplorerFixture.matches("la"), milliseconds: 1))
        let position = model.products.matches[2]
        click(&model, at: try XCTUnwrap(screenPoint(of: String(catalog.id(at: position)), in: model, pane: .products)))
        XCTAssertFalse(model.products.isEditing)
        XCTAssertEqual(model.products.selectedPosition, position)
        XCTAssertEqual(press(&model, "j"), [], "keys go to the list again")
        XCTAssertEqual(model.products.selectedPosition, model.products.matches[3])
    }

    func testOnlyTheLeftButtonSelects() throws {
        var model = ExplorerFixture.model()
        model.focus = .similar
        let position = model.products.matches[3]
        let point = try XCTUnwrap(screenPoint(of: String(catalog.id(at: position)), in: model, pane: .products))
        send(&model, .key(.mouse(MouseEvent(.press, button: .right, row: point.y, column: point.x))),
             .key(.mouse(MouseEvent(.release, button: .left, row: point.y, column: point.x))),
             .key(.mouse(MouseEvent(.moved, button: .none, row: point.y, column: point.x))))
        XCTAssertEqual(model.focus, .similar)
        XCTAssertEqual(model.products.table.selected, 0)
    }

    // MARK: - Double clicks act as Enter

    func testADoubleClickOnAProductSearchesItsNeighbours() throws {
        var model = ExplorerFixture.model()
        let position = model.products.matches[5]
        let point = try XCTUnwrap(screenPoint(of: String(catalog.id(at: position)), in: model, pane: .products))
        XCTAssertEqual(click(&model, at: point), [])
        let effects = click(&model, at: point, kind: .doubleClick)
        XCTAssertEqual(effects, [.search(tag: 1, id: catalog.id(at: position), k: 10)])
        XCTAssertEqual(model.similar.queryID, catalog.id(at: position))
    }

    func testClickAndDoubleClickInTheSimilarPane() throws {
        var model = ExplorerFixture.model()
        let query = catalog.id(at: 0)
        XCTAssertEqual(press(&model, "enter"), [.search(tag: 1, id: query, k: 10)])
        send(&model, ExplorerFixture.searched(tag: 1, id: query))
        let third = model.similar.neighbours[2]
        let point = try XCTUnwrap(screenPoint(of: String(third.id), in: model, pane: .similar))
        click(&model, at: point)
        XCTAssertEqual(model.focus, .similar)
        XCTAssertEqual(model.similar.table.selected, 2)
        XCTAssertEqual(click(&model, at: point, kind: .doubleClick), [.search(tag: 2, id: third.id, k: 10)])
    }

    func testADoubleClickOnADeviceOpensThePickerForIt() throws {
        var model = ExplorerFixture.model()
        let point = try XCTUnwrap(screenPoint(of: "cl0 (gpu0) Test GPU", in: model, pane: .devices))
        click(&model, at: point)
        XCTAssertEqual(model.focus, .devices)
        XCTAssertEqual(model.devicesTable.selected, 1)
        // The detail line under the name belongs to the same device.
        click(&model, at: Point(x: point.x, y: point.y + 1))
        XCTAssertEqual(model.devicesTable.selected, 1)
        click(&model, at: point, kind: .doubleClick)
        guard case let .picker(picker)? = model.overlay else { return XCTFail("no picker: \(String(describing: model.overlay))") }
        XCTAssertEqual(picker.request.devices, ["cl0"])
    }

    func testAClickSelectsAJob() throws {
        var model = ExplorerFixture.model()
        _ = ExplorerUpdate.addJob(&model, title: "Moving to cl0")
        _ = ExplorerUpdate.addJob(&model, title: "Saving to /tmp/x", touchesIndex: false)
        XCTAssertEqual(model.jobsTable.selected, 1)
        click(&model, at: try XCTUnwrap(screenPoint(of: "Moving to cl0", in: model, pane: .jobs)))
        XCTAssertEqual(model.focus, .jobs)
        XCTAssertEqual(model.jobsTable.selected, 0)
    }

    // MARK: - The wheel

    func testTheWheelScrollsThePaneUnderThePointerThreeRows() throws {
        var model = ExplorerFixture.model(width: 80, height: 24)
        let layout = ExplorerLayout(model)
        let page = layout.productsPage
        let inProducts = Point(x: layout.products.x + 3, y: layout.productsTable.y + 2)
        wheel(&model, .wheelDown, at: inProducts)
        XCTAssertEqual(model.products.table.visibleOffset(visibleRows: page, rowCount: model.products.matches.count), 3)
        XCTAssertEqual(model.products.table.selected, 3, "the selection stays in view")
        wheel(&model, .wheelDown, at: inProducts)
        XCTAssertEqual(model.products.table.visibleOffset(visibleRows: page, rowCount: model.products.matches.count), 6)
        // What is drawn follows: the first row is now the seventh product.
        let point = try XCTUnwrap(screenPoint(of: String(catalog.id(at: model.products.matches[6])), in: model, pane: .products))
        XCTAssertEqual(point.y, layout.productsTable.y + 1)
        wheel(&model, .wheelUp, at: inProducts)
        XCTAssertEqual(model.products.table.visibleOffset(visibleRows: page, rowCount: model.products.matches.count), 3)
        XCTAssertEqual(model.products.table.selected, 6, "a selection still in view stays")
        for _ in 0..<5 { wheel(&model, .wheelUp, at: inProducts) }
        XCTAssertEqual(model.products.table.visibleOffset(visibleRows: page, rowCount: model.products.matches.count), 0)
        XCTAssertEqual(model.focus, .products)
    }

    func testTheWheelScrollsTheSimilarPaneWithoutTakingTheFocus() throws {
        var model = ExplorerFixture.model(width: 80, height: 24)
        let query = catalog.id(at: 0)
        press(&model, "enter")
        send(&model, ExplorerFixture.searched(tag: 1, id: query, k: 30))
        let layout = ExplorerLayout(model)
        wheel(&model, .wheelDown, at: Point(x: layout.similar.x + 5, y: layout.similarTable.y + 3))
        XCTAssertEqual(model.focus, .products)
        XCTAssertEqual(model.similar.table.visibleOffset(visibleRows: layout.similarPage, rowCount: 30), 3)
        XCTAssertEqual(model.products.table.visibleOffset(visibleRows: layout.productsPage, rowCount: model.products.matches.count), 0)
        // The wheel past the end stops at the last page.
        for _ in 0..<20 { wheel(&model, .wheelDown, at: Point(x: layout.similar.x + 5, y: layout.similarTable.y + 3)) }
        XCTAssertEqual(model.similar.table.visibleOffset(visibleRows: layout.similarPage, rowCount: 30), 30 - layout.similarPage)
    }

    // MARK: - Dialogs

    func testAClickClosesHelpAndOtherDialogsIgnoreTheMouse() throws {
        var model = ExplorerFixture.model()
        press(&model, "?")
        let row = try XCTUnwrap(screenPoint(of: String(catalog.id(at: model.products.matches[0])), in: ExplorerFixture.model(),
                                             pane: .products))
        XCTAssertEqual(click(&model, at: Point(x: 0, y: 0)), [])
        XCTAssertNil(model.overlay)
        XCTAssertEqual(model.focus, .products, "the click that closes help does nothing else")

        press(&model, "s")
        let prompt = model.overlay
        XCTAssertNotNil(prompt)
        click(&model, at: row, kind: .doubleClick)
        wheel(&model, .wheelDown, at: row)
        XCTAssertEqual(model.overlay, prompt, "a stray click keeps the typed path")
        XCTAssertEqual(model.products.table.selected, 0)

        model.overlay = nil
        press(&model, ":")
        XCTAssertEqual(click(&model, at: row, kind: .doubleClick), [], "the command line keeps the keyboard")
        XCTAssertNotNil(model.commandLine)
    }

    func testATooSmallScreenIgnoresTheMouse() throws {
        var model = ExplorerFixture.model(width: 60, height: 20)
        XCTAssertEqual(click(&model, at: Point(x: 10, y: 10), kind: .doubleClick), [])
        XCTAssertEqual(model.focus, .products)
    }

    // MARK: - Helpers

    /// Where `text` is drawn inside `pane` on the model's screen (its first cell), or nil.
    private func screenPoint(of text: String, in model: ExplorerModel, pane: Pane) -> Point? {
        let rect = ExplorerLayout(model).rect(of: pane)
        let needle = String(text.prefix(24))
        let buffer = ExplorerView.render(model)
        var found: [Point] = []
        for y in rect.y..<rect.maxY {
            // The pane's cells left to right (a wide glyph's continuation skipped), with their columns.
            let cells = (rect.x + 1..<rect.maxX - 1).filter { buffer[$0, y].width > 0 }
            let line = cells.map { buffer[$0, y].grapheme }
            let graphemes = needle.map(String.init)
            guard graphemes.count <= line.count else { continue }
            for start in 0...(line.count - graphemes.count) where Array(line[start..<start + graphemes.count]) == graphemes {
                found.append(Point(x: cells[start], y: y))
            }
        }
        XCTAssertLessThanOrEqual(found.count, 1, "'\(needle)' is drawn more than once in \(pane)")
        return found.first
    }

    @discardableResult
    private func click(_ model: inout ExplorerModel, at point: Point, kind: MouseEvent.Kind = .press) -> [ExplorerEffect] {
        send(&model, .key(.mouse(MouseEvent(kind, row: point.y, column: point.x))))
    }

    private func wheel(_ model: inout ExplorerModel, _ kind: MouseEvent.Kind, at point: Point) {
        XCTAssertEqual(send(&model, .key(.mouse(MouseEvent(kind, button: .none, row: point.y, column: point.x)))), [])
    }
}
