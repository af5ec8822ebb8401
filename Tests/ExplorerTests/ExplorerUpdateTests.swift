import Core
import TUI
import XCTest
@testable import Explorer

/// `update` driven with key and job messages: the model it leaves and the effects it asks for.
final class ExplorerUpdateTests: XCTestCase {
    let catalog = ExplorerFixture.demo.catalog

    // MARK: - Focus and overlays

    func testTabNumbersAndShiftTabMoveTheFocus() {
        var model = ExplorerFixture.model()
        XCTAssertEqual(model.focus, .products)
        press(&model, "tab")
        XCTAssertEqual(model.focus, .similar)
        press(&model, "tab", "tab")
        XCTAssertEqual(model.focus, .index)
        press(&model, "shift-tab")
        XCTAssertEqual(model.focus, .jobs)
        press(&model, "2")
        XCTAssertEqual(model.focus, .devices)
        XCTAssertEqual(press(&model, "9"), [])
        XCTAssertEqual(model.focus, .devices)
    }

    func testHelpOpensAndClosesWithoutEffects() {
        var model = ExplorerFixture.model()
        XCTAssertEqual(press(&model, "?"), [])
        XCTAssertEqual(model.overlay, .help)
        press(&model, "j", "tab")
        XCTAssertEqual(model.overlay, .help, "keys do not leak under the help")
        XCTAssertEqual(model.focus, .products)
        press(&model, "esc")
        XCTAssertNil(model.overlay)
    }

    // MARK: - Filter: tagged requests, the newest wins

    func testTypingFiltersAndOnlyTheNewestResultIsShown() {
        var model = ExplorerFixture.model()
        XCTAssertEqual(press(&model, "/"), [])
        XCTAssertTrue(model.products.isEditing)
        let effects = type(&model, "lam")
        XCTAssertEqual(effects, [.filter(tag: 1, query: "l"), .filter(tag: 2, query: "la"), .filter(tag: 3, query: "lam")])
        XCTAssertTrue(model.products.isFiltering)

        // An older answer arriving late is dropped; the newest is shown.
        send(&model, .filtered(tag: 2, matches: ExplorerFixture.matches("la"), milliseconds: 1))
        XCTAssertEqual(model.products.matches.count, ExplorerFixture.productCount)
        let lamp = ExplorerFixture.matches("lam")
        send(&model, .filtered(tag: 3, matches: lamp, milliseconds: 1))
        XCTAssertEqual(model.products.matches, lamp.indices)
        XCTAssertEqual(model.products.shownQuery, "lam")
        XCTAssertFalse(model.products.isFiltering)
        XCTAssertEqual(model.products.table.selected, 0)
        // A straggler from before the shown one changes nothing.
        send(&model, .filtered(tag: 1, matches: ExplorerFixture.matches("l"), milliseconds: 1))
        XCTAssertEqual(model.products.matches, lamp.indices)
    }

    func testFilterKeysAreTextWhileEditingAndEscLeavesTheBox() {
        var model = ExplorerFixture.model()
        press(&model, "/")
        XCTAssertEqual(type(&model, "q?").count, 2, "q and ? are typed, not commands")
        XCTAssertNil(model.overlay)
        XCTAssertEqual(model.products.filter.text, "q?")
        XCTAssertEqual(press(&model, "backspace"), [.filter(tag: 3, query: "q")])
        press(&model, "esc")
        XCTAssertFalse(model.products.isEditing)
        XCTAssertEqual(model.products.filter.text, "q")
        // Esc again, in the list, clears the filter.
        XCTAssertEqual(press(&model, "esc"), [.filter(tag: 4, query: "")])
    }

    func testArrowsMoveInTheListWhileTypingAndEnterSearches() {
        var model = ExplorerFixture.model()
        press(&model, "/")
        type(&model, "lamp")
        send(&model, .filtered(tag: 4, matches: ExplorerFixture.matches("lamp"), milliseconds: 1))
        press(&model, "down", "down")
        XCTAssertEqual(model.products.table.selected, 2)
        let chosen = catalog.id(at: model.products.matches[2])
        XCTAssertEqual(press(&model, "enter"), [.search(tag: 5, id: chosen, k: 10)])
        XCTAssertFalse(model.products.isEditing)
        XCTAssertEqual(model.similar.queryID, chosen)
        XCTAssertTrue(model.similar.isSearching)
    }

