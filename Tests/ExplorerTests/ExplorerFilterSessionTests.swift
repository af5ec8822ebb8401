import Core
import Foundation
import TUI
import XCTest
@testable import Explorer

/// Field conditions in the filter box (`category:Lighting`, `price<50`) through the real
/// session over the demo: they restrict the name matches and the similar-item search, which
/// still returns k items — the best k that pass, as an exhaustive scan of the passing ones finds.
final class ExplorerFilterSessionTests: XCTestCase {
    private func session() throws -> ExplorerSession {
        ExplorerSession(index: try ExplorerFixture.freshIndex(), path: ExplorerFixture.dataset.indexPath,
                        catalog: ExplorerFixture.demo.catalog, registry: .shared, queue: MessageQueue())
    }

    private func wait<T>(_ session: ExplorerSession, _ match: (ExplorerMessage) -> T?) -> T? {
        let deadline = Date(timeIntervalSinceNow: 30)
        while Date() < deadline {
            for message in session.queue.drain() { if let found = match(message) { return found } }
            usleep(2_000)
        }
        return nil
    }

    func testFieldConditionsRestrictNamesAndSimilarItemsWithKResults() throws {
        let session = try self.session()
        let catalog = ExplorerFixture.demo.catalog.catalog!
        session.perform(.filter(tag: 1, query: "category:lighting price<50"))
        let matches = try XCTUnwrap(wait(session) { message -> TitleFilter.Matches? in
            if case let .filtered(1, matches, _) = message { return matches } else { return nil }
        })
        let passing = catalog.products.indices.filter {
            catalog.products[$0].fields["category"] == "Lighting" && Double(catalog.products[$0].fields["price"]!)! < 50
        }
        XCTAssertFalse(passing.isEmpty)
        XCTAssertEqual(Set(matches.indices), Set(passing), "every passing product, and only those")

        // A similar-item search now returns the best 10 of the passing products.
        let query = catalog.products[0]  // an Apparel product: the query need not pass itself
        session.perform(.search(tag: 2, id: query.id, k: 10))
        let neighbours = try XCTUnwrap(wait(session) { message -> [SimilarState.Neighbour]? in
            if case let .searched(2, neighbours, _, _) = message { return neighbours } else { return nil }
        })
        XCTAssertEqual(neighbours.count, 10)
        let index = session.index
        let vector = try index.reconstruct(id: query.id)
        let exact = try passing.map { position -> (Int64, Float) in
            let id = catalog.products[position].id
            let other = try index.reconstruct(id: id)
            return (id, zip(vector, other).reduce(0) { $0 + $1.0 * $1.1 })
        }.sorted { $0.1 > $1.1 }
        XCTAssertEqual(neighbours.map(\.id), exact.prefix(10).map(\.0))
        for (neighbour, expected) in zip(neighbours, exact) { XCTAssertEqual(neighbour.score, expected.1, accuracy: 1e-4) }

        // Name words still filter within the restriction; without conditions all products count again.
        session.perform(.filter(tag: 3, query: "halcyon category:lighting"))
        let named = try XCTUnwrap(wait(session) { message -> TitleFilter.Matches? in
            if case let .filtered(3, matches, _) = message { return matches } else { return nil }
        })
        XCTAssertFalse(named.indices.isEmpty)
        XCTAssertTrue(named.indices.allSatisfy { catalog.products[$0].title.lowercased().contains("halcyon")
            && catalog.products[$0].fields["category"] == "Lighting" })
        session.perform(.filter(tag: 4, query: ""))
        session.perform(.search(tag: 5, id: query.id, k: 10))
        let unrestricted = try XCTUnwrap(wait(session) { message -> [SimilarState.Neighbour]? in
            if case let .searched(5, neighbours, _, _) = message { return neighbours } else { return nil }
        })
        XCTAssertTrue(unrestricted.contains { catalog.product(id: $0.id)?.fields["category"] == "Apparel" })
    }

