import Core
import TUI
import XCTest
@testable import Explorer

/// Whole screens drawn by the real view from models driven through `update`, compared with
/// the snapshots in Snapshots/ (record with VECTUI_RECORD_SNAPSHOTS=1).
final class ExplorerViewTests: XCTestCase {
    let catalog = ExplorerFixture.demo.catalog

    /// Filters to one brand, selects its first product with a Chinese title, and shows that
    /// product's neighbours: English and Chinese titles side by side.
    func similarScreen(width: Int, height: Int) -> ExplorerModel {
        var model = ExplorerFixture.model(width: width, height: height)
        press(&model, "/")
        type(&model, "halcyon")
        let matches = ExplorerFixture.matches("halcyon")
        send(&model, .filtered(tag: model.products.requestedTag, matches: matches, milliseconds: 1))
        let chinese = matches.indices.firstIndex { !catalog.title(at: $0).unicodeScalars.allSatisfy(\.isASCII) }!
        for _ in 0..<chinese { press(&model, "down") }
        let effects = press(&model, "enter")
        guard case let .search(tag, id, k)? = effects.first else { fatalError("no search") }
        send(&model, ExplorerFixture.searched(tag: tag, id: id, k: k))
        return model
    }

    /// Every row takes exactly the screen's width, wide glyphs counted twice.
    func assertAligned(_ buffer: CellBuffer, file: StaticString = #filePath, line: UInt = #line) {
        for (row, text) in buffer.renderText().enumerated() {
            XCTAssertEqual(displayWidth(of: text), buffer.width, "row \(row) is misaligned: \(text)", file: file, line: line)
        }
    }

    func testSimilarProductsAtThreeSizes() {
        for (width, height) in [(80, 24), (120, 40), (200, 60)] {
            let model = similarScreen(width: width, height: height)
            let screen = ExplorerView.render(model)
            XCTAssertTrue(screen.renderText().joined().contains("台"), "a Chinese title is on screen at \(width)×\(height)")
            assertAligned(screen)
            assertSnapshot(screen, named: "similar-\(width)x\(height)")
        }
    }

    func testFirstScreen() {
        let screen = ExplorerView.render(ExplorerFixture.model(width: 80, height: 24))
        assertAligned(screen)
        assertSnapshot(screen, named: "start-80x24")
    }

    func testFocusAndSelectionAreStyled() {
        var model = similarScreen(width: 120, height: 40)
        var screen = ExplorerView.render(model)
        let layout = ExplorerLayout(model)
        // The focused pane has a heavy border; the selected row of the focused list is highlighted.
        XCTAssertEqual(screen[layout.products.x, layout.products.y].grapheme, "┏")
        XCTAssertEqual(screen[layout.similar.x, layout.similar.y].grapheme, "┌")
        let selectedRow = layout.productsTable.y + 1 + model.products.table.selected!
        XCTAssertEqual(screen[layout.productsTable.x, selectedRow].style.role, Role.selection)
        XCTAssertEqual(screen[layout.similarTable.x, layout.similarTable.y + 1].style.role, Role.selectionInactive)
        press(&model, "tab")
        screen = ExplorerView.render(model)
        XCTAssertEqual(screen[layout.similar.x, layout.similar.y].grapheme, "┏")
        XCTAssertEqual(screen[layout.similarTable.x, layout.similarTable.y + 1].style.role, Role.selection)
    }

    func testPickerShowsThePredictionBeforeMoving() {
        var model = ExplorerFixture.model(width: 120, height: 40)
        press(&model, "m")
        assertSnapshot(ExplorerView.render(model), named: "picker-fits-120x40")
        model = ExplorerFixture.model(width: 80, height: 24)
        press(&model, ":")
        type(&model, "move gpu0,gpu1 replicate")
        press(&model, "enter")
        assertSnapshot(ExplorerView.render(model), named: "picker-does-not-fit-80x24")
    }