    // MARK: - Similar products

    func testSearchResultsShowAndEnterMakesANeighbourTheQuery() {
        var model = ExplorerFixture.model()
        let first = catalog.id(at: 0)
        XCTAssertEqual(press(&model, "enter"), [.search(tag: 1, id: first, k: 10)])
        // A stale answer is dropped.
        send(&model, ExplorerFixture.searched(tag: 0, id: catalog.id(at: 5)))
        XCTAssertTrue(model.similar.neighbours.isEmpty)
        send(&model, ExplorerFixture.searched(tag: 1, id: first))
        XCTAssertEqual(model.similar.neighbours.count, 10)
        XCTAssertFalse(model.similar.neighbours.contains { $0.id == first }, "the query is not its own neighbour")
        XCTAssertEqual(model.similar.latencyMilliseconds, 1.25)

        press(&model, "4", "j", "j")
        let third = model.similar.neighbours[2].id
        XCTAssertEqual(press(&model, "enter"), [.search(tag: 2, id: third, k: 10)])
        XCTAssertEqual(model.similar.queryID, third)
    }

    func testKChangesWithPlusMinusAndTheCommandLine() {
        var model = ExplorerFixture.model()
        press(&model, "enter")
        let query = model.similar.queryID!
        press(&model, "4")
        XCTAssertEqual(press(&model, "+"), [.search(tag: 2, id: query, k: 11)])
        XCTAssertEqual(press(&model, "-", "-"), [.search(tag: 3, id: query, k: 10), .search(tag: 4, id: query, k: 9)])
        press(&model, ":")
        XCTAssertNotNil(model.commandLine)
        type(&model, "k 20")
        XCTAssertEqual(press(&model, "enter"), [.search(tag: 5, id: query, k: 20)])
        XCTAssertNil(model.commandLine)
        XCTAssertEqual(model.similar.k, 20)
        press(&model, ":")
        type(&model, "k 0")
        XCTAssertEqual(press(&model, "enter"), [])
        XCTAssertEqual(model.message?.severity, .error)
        XCTAssertEqual(model.similar.k, 20)
    }

    func testSearchFailureGoesToTheMessageLine() {
        var model = ExplorerFixture.model()
        press(&model, "enter")
        send(&model, .searchFailed(tag: 1, message: "no vector with id 7 in the index"))
        XCTAssertEqual(model.message, .error("search failed: no vector with id 7 in the index"))
        XCTAssertFalse(model.similar.isSearching)
    }

    // MARK: - Moving

    func testPickerPredictsAndMovesWhenItFits() {
        var model = ExplorerFixture.model()
        XCTAssertEqual(press(&model, "m"), [])
        guard case .picker(let picker)? = model.overlay else { return XCTFail("no picker") }
        XCTAssertEqual(picker.choices, ["cpu", "cl0", "cl1"])
        XCTAssertEqual(picker.selected, ["cl0"], "from the host, m proposes the first OpenCL device")

        let preview = PlacementPreview(request: picker.request, index: model.index, devices: model.devices)
        let vectors = 2_000 * 256 * 4
        XCTAssertEqual(preview.rows.map(\.residentBytes), [vectors])
        // Peak: vectors + one upload chunk (all of them, here) + the search scratch budget.
        XCTAssertEqual(preview.rows.map(\.peakBytes), [vectors + vectors + (8 << 30) / 10])
        XCTAssertEqual(preview.verdict, .fits(summary: "fp32 on cl0"))

        let effects = press(&model, "enter")
        XCTAssertEqual(effects, [.move(job: 1, request: PlacementRequest(devices: ["cl0"], layout: .single, precision: .fp32))])
        XCTAssertNil(model.overlay)
        XCTAssertEqual(model.jobs.map(\.title), ["Move to cl0 (fp32)"])
        XCTAssertEqual(model.lastPrediction, preview.rows)

        send(&model, .tick(now: 101), .jobProgress(job: 1, done: 500, total: 2_000, phase: "uploading to cl0"))
        XCTAssertEqual(model.jobs[0].fraction, 0.25)
        XCTAssertEqual(model.jobs[0].rowsPerSecond(now: 101), 500)
        XCTAssertEqual(model.jobs[0].secondsLeft(now: 101), 3)
    }

