import Core
import Encoder
import Foundation
import TUI
import XCTest
@testable import Explorer

/// Asking by meaning through `update`: the model job, the ask box, `:ask`, the empty-filter
/// offer, and what comes back. Pure: the messages carry what the session would report.
final class ExplorerAskTests: XCTestCase {
    let catalog = ExplorerFixture.demo.catalog
    let choice = EmbedderChoice(model: "all-MiniLM-L6-v2")
    let info = EmbedderInfo(choice: EmbedderChoice(model: "all-MiniLM-L6-v2"), name: "all-MiniLM-L6-v2", dimension: 256,
                            normalizes: true, warning: nil)

    /// A model whose text model `choice` has loaded (job 1).
    func readyModel(remember: Bool = false) -> ExplorerModel {
        var model = ExplorerFixture.model()
        _ = ExplorerUpdate.loadEmbedder(&model, choice, remember: remember)
        send(&model, .embedderLoaded(job: 1, info))
        return model
    }

    /// The neighbours the search job finds for a query vector (a product's own, here).
    func neighbours(k: Int = 10) -> [SimilarState.Neighbour] {
        let vector = try! ExplorerFixture.demo.index.reconstruct(id: ExplorerFixture.demo.catalog.id(at: 0))
        return try! ExplorerSession.neighbours(of: vector, k: k, in: ExplorerFixture.demo.index).neighbours
    }

    /// What a search finds near the first wool blanket's vector (itself left out): bedding,
    /// as a text model's answer to "cosy wool blanket" would be (the screens' data).
    func blanketNeighbours() -> [SimilarState.Neighbour] {
        let position = (0..<catalog.count).first { catalog.title(at: $0).contains("Weighted Blanket – Wool") }!
        return try! ExplorerSession.neighbours(of: catalog.id(at: position), k: 10, in: ExplorerFixture.demo.index).neighbours
    }

    // MARK: - No model

    func testAWithoutAModelSaysHowToSetOne() {
        var model = ExplorerFixture.model()
        XCTAssertEqual(press(&model, "a"), [])
        XCTAssertNil(model.ask.box)
        let message = try! XCTUnwrap(model.message)
        XCTAssertEqual(message.severity, .warning)
        XCTAssertTrue(message.text.contains("--model") && message.text.contains("--embed-url"), message.text)
        // :ask says the same and asks nothing.
        press(&model, ":")
        type(&model, "ask wool blanket")
        XCTAssertEqual(press(&model, "enter"), [])
        XCTAssertEqual(model.message?.text, ExplorerUpdate.noModelMessage)
        XCTAssertNil(model.similar.askedText)
    }

    // MARK: - Loading the model

    func testTheModelLoadsAsAJobThatNeitherBlocksMovesNorQuitting() {
        var model = ExplorerFixture.model()
        XCTAssertEqual(ExplorerUpdate.loadEmbedder(&model, choice, remember: true), [.loadEmbedder(job: 1, choice: choice)])
        XCTAssertEqual(model.ask.embedder, .loading(job: 1, choice: choice))
        XCTAssertEqual(model.jobs.map(\.title), ["Load all-MiniLM-L6-v2"])
        send(&model, .jobProgress(job: 1, done: 40, total: 100, phase: "loading the model"))
        XCTAssertEqual(model.jobs[0].fraction, 0.4)
        // Saving is not refused while the model loads, and q quits without asking.
        press(&model, "s")
        guard case .save? = model.overlay else { return XCTFail("the save dialog did not open: \(String(describing: model.message))") }
        press(&model, "esc")
        XCTAssertEqual(press(&model, "q"), [.quit])

        // Loaded: remembered for the index (the user chose it), and announced.
        var loaded = ExplorerFixture.model()
        _ = ExplorerUpdate.loadEmbedder(&loaded, choice, remember: true)
        XCTAssertEqual(send(&loaded, .embedderLoaded(job: 1, info)),
                       [.rememberEmbedder(choice, indexPath: "demo/products.index")])
        XCTAssertEqual(loaded.ask.embedder, .ready(info))
        XCTAssertEqual(loaded.jobs.map(\.status), [.finished])
        XCTAssertEqual(loaded.message?.severity, .success)
        // A remembered (or the demo's) choice is not written again.
        var remembered = ExplorerFixture.model()
        _ = ExplorerUpdate.loadEmbedder(&remembered, choice, remember: false)
        XCTAssertEqual(send(&remembered, .embedderLoaded(job: 1, info)), [])
    }

