import Core
import Foundation
import TUI
import XCTest
@testable import Explorer

/// The key map (one table for the handler, the footer and help) and the detail view.
final class KeyMapTests: XCTestCase {
    func testNoKeyIsBoundTwiceInOneScope() {
        var seen = Set<String>()
        for binding in KeyMap.bindings {
            for entry in binding.keys {
                let name = "\(binding.scope) \(entry.key)"
                XCTAssertFalse(seen.contains(name), "\(name) is bound twice")
                seen.insert(name)
            }
        }
    }

    func testEveryBoundKeyReachesItsAction() {
        for binding in KeyMap.bindings {
            guard case let .pane(pane) = binding.scope else { continue }
            for entry in binding.keys { XCTAssertEqual(KeyMap.action(for: entry.key, in: pane), entry.action) }
        }
        XCTAssertEqual(KeyMap.action(for: .character("m"), in: .similar), .move)
        XCTAssertEqual(KeyMap.action(for: .character("3"), in: .index), .focus(.products))
        XCTAssertNil(KeyMap.action(for: .character("x"), in: .products), "x cancels jobs in Jobs only")
        XCTAssertEqual(KeyMap.action(for: .character("x"), in: .jobs), .cancelJob)
    }

    func testFooterAndHelpComeFromTheSameBindings() {
        var model = ExplorerFixture.model()
        model.focus = .similar
        let footer = KeyMap.hints(for: model)
        XCTAssertEqual(Array(footer.prefix(2)), [KeyHint("Enter", "use as query"), KeyHint("+/-", "k")])
        XCTAssertTrue(footer.contains(KeyHint("i", "details")))
        XCTAssertFalse(footer.contains { $0.key == "/" }, "/ is hinted in Products only")
        let helpKeys = KeyMap.helpSections.flatMap { $0.lines.map(\.key) }
        for binding in KeyMap.bindings where !binding.help.isEmpty { XCTAssertTrue(helpKeys.contains(binding.label)) }
        XCTAssertEqual(KeyMap.helpSections.map(\.title), ["Everywhere", "In lists", "Commands"])
    }
}

final class ExplorerDetailsTests: XCTestCase {
    /// The demo's product at catalog position `position` and its id.
    private func product(_ position: Int) -> ProductCatalog.Product {
        ExplorerFixture.demo.catalog.catalog!.products[position]
    }

    func testSpaceOpensTheRecordAndTheSessionLocatesItsVector() throws {
        var model = ExplorerFixture.model()
        let effects = press(&model, "space")
        let id = product(0).id
        guard case let .details(details) = model.overlay, case let .locate(tag, lookedUp) = effects.first else {
            return XCTFail("no detail view: \(String(describing: model.overlay)), \(effects)")
        }
        XCTAssertEqual(lookedUp, id)
        XCTAssertEqual(details.tag, tag)
        XCTAssertEqual(details.location, .looking)

        let index = try ExplorerFixture.freshIndex()
        let location = try VectorLocation.locate(id: id, in: index)
        XCTAssertEqual(location.memory, "host RAM (memory-mapped)")
        XCTAssertNotNil(location.row)
        let vector = try index.reconstruct(id: id)
        XCTAssertEqual(location.norm, vector.reduce(0) { $0 + $1 * $1 }.squareRoot(), accuracy: 1e-5)
        send(&model, .located(tag: tag + 1, .found(location)))  // an older request's answer is ignored
        XCTAssertEqual(model.overlay, .details(details))
        send(&model, .located(tag: tag, .found(location)))

        assertSnapshot(ExplorerView.render(model), named: "details-120x40")
        let text = ExplorerView.render(model).renderText().joined(separator: "\n")
        XCTAssertTrue(text.contains(String(id)), "the whole id")
        for (field, value) in product(0).fields { XCTAssertTrue(text.contains(field) && text.contains(value), field) }
        XCTAssertTrue(text.contains("index row"))
        XCTAssertTrue(text.contains(String(format: "%.4f", location.norm)))

        // Enter there shows its neighbours and closes the view.
        let search = press(&model, "enter")
        XCTAssertNil(model.overlay)
        guard case let .search(_, queried, _) = search.first else { return XCTFail("no search: \(search)") }
        XCTAssertEqual(queried, id)
    }

    func testNeighboursOpenTooAndEscCloses() {
        var model = ExplorerFixture.model()
        let tag = press(&model, "enter").compactMap { effect -> Int? in
            if case let .search(tag, _, _) = effect { return tag } else { return nil }
        }.first!
        send(&model, ExplorerFixture.searched(tag: tag, id: product(0).id))
        press(&model, "tab", "down", "i")
        guard case let .details(details) = model.overlay else { return XCTFail("no detail view") }
        XCTAssertEqual(details.id, model.similar.neighbours[1].id)
        press(&model, "esc")
        XCTAssertNil(model.overlay)
    }

    func testIVFListAndHNSWLayerAreFound() throws {
        let ivf = ExplorerFixture.ivf.index
        let id = product(7).id
        let location = try VectorLocation.locate(id: id, in: ivf)
        let list = try XCTUnwrap(location.list)
        XCTAssertNil(location.row)
        XCTAssertFalse(location.isDecoded, "IVF-Flat keeps the vectors")
        let ivfIndex = try XCTUnwrap(((ivf as? IDMapIndex)?.inner ?? ivf) as? IVFIndex)
        XCTAssertEqual(ivfIndex.lists.id(list: list, offset: location.listOffset!), id)
        XCTAssertEqual(location.listLength, ivfIndex.lists.count(list))
        XCTAssertThrowsError(try VectorLocation.locate(id: -5, in: ivf))
    }

    func testLongRecordsWrapAndScroll() {
        var model = ExplorerFixture.model(width: 80, height: 24)
        press(&model, "i")
        guard case var .details(details) = model.overlay else { return XCTFail("no detail view") }
        details.location = .failed("the vector could not be read")
        model.overlay = .details(details)
        let text = ExplorerView.render(model).renderText().joined(separator: "\n")
        XCTAssertTrue(text.contains("the vector could not be read"))
        XCTAssertEqual(wrap("one two three four", toWidth: 9), ["one two", "three", "four"])
        XCTAssertEqual(wrap("abcdefghij", toWidth: 4), ["abcd", "efgh", "ij"])
        XCTAssertEqual(wrap("中文标题", toWidth: 5), ["中文", "标题"])
    }
}