    func testPickerRefusesWhatDoesNotFitAndFP16MakesItFit() {
        var model = ExplorerFixture.model()
        press(&model, ":")
        type(&model, "move gpu1")
        XCTAssertEqual(press(&model, "enter"), [])
        guard case .picker(let picker)? = model.overlay else { return XCTFail("no picker") }
        XCTAssertEqual(picker.selected, ["cl1"], "aliases resolve to device names")
        XCTAssertEqual(press(&model, "enter"), [], "3 MiB cannot hold 2 MiB of vectors + a 1 MiB chunk + scratch")
        XCTAssertEqual(model.message?.severity, .error)
        XCTAssertTrue(model.message!.text.contains("cl1 needs"), model.message!.text)
        XCTAssertNotNil(model.overlay, "the picker stays open to choose again")

        press(&model, "p")
        let effects = press(&model, "enter")
        XCTAssertEqual(effects, [.move(job: 1, request: PlacementRequest(devices: ["cl1"], layout: .single, precision: .fp16))])
    }

    func testMoveCommandChoosesDevicesLayoutAndPrecision() {
        var model = ExplorerFixture.model()
        press(&model, ":")
        type(&model, "move cl0,cl1 replicate fp16")
        press(&model, "enter")
        guard case .picker(let picker)? = model.overlay else { return XCTFail("no picker") }
        XCTAssertEqual(picker.request, PlacementRequest(devices: ["cl0", "cl1"], layout: .replicate, precision: .fp16))
        // Space on the host unchooses the OpenCL devices: cpu is a placement of its own.
        press(&model, "up", "up", "space")
        guard case .picker(let hostPicker)? = model.overlay else { return XCTFail("no picker") }
        XCTAssertEqual(hostPicker.request, PlacementRequest(devices: ["cpu"], layout: .single, precision: .fp32))
        press(&model, "enter")
        XCTAssertNil(model.overlay)
        XCTAssertEqual(model.message, .info("The index is already there (fp32 on cpu)."))

        for (command, error) in [("move gpu7", "no device named 'gpu7'; devices: cpu, cl0/gpu0, cl1/gpu1"),
                                 ("move cpu,cl0", "cpu cannot be combined with OpenCL devices in one placement"),
                                 ("move cl0 fast", "unknown move option 'fast'; use shard, replicate, fp16 or fp32"),
                                 ("move cpu fp16", "fp16 is for OpenCL devices; the CPU keeps fp32")] {
            press(&model, ":")
            type(&model, command)
            XCTAssertEqual(press(&model, "enter"), [])
            XCTAssertEqual(model.message, .error(error), command)
            XCTAssertNil(model.overlay, command)
        }
    }

    func testAFinishedMoveUpdatesTheIndexAndSearchesAgain() {
        var model = ExplorerFixture.model()
        press(&model, "enter")
        let query = model.similar.queryID!
        press(&model, "m", "enter")
        var moved = model.index
        moved.placement = "fp32 on cl0"
        moved.shards = [IndexSummary.Shard(device: "cl0", rows: 0..<2_000, bytes: 2_000 * 1024)]
        let effects = send(&model, .tick(now: 100.5), .moved(job: 2, index: moved))
        XCTAssertEqual(effects, [.search(tag: 3, id: query, k: 10)])
        XCTAssertEqual(model.index, moved)
        XCTAssertTrue(model.movedSinceSave)
        XCTAssertEqual(model.jobs[0].status, .finished)
        XCTAssertEqual(model.message, .success("Moved the index: fp32 on cl0 in 0.50 s. Save it with s."))
        XCTAssertEqual(ExplorerUpdate.defaultPlacement(model).devices, ["cpu"], "from a device, m proposes the host")
    }