    func testAModelOfAnotherDimensionIsRefusedAndTheExplorerWorksOn() {
        var model = ExplorerFixture.model()
        _ = ExplorerUpdate.loadEmbedder(&model, choice, remember: true)
        let reason = "all-MiniLM-L6-v2 makes 384-dimensional vectors, but demo/products.index has dimension 256"
        XCTAssertEqual(send(&model, .jobFailed(job: 1, message: reason)), [], "nothing is remembered")
        XCTAssertEqual(model.ask.embedder, .failed(choice: choice, message: reason))
        XCTAssertTrue(model.message!.text.contains("384") && model.message!.text.contains("256"))
        XCTAssertEqual(press(&model, "a"), [])
        XCTAssertNil(model.ask.box)
        XCTAssertEqual(model.message, .error("Cannot ask with all-MiniLM-L6-v2: \(reason)"))
        // The rest works: filter and similar products.
        XCTAssertEqual(press(&model, "/"), [])
        XCTAssertEqual(type(&model, "lamp").count, 4)
    }

    func testAnInnerProductIndexWithAModelThatDoesNotNormaliseWarns() {
        var model = ExplorerFixture.model()
        _ = ExplorerUpdate.loadEmbedder(&model, choice, remember: false)
        var raw = info
        raw.normalizes = false
        raw.warning = "warning: all-MiniLM-L6-v2 does not normalise its vectors, and demo/products.index ranks by inner product"
        send(&model, .embedderLoaded(job: 1, raw))
        XCTAssertEqual(model.message, .warning(raw.warning!))
        XCTAssertEqual(model.ask.embedder, .ready(raw), "a warning, not a refusal")
    }

    func testALoadReplacedByANewerOneIsIgnored() {
        var model = ExplorerFixture.model()
        _ = ExplorerUpdate.loadEmbedder(&model, choice, remember: false)
        press(&model, ":")
        type(&model, "model /models/e5-small")
        let other = EmbedderChoice(model: "/models/e5-small")
        XCTAssertEqual(press(&model, "enter"), [.cancel(job: 1), .loadEmbedder(job: 2, choice: other)])
        send(&model, .embedderLoaded(job: 1, info))
        XCTAssertEqual(model.ask.embedder, .loading(job: 2, choice: other))
    }

    // MARK: - The ask box

    func testAOpensTheBoxTypingThenEnterAsks() {
        var model = readyModel()
        XCTAssertEqual(press(&model, "a"), [])
        XCTAssertNotNil(model.ask.box)
        // Keys are text in the box: q, a, / and ? do not act.
        XCTAssertEqual(type(&model, "cosy wool blanket q?/"), [])
        XCTAssertNil(model.overlay)
        XCTAssertFalse(model.products.isEditing)
        press(&model, "backspace", "backspace", "backspace", "backspace")
        XCTAssertEqual(model.ask.box?.text, "cosy wool blanket")
        XCTAssertEqual(press(&model, "enter"), [.ask(tag: 2, text: "cosy wool blanket", k: 10)])
        XCTAssertNil(model.ask.box)
        XCTAssertEqual(model.similar.askedText, "cosy wool blanket")
        XCTAssertNil(model.similar.queryID)
        XCTAssertTrue(model.similar.isSearching)

        let found = neighbours()
        send(&model, .asked(tag: 2, neighbours: found, embedMilliseconds: 4.1, searchMilliseconds: 2.3, ranOn: "cpu"))
        XCTAssertFalse(model.similar.isSearching)
        XCTAssertEqual(model.similar.neighbours, found)
        XCTAssertEqual(model.similar.embedMilliseconds, 4.1)
        XCTAssertEqual(model.similar.latencyMilliseconds, 2.3)
        XCTAssertEqual(model.similar.table.selected, 0)
    }

    func testEscAndBackspaceOnNothingCloseTheBoxAndEnterOnNothingAsksNothing() {
        var model = readyModel()
        press(&model, "a")
        XCTAssertEqual(press(&model, "enter"), [])
        XCTAssertNotNil(model.ask.box, "an empty box stays open")
        XCTAssertEqual(model.message?.severity, .warning)
        type(&model, "wool")
        XCTAssertEqual(press(&model, "esc"), [])
        XCTAssertNil(model.ask.box)
        XCTAssertNil(model.similar.askedText)
        press(&model, "a")
        XCTAssertEqual(model.ask.box?.text, "")
        press(&model, "backspace")
        XCTAssertNil(model.ask.box)
    }