    func testAMoveInProgressIsLiveInJobsAndDevices() {
        var model = ExplorerFixture.model(width: 120, height: 40)
        press(&model, "enter")
        send(&model, ExplorerFixture.searched(tag: 1, id: catalog.id(at: 0)))
        press(&model, "m", "enter")
        var devices = ExplorerFixture.devices
        devices[1].indexBytes = 1_024_000
        devices[1].scratchBytes = 2_048_000
        devices[1].peakBytes = 3_072_000
        send(&model, .tick(now: 100.5), .jobProgress(job: 2, done: 1_000, total: 2_000, phase: "uploading to cl0"),
             .devicesSampled(devices))
        assertSnapshot(ExplorerView.render(model), named: "moving-120x40")
    }

    func testDialogsAtTheSmallestSize() {
        var model = ExplorerFixture.model(width: 80, height: 24)
        press(&model, "?")
        assertSnapshot(ExplorerView.render(model), named: "help-80x24")

        model = ExplorerFixture.model(width: 80, height: 24)
        press(&model, "s", "enter")
        send(&model, .savePathChecked(path: "demo/products.index", exists: true))
        assertSnapshot(ExplorerView.render(model), named: "save-overwrite-80x24")

        model = ExplorerFixture.model(width: 80, height: 24)
        press(&model, "m", "enter", "q")
        assertSnapshot(ExplorerView.render(model), named: "quit-while-moving-80x24")

        model = ExplorerFixture.model(width: 80, height: 24)
        press(&model, ":")
        type(&model, "move cl0,cl1 shard fp16")
        let screen = ExplorerView.render(model)
        XCTAssertEqual(screen.cursor, Point(x: 24, y: 22), "the cursor follows the command being typed")
        assertSnapshot(screen, named: "command-line-80x24")
    }

    func testConvertDialogResultAndAnIVFIndex() throws {
        var model = ExplorerFixture.model(width: 120, height: 40)
        press(&model, "c", "ctrl-u")
        type(&model, "IVF64,PQ16")
        var screen = ExplorerView.render(model)
        assertAligned(screen)
        assertSnapshot(screen, named: "convert-120x40")

        model = ExplorerFixture.model(width: 80, height: 24)
        press(&model, "c")
        assertSnapshot(ExplorerView.render(model), named: "convert-80x24")

        // The result, with fixed timings and recall so the screen is stable.
        var options = IndexConversion.Options(factory: "IVF16,Flat")
        options.queryCount = 10
        let (_, report) = try IndexConversion(options: options).run(
            source: ExplorerFixture.demo.index, writingTo: NSTemporaryDirectory() + "vectui-explorer-tests-demo/view.faiss")
        var summary = ConversionSummary(job: 1, factory: "IVF16,Flat", path: "demo/products.ivf16_flat.faiss", report: report,
                                        predictedBytes: 2_120_000)
        (summary.trainSeconds, summary.addSeconds, summary.saveSeconds) = (0.25, 0.5, 0.125)
        (summary.recallAt1, summary.recallAt10, summary.queryCount) = (0.9, 0.87, 1_000)
        (summary.exactSearchSeconds, summary.targetSearchSeconds, summary.fileBytes) = (0.02, 0.004, 2_150_000)
        model = ExplorerFixture.model(width: 80, height: 24)
        send(&model, .converted(summary))
        screen = ExplorerView.render(model)
        assertAligned(screen)
        assertSnapshot(screen, named: "converted-80x24")

        // Exploring an IVF index: its knob and structure in the Index pane, `</>` in the footer.
        model = ExplorerFixture.model(width: 120, height: 40)
        model.index = ExplorerFixture.ivf.summary
        model.focus = .similar
        screen = ExplorerView.render(model)
        XCTAssertTrue(screen.renderText().joined().contains("search nprobe 1 of 16 lists · nlist 16 · list"))
        assertSnapshot(screen, named: "ivf-index-120x40")
    }