    func testFailedAndCancelledJobsReportAndChangeNothing() {
        var model = ExplorerFixture.model()
        press(&model, "m", "enter")
        send(&model, .jobFailed(job: 1, message: "cl0 ran out of memory"))
        XCTAssertEqual(model.jobs[0].status, .failed("cl0 ran out of memory"))
        XCTAssertEqual(model.message, .error("Move to cl0 (fp32) failed: cl0 ran out of memory"))
        XCTAssertEqual(model.index, ExplorerFixture.demo.summary)
        XCTAssertFalse(model.movedSinceSave)

        press(&model, "m", "enter")
        press(&model, "5")
        XCTAssertEqual(model.jobsTable.selected, 1)
        XCTAssertEqual(press(&model, "x"), [.cancel(job: 2)])
        XCTAssertEqual(model.jobs[1].status, .cancelling)
        XCTAssertEqual(press(&model, "x"), [], "cancelling twice asks nothing more")
        send(&model, .jobCancelled(job: 2))
        XCTAssertEqual(model.jobs[1].status, .cancelled)
        XCTAssertEqual(model.message?.severity, .warning)
    }

    func testOneJobAtATime() {
        var model = ExplorerFixture.model()
        press(&model, "m", "enter")
        XCTAssertEqual(press(&model, "m"), [])
        XCTAssertNil(model.overlay)
        XCTAssertEqual(model.message, .warning("Move to cl0 (fp32) is running; wait for it or cancel it in Jobs (x)."))
        XCTAssertEqual(press(&model, "s"), [])
        XCTAssertNil(model.overlay)
    }

    // MARK: - Saving

    func testSaveAsksTheRuntimeAndNeedsASecondEnterToOverwrite() {
        var model = ExplorerFixture.model()
        press(&model, "s")
        XCTAssertEqual(model.overlay, .save(SavePrompt(path: "demo/products.index")))
        XCTAssertEqual(press(&model, "enter"), [.checkSavePath("demo/products.index")])
        XCTAssertEqual(press(&model, "enter"), [], "no second check while the first is out")
        XCTAssertEqual(send(&model, .savePathChecked(path: "demo/products.index", exists: true)), [])
        guard case .save(let prompt)? = model.overlay else { return XCTFail("the prompt closed") }
        XCTAssertTrue(prompt.confirmingOverwrite)
        XCTAssertEqual(press(&model, "enter"), [.save(job: 1, path: "demo/products.index")])
        XCTAssertNil(model.overlay)
        XCTAssertEqual(model.jobs.map(\.title), ["Save to products.index"])
        send(&model, .saved(job: 1, path: "demo/products.index"))
        XCTAssertEqual(model.jobs[0].status, .finished)
        XCTAssertEqual(model.message?.severity, .success)
    }

    func testSavingToANewPathStartsAtOnceAndEditingResetsTheConfirmation() {
        var model = ExplorerFixture.model()
        press(&model, "s", "enter")
        send(&model, .savePathChecked(path: "demo/products.index", exists: true))
        press(&model, "ctrl-u")
        type(&model, "/tmp/new.index")
        guard case .save(let prompt)? = model.overlay else { return XCTFail("the prompt closed") }
        XCTAssertFalse(prompt.confirmingOverwrite)
        XCTAssertEqual(press(&model, "enter"), [.checkSavePath("/tmp/new.index")])
        XCTAssertEqual(send(&model, .savePathChecked(path: "/tmp/new.index", exists: false)),
                       [.save(job: 1, path: "/tmp/new.index")])
        // `:save PATH` checks straight away.
        send(&model, .saved(job: 1, path: "/tmp/new.index"))
        press(&model, ":")
        type(&model, "save /tmp/my products.index ")
        XCTAssertEqual(press(&model, "enter"), [.checkSavePath("/tmp/my products.index")])
        XCTAssertEqual(send(&model, .savePathChecked(path: "/tmp/my products.index", exists: false)),
                       [.save(job: 2, path: "/tmp/my products.index")])
    }