    func testAnUnknownFieldIsANameWordAndIsSaid() throws {
        let session = try self.session()
        session.perform(.filter(tag: 1, query: "colur:red"))
        let note = wait(session) { message -> String?? in
            if case let .filterNote(1, note) = message { return .some(note) } else { return nil }
        }
        let text = try XCTUnwrap(note ?? nil)
        XCTAssertTrue(text.contains("colur: not a field"), text)
        XCTAssertTrue(text.contains("colour"), "the catalog's fields are listed")
    }

    func testTheModelSearchesAgainWhenTheConditionsChange() {
        var model = ExplorerFixture.model()
        let first = press(&model, "enter")
        guard case .search = first.first else { return XCTFail("no search: \(first)") }
        press(&model, "/")
        let effects = type(&model, "price<20")
        guard case let .filter(tag, _) = effects.last else { return XCTFail("no filter") }
        let again = send(&model, .filtered(tag: tag, matches: ExplorerFixture.matches(""), milliseconds: 1))
        guard case .search = again.first else { return XCTFail("the similar items were not searched again: \(again)") }
        XCTAssertEqual(model.similar.restriction, "price<20")
        let text = ExplorerView.render(model).renderText().joined(separator: "\n")
        XCTAssertTrue(text.contains("where price<20"))
    }

    func testNegativeIdsAreNeighboursNotPadding() throws {
        // 64-bit ids from hashes are negative half the time; only −1 marks an empty slot.
        let index = try IDMapIndex(kind: .idMap2, inner: FlatIndex(dimension: 2, metric: .l2), ids: [])
        let ids: [Int64] = [-4_325_965_178_395_093_832, 7, -2, 9_223_372_036_854_775_807, -9_223_372_036_854_775_808]
        try index.add(VectorMatrix(rows: 5, dimension: 2, values: [0, 0, 1, 0, 2, 0, 3, 0, 4, 0]), ids: ids)
        let (neighbours, _) = try ExplorerSession.neighbours(of: ids[0], k: 10, in: index)
        XCTAssertEqual(neighbours.map(\.id), Array(ids.dropFirst()), "every other vector, nearest first")
        XCTAssertEqual(neighbours.map(\.rank), [1, 2, 3, 4])
    }

    func testProductsSortedByAFieldInTheFilterJob() throws {
        let session = try self.session()
        let catalog = ExplorerFixture.demo.catalog.catalog!
        var model = ExplorerFixture.model()
        press(&model, ":")
        type(&model, "sort -price")
        let effects = press(&model, "enter")
        XCTAssertEqual(effects.first, .sortProducts(FieldOrder(field: "price", descending: true)))
        guard case let .filter(tag, query)? = effects.last else { return XCTFail("no filter: \(effects)") }
        for effect in effects { session.perform(effect) }
        let matches = try XCTUnwrap(wait(session) { message -> TitleFilter.Matches? in
            if case let .filtered(t, matches, _) = message, t == tag { return matches } else { return nil }
        })
        XCTAssertEqual(query, "")
        XCTAssertEqual(matches.indices.count, catalog.products.count)
        let prices = matches.indices.map { Double(catalog.products[$0].fields["price"]!)! }
        XCTAssertEqual(prices, prices.sorted(by: >), "largest first")
        // Then a name filter keeps that order, and :sort alone goes back to the ranking.
        session.perform(.filter(tag: tag + 1, query: "lamp"))
        let lamps = try XCTUnwrap(wait(session) { message -> TitleFilter.Matches? in
            if case let .filtered(t, matches, _) = message, t == tag + 1 { return matches } else { return nil }
        })
        let lampPrices = lamps.indices.map { Double(catalog.products[$0].fields["price"]!)! }
        XCTAssertFalse(lampPrices.isEmpty)
        XCTAssertEqual(lampPrices, lampPrices.sorted(by: >))
        XCTAssertTrue(ExplorerView.render(model).renderText().joined().contains("PRICE▼") == false,
                      "price is not a Products column unless :columns shows it")
        press(&model, ":")
        type(&model, "sort")
        XCTAssertEqual(press(&model, "enter").first, .sortProducts(nil))
        XCTAssertNil(model.products.sort)
    }
}