    func testColonAskKeepsTheTextAndColonAskAloneOpensTheBox() {
        var model = readyModel()
        press(&model, ":")
        type(&model, "ask  cosy wool  blanket ")
        XCTAssertEqual(press(&model, "enter"), [.ask(tag: 2, text: "cosy wool  blanket", k: 10)])
        XCTAssertNil(model.commandLine)
        press(&model, ":")
        type(&model, "ask")
        XCTAssertEqual(press(&model, "enter"), [])
        XCTAssertNotNil(model.ask.box)
    }

    func testATextAskedWhileTheModelLoadsIsAskedOnceItIsReady() {
        var model = ExplorerFixture.model()
        _ = ExplorerUpdate.loadEmbedder(&model, choice, remember: false)
        press(&model, "a")
        XCTAssertNotNil(model.ask.box, "the box opens while the model loads")
        type(&model, "desk lamp")
        XCTAssertEqual(press(&model, "enter"), [])
        XCTAssertEqual(model.ask.pending, "desk lamp")
        XCTAssertTrue(model.message!.text.contains("once it is ready"))
        XCTAssertEqual(send(&model, .embedderLoaded(job: 1, info)), [.ask(tag: 2, text: "desk lamp", k: 10)])
        XCTAssertNil(model.ask.pending)
    }

    // MARK: - Results

    func testOnlyTheNewestQueryIsShownAndAProductQueryReplacesTheText() {
        var model = readyModel()
        press(&model, ":")
        type(&model, "ask wool")
        XCTAssertEqual(press(&model, "enter"), [.ask(tag: 2, text: "wool", k: 10)])
        // A product search after the ask: the ask's late answer is dropped.
        XCTAssertEqual(ExplorerUpdate.startSimilar(&model, id: catalog.id(at: 0)), [.search(tag: 3, id: catalog.id(at: 0), k: 10)])
        XCTAssertNil(model.similar.askedText)
        send(&model, .asked(tag: 2, neighbours: neighbours(), embedMilliseconds: 1, searchMilliseconds: 1, ranOn: "cpu"))
        XCTAssertTrue(model.similar.isSearching)
        XCTAssertEqual(model.similar.neighbours, [])

        // Enter on an ask's row makes that product the query.
        var asked = readyModel()
        press(&asked, ":")
        type(&asked, "ask wool")
        press(&asked, "enter")
        let found = neighbours()
        send(&asked, .asked(tag: 2, neighbours: found, embedMilliseconds: 1, searchMilliseconds: 1, ranOn: "cpu"))
        press(&asked, "4")
        XCTAssertEqual(press(&asked, "enter"), [.search(tag: 3, id: found[0].id, k: 10)])
        XCTAssertNil(asked.similar.askedText)
        XCTAssertEqual(asked.similar.queryID, found[0].id)
    }

    func testKMovesAndANewIndexAskTheTextAgain() {
        var model = readyModel()
        press(&model, ":")
        type(&model, "ask wool")
        press(&model, "enter")
        press(&model, "4")
        XCTAssertEqual(press(&model, "+"), [.ask(tag: 3, text: "wool", k: 11)])
        XCTAssertEqual(send(&model, .tuned(ExplorerFixture.demo.summary)), [.ask(tag: 4, text: "wool", k: 11)])
        XCTAssertEqual(send(&model, .switchedIndex(ExplorerFixture.demo.summary)), [.ask(tag: 5, text: "wool", k: 11)])
    }

    func testAFailedAskShowsAnErrorLine() {
        var model = readyModel()
        press(&model, ":")
        type(&model, "ask wool")
        press(&model, "enter")
        send(&model, .askFailed(tag: 2, message: "embedding with http://localhost:9 (e5): connection refused"))
        XCTAssertFalse(model.similar.isSearching)
        XCTAssertEqual(model.message, .error("ask failed: embedding with http://localhost:9 (e5): connection refused"))
        send(&model, .rememberFailed(message: "/ro/vectui/embedders.json: permission denied"))
        XCTAssertEqual(model.message?.severity, .warning)
    }

    // MARK: - A name filter that matches nothing

