import Core
import TUI
import XCTest
@testable import Explorer

/// The convert dialog, its result dialog, and the search knob (`:nprobe`, `:ef`, `<`, `>`).
final class ExplorerConvertTests: XCTestCase {
    private func prompt(_ model: ExplorerModel) -> ConvertPrompt? {
        if case let .convert(prompt)? = model.overlay { return prompt }
        return nil
    }

    private func prediction(_ model: ExplorerModel) -> IndexConversion.Prediction? {
        if case let .success(prediction)? = prompt(model)?.prediction { return prediction }
        return nil
    }

    func testTheDialogPredictsAsTheFactoryIsTypedAndThePathFollows() throws {
        var model = ExplorerFixture.model()
        XCTAssertEqual(press(&model, "c"), [])
        // 2,000 vectors: below IVF's useful size, SQ8 is proposed, kept in an IDMap2 like the source.
        XCTAssertEqual(prompt(model)?.factory.text, "SQ8")
        XCTAssertEqual(prompt(model)?.path.text, "demo/products.sq8.faiss")
        XCTAssertEqual(prediction(model)?.className, "IndexIDMap2")
        XCTAssertEqual(prediction(model)?.indexBytes, 2_000 * 256 + 2 * 256 * 4 + 2_000 * 8)

        press(&model, "ctrl-u")
        type(&model, "IVF64,PQ16x4")
        XCTAssertEqual(prompt(model)?.path.text, "demo/products.ivf64_pq16x4.faiss")
        let ivfpq = try XCTUnwrap(prediction(model))
        XCTAssertEqual(ivfpq.className, "IndexIVFPQ")
        XCTAssertEqual(ivfpq.components.first { $0.name == "list codes" }?.bytes, 2_000 * 8)
        // The demo is inner product: no precomputed table, only the centroid copy for residuals.
        XCTAssertEqual(ivfpq.searchCaches.map(\.name), ["centroid copy"])

        type(&model, "x")
        guard case let .failure(problem)? = prompt(model)?.prediction else { return XCTFail("a bad factory string predicted") }
        XCTAssertTrue(problem.description.contains("'PQ16x4x'"), problem.description)
        XCTAssertEqual(press(&model, "enter"), [], "nothing starts while the factory string is wrong")
        XCTAssertEqual(model.message?.severity, .error)

        // A path typed by hand stays when the factory changes.
        press(&model, "backspace", "tab", "ctrl-u")
        type(&model, "/tmp/mine.faiss")
        press(&model, "tab")
        type(&model, "8")
        XCTAssertEqual(prompt(model)?.factory.text, "IVF64,PQ16x48")
        XCTAssertEqual(prompt(model)?.path.text, "/tmp/mine.faiss")
        press(&model, "escape")
        XCTAssertNil(model.overlay)
    }

    func testEnterChecksThePathRefusesTheIndexItselfAndStartsTheJob() {
        var model = ExplorerFixture.model()
        press(&model, ":")
        type(&model, "convert IVF16,Flat")
        press(&model, "enter")
        XCTAssertEqual(prompt(model)?.factory.text, "IVF16,Flat")
        press(&model, "tab", "ctrl-u")
        type(&model, "demo/./products.index")
        XCTAssertEqual(press(&model, "enter"), [])
        XCTAssertTrue(model.message?.text.contains("the open index's own file") ?? false, "\(String(describing: model.message))")

        press(&model, "ctrl-u")
        type(&model, "/tmp/ivf.faiss")
        XCTAssertEqual(press(&model, "enter"), [.checkSavePath("/tmp/ivf.faiss")])
        XCTAssertEqual(press(&model, "enter"), [], "no second check while the first is out")
        XCTAssertEqual(send(&model, .savePathChecked(path: "/tmp/ivf.faiss", exists: true)), [])
        XCTAssertEqual(prompt(model)?.confirmingOverwrite, true)
        let predicted = prediction(model)!.indexBytes
        XCTAssertEqual(press(&model, "enter"),
                       [.convert(job: 1, factory: "IVF16,Flat", path: "/tmp/ivf.faiss", predictedBytes: predicted)])
        XCTAssertNil(model.overlay)
        XCTAssertEqual(model.jobs.map(\.title), ["Convert to IVF16,Flat"])
        XCTAssertNil(model.jobs[0].rowsPerSecond(now: model.now + 5), "phases count different things: no rate")
        // One job at a time.
        press(&model, "c")
        XCTAssertNil(model.overlay)
        XCTAssertEqual(model.message?.severity, .warning)
    }

    func testTooLittleHostMemoryIsRefusedWithTheNumbers() {
        var model = ExplorerFixture.model()
        model.devices[0].otherBytes = model.devices[0].totalBytes
        press(&model, "c")
        XCTAssertEqual(press(&model, "enter"), [])
        XCTAssertTrue(model.message?.text.hasPrefix("Not enough host RAM: the conversion needs about") ?? false,
                      "\(String(describing: model.message))")
    }

    func testCompressedIndexesDoNotConvert() {
        var model = ExplorerFixture.model()
        model.index = ExplorerFixture.ivf.summary
        press(&model, "c")
        XCTAssertNil(model.overlay)
        XCTAssertTrue(model.message?.text.contains("IndexIVFFlat holds compressed vectors") ?? false)
    }