    // MARK: - Quitting

    func testQuitIsImmediateWhenNothingIsAtStake() {
        var model = ExplorerFixture.model()
        XCTAssertEqual(press(&model, "q"), [.quit])
        model = ExplorerFixture.model()
        XCTAssertEqual(press(&model, "ctrl-c"), [.quit])
        model = ExplorerFixture.model()
        press(&model, ":")
        type(&model, "q")
        XCTAssertEqual(press(&model, "enter"), [.quit])
    }

    func testQuitAsksWhileAJobRunsAndCancelsIt() {
        var model = ExplorerFixture.model()
        press(&model, "m", "enter")
        XCTAssertEqual(press(&model, "q"), [])
        XCTAssertEqual(model.overlay, .confirmQuit(reason: "Move to cl0 (fp32) is running; quitting cancels it."))
        XCTAssertEqual(press(&model, "n"), [])
        XCTAssertNil(model.overlay)
        press(&model, "q")
        XCTAssertEqual(press(&model, "y"), [.cancel(job: 1), .quit])
    }

    func testQuitAsksWhenAMovedIndexIsUnsaved() {
        var model = ExplorerFixture.model()
        press(&model, "m", "enter")
        var moved = model.index
        moved.shards = [IndexSummary.Shard(device: "cl0", rows: 0..<2_000, bytes: 2_000 * 1024)]
        send(&model, .moved(job: 1, index: moved))
        press(&model, "q")
        XCTAssertEqual(model.overlay, .confirmQuit(reason: "The index was moved (fp32 on cl0) and not saved."))
        XCTAssertEqual(press(&model, "ctrl-c"), [.quit], "a second Ctrl-C confirms")
        // After saving, q quits at once.
        model.overlay = nil
        send(&model, .saved(job: 1, path: "x.index"))
        XCTAssertEqual(press(&model, "q"), [.quit])
    }

    // MARK: - Commands, themes, sizes

    func testCommandLineThemeHelpAndMistakes() {
        var model = ExplorerFixture.model()
        press(&model, ":")
        type(&model, "theme light")
        XCTAssertEqual(press(&model, "enter"), [.setTheme("light")])
        send(&model, .themeChanged(name: "light"))
        XCTAssertEqual(model.themeName, "light")
        send(&model, .themeFailed(message: "unknown theme 'x'; available themes: dark, light, monochrome"))
        XCTAssertEqual(model.message?.severity, .error)

        press(&model, ":")
        type(&model, "frobnicate")
        press(&model, "enter")
        XCTAssertEqual(model.message, .error("unknown command 'frobnicate'; commands: \(ExplorerUpdate.commandSummary)"))

        press(&model, ":", "backspace")
        XCTAssertNil(model.commandLine, "Backspace on an empty command line closes it")
        press(&model, ":")
        type(&model, "help")
        press(&model, "enter")
        XCTAssertEqual(model.overlay, .help)
    }

    func testATooSmallTerminalOnlyQuits() {
        var model = ExplorerFixture.model(width: 60, height: 20)
        XCTAssertTrue(model.isTooSmall)
        XCTAssertEqual(press(&model, "/", "m", "?"), [])
        XCTAssertNil(model.overlay)
        XCTAssertFalse(model.products.isEditing)
        send(&model, .resize(Size(width: 80, height: 24)))
        XCTAssertFalse(model.isTooSmall)
        model.size = Size(width: 79, height: 30)
        XCTAssertEqual(press(&model, "q"), [.quit])
    }

    func testDeviceSamplesKeepTheSelectionInRange() {
        var model = ExplorerFixture.model()
        press(&model, "2", "end")
        XCTAssertEqual(model.devicesTable.selected, 2)
        send(&model, .devicesSampled(Array(ExplorerFixture.devices.prefix(2))))
        XCTAssertEqual(model.devicesTable.selected, 1)
        XCTAssertEqual(press(&model, "enter"), [])
        guard case .picker(let picker)? = model.overlay else { return XCTFail("Enter on a device opens the picker") }
        XCTAssertEqual(picker.selected, ["cl0"])
    }
}