    func testAFilterThatMatchesNothingOffersToAskByMeaning() {
        var model = readyModel()
        press(&model, "/")
        type(&model, "snug")
        XCTAssertFalse(ExplorerUpdate.offersAskForFilter(model), "not while the filter runs")
        send(&model, .filtered(tag: model.products.requestedTag, matches: ExplorerFixture.matches("snug"), milliseconds: 1))
        XCTAssertTrue(model.products.matches.isEmpty)
        XCTAssertTrue(ExplorerUpdate.offersAskForFilter(model))
        XCTAssertEqual(FooterHints.hints(for: model).first, KeyHint("Enter", "ask by meaning"))
        let screen = ExplorerView.render(model).renderText().joined(separator: "\n")
        XCTAssertTrue(screen.contains("nothing matches 'snug' · Enter asks by meaning"), screen)
        let tag = model.nextTag
        XCTAssertEqual(press(&model, "enter"), [.ask(tag: tag, text: "snug", k: 10)])
        XCTAssertFalse(model.products.isEditing)
        XCTAssertEqual(model.similar.askedText, "snug")
        // Out of the box, Enter in the empty list asks too.
        XCTAssertEqual(press(&model, "enter"), [.ask(tag: tag + 1, text: "snug", k: 10)])
    }

    func testWithoutAModelAnEmptyFilterOffersNothing() {
        var model = ExplorerFixture.model()
        press(&model, "/")
        type(&model, "snug")
        send(&model, .filtered(tag: model.products.requestedTag, matches: ExplorerFixture.matches("snug"), milliseconds: 1))
        XCTAssertFalse(ExplorerUpdate.offersAskForFilter(model))
        let screen = ExplorerView.render(model).renderText().joined(separator: "\n")
        XCTAssertTrue(screen.contains("nothing matches 'snug'") && !screen.contains("asks by meaning"), screen)
        XCTAssertEqual(press(&model, "enter"), [])
        XCTAssertNil(model.similar.askedText)
    }

    // MARK: - Screens

    /// The Similar pane headed with the asked text and both times, rows with titles and scores.
    func testAskScreensAtTwoSizes() {
        for (width, height) in [(80, 24), (120, 40)] {
            var model = readyModel()
            model.size = Size(width: width, height: height)
            press(&model, "a")
            type(&model, "cosy wool blanket")
            let typing = ExplorerView.render(model)
            XCTAssertTrue(typing.renderText().contains { $0.contains("ask › cosy wool blanket") },
                          typing.renderText().joined(separator: "\n"))
            XCTAssertEqual(FooterHints.hints(for: model).first, KeyHint("Enter", "ask by meaning"))
            press(&model, "enter")
            XCTAssertTrue(ExplorerView.render(model).renderText().contains { $0.contains("ask “cosy wool blanket” · embedding and sea") })
            let found = blanketNeighbours()
            send(&model, .asked(tag: 2, neighbours: found, embedMilliseconds: 4.1, searchMilliseconds: 2.3, ranOn: "cpu"))
            let screen = ExplorerView.render(model)
            let text = screen.renderText()
            let header = width >= 120 ? "ask “cosy wool blanket” · embed 4.10 ms · search 2.30 ms on cpu"
                : "ask “cosy wool blanket” · embed 4.10 ms · se…"
            XCTAssertTrue(text.contains { $0.contains(header) }, text.joined(separator: "\n"))
            let firstTitle = String(catalog.title(ofID: found[0].id).prefix(20))
            XCTAssertTrue(text.contains { $0.contains(firstTitle) && $0.contains(ViewFormat.score(found[0].score)) })
            assertSnapshot(screen, named: "ask-\(width)x\(height)")
        }
    }

    func testHelpAndFooterNameTheAskKey() {
        var model = ExplorerFixture.model(width: 80, height: 24)
        XCTAssertEqual(FooterHints.hints(for: model).dropFirst(2).first, KeyHint("a", "ask"))
        press(&model, "?")
        let screen = ExplorerView.render(model).renderText()
        XCTAssertTrue(screen.contains { $0.contains("ask by meaning") }, screen.joined(separator: "\n"))
        XCTAssertTrue(screen.contains { $0.contains(":ask TEXT") })
        // At 80×24 help scrolls to its last line, and says where it is.
        XCTAssertTrue(screen.contains { $0.contains("↑↓ 1–22 of") })
        press(&model, "end")
        XCTAssertTrue(ExplorerView.render(model).renderText().contains { $0.contains(":theme light") })
    }
}