    private func summary(job: Int) throws -> ConversionSummary {
        var options = IndexConversion.Options(factory: "IVF16,Flat")
        options.queryCount = 50
        let folder = NSTemporaryDirectory() + "vectui-explorer-tests-demo/"
        let (_, report) = try IndexConversion(options: options).run(source: ExplorerFixture.demo.index,
                                                                    writingTo: folder + "summary.faiss")
        return ConversionSummary(job: job, factory: "IVF16,Flat", path: "/tmp/ivf.faiss", report: report, predictedBytes: 1)
    }

    func testTheResultDialogExploresTheNewIndexOrLetsItGo() throws {
        var model = ExplorerFixture.model()
        send(&model, .key(.character("c")))
        press(&model, "tab", "ctrl-u")
        type(&model, "/tmp/ivf.faiss")
        press(&model, "enter")
        send(&model, .savePathChecked(path: "/tmp/ivf.faiss", exists: false))
        let result = try summary(job: 1)
        XCTAssertEqual(result.className, "IndexIVFFlat")
        XCTAssertEqual(result.queryCount, 50)
        XCTAssertEqual(send(&model, .converted(result)), [])
        XCTAssertEqual(model.overlay, .converted(result))
        XCTAssertEqual(model.jobs[0].status, .finished)
        XCTAssertEqual(model.message?.severity, .success)

        // Enter: the runtime switches; the query product is searched again in the new index.
        _ = ExplorerUpdate.startSimilar(&model, id: 42)
        XCTAssertEqual(press(&model, "enter"), [.exploreConverted(job: 1)])
        XCTAssertNil(model.overlay)
        let effects = send(&model, .switchedIndex(ExplorerFixture.ivf.summary))
        XCTAssertEqual(effects.count, 1)
        guard case .search(_, 42, 10)? = effects.first else { return XCTFail("\(effects)") }
        XCTAssertEqual(model.index.className, "IndexIVFFlat")
        XCTAssertEqual(model.index.tuning, .nprobe(1, nlist: 16))
        XCTAssertFalse(model.movedSinceSave)

        // Esc keeps the current index and drops the result.
        model.overlay = nil
        send(&model, .converted(try summary(job: 7)))
        XCTAssertEqual(press(&model, "escape"), [.discardConverted(job: 7)])
        XCTAssertNil(model.overlay)
        // With another dialog open, the result is only reported, and let go.
        model.overlay = .confirmQuit(reason: "test")
        XCTAssertEqual(send(&model, .converted(try summary(job: 8))), [.discardConverted(job: 8)])
        XCTAssertEqual(model.overlay, .confirmQuit(reason: "test"))
    }

    func testTheSearchKnobFollowsTheIndexType() {
        var model = ExplorerFixture.model()
        press(&model, ":")
        type(&model, "nprobe 8")
        XCTAssertEqual(press(&model, "enter"), [])
        XCTAssertTrue(model.message?.text.hasPrefix("nprobe applies to IVF indexes") ?? false)
        model.focus = .similar
        XCTAssertEqual(press(&model, ">"), [])

        model.index = ExplorerFixture.ivf.summary
        for (command, expected) in [("nprobe 8", [ExplorerEffect.tune(.nprobe(8, nlist: 16))]), ("nprobe 0", []),
                                    ("nprobe 17", []), ("nprobe", []), ("ef 32", [])] {
            press(&model, ":")
            type(&model, command)
            XCTAssertEqual(press(&model, "enter"), expected, command)
        }
        XCTAssertEqual(press(&model, ">"), [.tune(.nprobe(2, nlist: 16))])
        XCTAssertEqual(press(&model, "<"), [], "nprobe 1 cannot halve")

        var tuned = ExplorerFixture.ivf.summary
        tuned.tuning = .nprobe(16, nlist: 16)
        _ = ExplorerUpdate.startSimilar(&model, id: 5)
        let effects = send(&model, .tuned(tuned))
        guard case .search(_, 5, 10)? = effects.first else { return XCTFail("\(effects)") }
        XCTAssertEqual(model.message?.text, "nprobe 16 of 16 lists.")
        XCTAssertEqual(press(&model, ">"), [], "nprobe cannot pass nlist")

        model.index.tuning = .efSearch(16)
        XCTAssertEqual(press(&model, ">"), [.tune(.efSearch(32))])
        press(&model, ":")
        type(&model, "ef 64")
        XCTAssertEqual(press(&model, "enter"), [.tune(.efSearch(64))])
    }

    func testTheIndexPaneSaysHowVectorsAreCoded() throws {
        let cases = [("Flat", "fp32"), ("IVF16,Flat", "fp32"), ("IVF16,SQ8", "scalar codes, 16 B each (QT_8bit) of residuals"),
                     ("IVF16,PQ8x6", "PQ codes, 8 × 6 bits of residuals"), ("SQfp16", "scalar codes, 32 B each (QT_fp16)"),
                     ("PQ4", "PQ codes, 4 × 8 bits"), ("IDMap2,HNSW8", "fp32, with a graph")]
        for (factory, coding) in cases {
            let index = try IndexFactory.make(factory, dimension: 16, metric: .l2)
            XCTAssertEqual(IndexSummary(index: index, path: "x").coding, coding, factory)
        }
    }
}