    func testHistogramBinsOfListsAndLayers() {
        XCTAssertEqual(IndexPane.listBins([10, 12, 30, 49, 11, 0]),
                       [HistogramBin("0–11", count: 3, note: "3 lists"), HistogramBin("12–24", count: 1, note: "1 list"),
                        HistogramBin("25–36", count: 1, note: "1 list"), HistogramBin("37–49", count: 1, note: "1 list")])
        XCTAssertEqual(IndexPane.listBins([5, 5, 6]),
                       [HistogramBin("5", count: 2, note: "2 lists"), HistogramBin("6", count: 1, note: "1 list")],
                       "fewer lengths than bins: one bin each")
        XCTAssertEqual(IndexPane.listBins([]), [])
        XCTAssertEqual(IndexPane.layerBins([2_000, 62, 2]),
                       [HistogramBin("layer 0", count: 2_000, note: "2,000"), HistogramBin("layer 1", count: 62, note: "62"),
                        HistogramBin("layer 2", count: 2, note: "2")])
        // Six layers: the top three share the last bin, counted from its lowest layer (counts are cumulative).
        XCTAssertEqual(IndexPane.layerBins([100_000, 3_100, 97, 4, 2, 1]).last, HistogramBin("layer 3+", count: 4, note: "4"))
        XCTAssertEqual(IndexPane.layerBins([100_000, 3_100, 97, 4, 2, 1]).count, IndexPane.histogramBins)
    }

    func testPicturesOfTheIndexAndTheScoresAtTheSmallestSize() {
        // 80×24: one line of sorted list sizes under the Index pane's lines, no histogram.
        var model = ExplorerFixture.model(width: 80, height: 24)
        model.index = ExplorerFixture.ivf.summary
        let sizes = ExplorerFixture.ivf.summary.listSizes
        XCTAssertEqual(sizes.count, 16)
        XCTAssertEqual(sizes.reduce(0, +), ExplorerFixture.productCount)
        XCTAssertEqual(IndexPane.pictureLines(model.index, height: 24), 1)
        XCTAssertEqual(IndexPane.pictureLines(model.index, height: 40), 1 + IndexPane.listBins(sizes).count)
        XCTAssertEqual(IndexPane.pictureLines(ExplorerFixture.demo.summary, height: 40), 0, "a flat index has no picture")
        let query = catalog.id(at: 0)
        press(&model, "enter")
        send(&model, .searched(tag: 1, neighbours: try! ExplorerSession.neighbours(of: query, k: 10, in: ExplorerFixture.ivf.index).0,
                               milliseconds: 0.5, ranOn: "cpu"))
        let screen = ExplorerView.render(model)
        assertAligned(screen)
        assertSnapshot(screen, named: "ivf-index-80x24")
        // The ASCII fallback draws the same pictures in ASCII.
        model.charset = .ascii
        let ascii = ExplorerView.render(model).renderText()
        XCTAssertTrue(ascii.allSatisfy { $0.unicodeScalars.allSatisfy { $0.isASCII || !"▁▂▃▄▅▆▇█".unicodeScalars.contains($0) } },
                      ascii.joined(separator: "\n"))
        XCTAssertTrue(ascii.contains { $0.contains("lists  #") }, ascii.joined(separator: "\n"))
    }

    func testTooSmallTerminal() {
        let screen = ExplorerView.render(ExplorerFixture.model(width: 60, height: 20))
        XCTAssertTrue(screen.renderText().joined(separator: " ").contains("Terminal too small: 60×20"))
        assertSnapshot(screen, named: "too-small-60x20")
        let tiny = ExplorerView.render(ExplorerFixture.model(width: 12, height: 3))
        XCTAssertTrue(tiny.checkInvariants())
    }

    func testWithoutACatalogIdsAreListedAndFiltered() {
        let ids = ProductList(ids: (0..<2_000).map { Int64(4_006_000_000_000 + $0 * 7) })
        var model = ExplorerFixture.model(width: 80, height: 24, catalog: ids)
        model.message = ExplorerLauncher.loadCatalog(
            ExplorerOptions(indexPath: "x", catalogPath: nil, idField: nil, titleField: nil, theme: nil, k: 10, measure: false),
            index: ExplorerFixture.demo.index).1
        press(&model, "/")
        type(&model, "0000133")
        send(&model, .filtered(tag: model.products.requestedTag, matches: ExplorerFixture.matches("0000133", in: ids),
                               milliseconds: 1))
        press(&model, "enter")
        send(&model, .searched(tag: model.similar.requestedTag,
                               neighbours: [SimilarState.Neighbour(id: 4_006_000_000_007, score: 0.5, rank: 1)],
                               milliseconds: 0.5, ranOn: "cpu"))
        assertSnapshot(ExplorerView.render(model), named: "no-catalog-80x24")
    }
}
