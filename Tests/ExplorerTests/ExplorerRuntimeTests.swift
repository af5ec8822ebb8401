import Core
import Foundation
import TUI
import XCTest
@testable import Explorer

/// A backend that plays a script: keys, and waits for text to appear on the screen it was
/// sent (the runtime keeps polling, so job results arrive in between). No sleeps.
final class ScriptedBackend: TerminalBackend {
    /// One step of the script.
    enum Step {
        case key(Key)
        case waitFor(String)
    }

    private let screen: TestBackend
    private var steps: [Step]
    private let deadline: Date
    /// The text waited for when the deadline passed, if it did.
    private(set) var timedOutWaitingFor: String?

    init(width: Int, height: Int, steps: [Step], timeout: TimeInterval = 20) {
        screen = TestBackend(width: width, height: height)
        self.steps = steps
        deadline = Date(timeIntervalSinceNow: timeout)
    }

    var size: Size { screen.size }
    var colorCount: Int { screen.colorCount }
    var charset: Charset { screen.charset }
    var theme: Theme {
        get { screen.theme }
        set { screen.theme = newValue }
    }
    var terminationSignal: Int32? { nil }
    /// The screen's rows as text.
    var text: [String] { screen.text }

    func draw(_ runs: [CellRun]) { screen.draw(runs) }
    func clear() { screen.clear() }
    func setCursor(_ position: Point?) { screen.setCursor(position) }
    func flush() { screen.flush() }
    func writeRaw(_ bytes: [UInt8]) { screen.writeRaw(bytes) }
    /// What the runtime wrote past the screen (OSC 52 sequences).
    var rawWrites: [[UInt8]] { screen.rawWrites }
    func shutdown() { screen.shutdown() }

    func readKey(timeoutMilliseconds: Int) -> Key? {
        while let step = steps.first {
            switch step {
            case let .key(key):
                steps.removeFirst()
                return key
            case let .waitFor(text):
                if screen.text.contains(where: { $0.contains(text) }) {
                    steps.removeFirst()
                    continue
                }
                guard Date() < deadline else {
                    timedOutWaitingFor = text
                    steps = [.key(.character("q"))]
                    continue
                }
                return nil
            }
        }
        return nil
    }
}

/// The real runtime and session over the test demo, driven by a scripted backend.
final class ExplorerRuntimeTests: XCTestCase {
    func testFilterSearchSaveAndQuitThroughTheRuntime() throws {
        let folder = NSTemporaryDirectory() + "vectui-runtime-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        _ = ExplorerFixture.demo  // generates the demo if needed
        let dataset = ExplorerFixture.dataset
        let lampCount = ExplorerFixture.matches("lamp").indices.count
        let savedPath = folder + "/saved.index"

        let options = ExplorerOptions(indexPath: dataset.indexPath, catalogPath: dataset.catalogPath, idField: nil,
                                      titleField: nil, theme: nil, k: 5, measure: true)
        let (session, message) = try ExplorerLauncher.openSession(options)
        XCTAssertNil(message, "the demo catalog has no bad lines")
        let steps: [ScriptedBackend.Step] = [
            .key(.character("/")), .key(.character("l")), .key(.character("a")), .key(.character("m")), .key(.character("p")),
            .waitFor("\(ViewFormat.count(lampCount)) of 2,000"), .key(.enter),
            .waitFor("ms on cpu"),
            .key(.character("s")), .key(.ctrl("u"))] + savedPath.map { .key(.character($0)) } + [
            .key(.enter), .waitFor("Saved"),
            .key(.character("q")),
        ]
        let backend = ScriptedBackend(width: 120, height: 40, steps: steps)
        var model = ExplorerModel(size: backend.size, charset: .unicode, themeName: "monochrome", catalog: session.catalog,
                                  index: IndexSummary(index: session.index, path: options.indexPath),
                                  devices: session.sampleDevices(), k: options.k!)
        model.message = .info("ready")
        let runtime = ExplorerRuntime(model: model, session: session, backend: backend, themeSearchPaths: [],
                                      measure: true)
        runtime.run()

        XCTAssertNil(backend.timedOutWaitingFor, "the screen never showed what the script waited for")
        XCTAssertEqual(runtime.model.similar.neighbours.count, 5)
        XCTAssertEqual(runtime.model.products.shownQuery, "lamp")
        XCTAssertEqual(runtime.model.jobs.map(\.status), [.finished])
        // Saved from a memory-mapped index: FAISS's bytes, the same as the file it came from.
        XCTAssertEqual(FileManager.default.contents(atPath: savedPath), FileManager.default.contents(atPath: dataset.indexPath))
        let measurements = try XCTUnwrap(runtime.measurements)
        XCTAssertEqual(measurements.queriesShown.count, 1)
        XCTAssertFalse(measurements.filtersShown.isEmpty)
        XCTAssertFalse(measurements.redraws.isEmpty)
    }

    func testConvertExploreAndTuneThroughTheRuntime() throws {
        let folder = NSTemporaryDirectory() + "vectui-runtime-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        _ = ExplorerFixture.demo
        let dataset = ExplorerFixture.dataset
        let convertedPath = folder + "/products.ivf.faiss"
        let options = ExplorerOptions(indexPath: dataset.indexPath, catalogPath: dataset.catalogPath, idField: nil,
                                      titleField: nil, theme: nil, k: 5, measure: false)
        let (session, _) = try ExplorerLauncher.openSession(options)
        func typed(_ text: String) -> [ScriptedBackend.Step] { text.map { .key(.character($0)) } }
        let steps: [ScriptedBackend.Step] = [.key(.character("c")), .waitFor("Convert the index"), .key(.ctrl("u"))]
            + typed("IVF16,Flat") + [.waitFor("Predicted memory of IndexIVFFlat"), .key(.tab), .key(.ctrl("u"))]
            + typed(convertedPath) + [.key(.enter), .waitFor("Converted to IVF16,Flat"), .waitFor("recall"), .key(.enter),
                                      .waitFor("Now exploring"), .key(.character(":"))]
            + typed("nprobe 16") + [.key(.enter), .waitFor("nprobe 16 of 16 lists"), .key(.character("q"))]
        let backend = ScriptedBackend(width: 120, height: 40, steps: steps, timeout: 60)
        let model = ExplorerModel(size: backend.size, charset: .unicode, themeName: "monochrome", catalog: session.catalog,
                                  index: IndexSummary(index: session.index, path: options.indexPath),
                                  devices: session.sampleDevices(), k: options.k!)
        let runtime = ExplorerRuntime(model: model, session: session, backend: backend, themeSearchPaths: [], measure: false)
        runtime.run()

        XCTAssertNil(backend.timedOutWaitingFor, "the screen never showed what the script waited for")
        XCTAssertEqual(runtime.model.jobs.map(\.status), [.finished])
        XCTAssertEqual(runtime.model.index.path, convertedPath)
        XCTAssertEqual(session.path, convertedPath)
        let ivf = try XCTUnwrap(session.index as? IVFIndex)
        XCTAssertEqual(session.searchParameters.nprobe, 16)
        XCTAssertEqual(ivf.nprobe, 1, ":tune changes the session's searches, not the index")
        XCTAssertEqual(ivf.count, ExplorerFixture.productCount)
        // The file on disk is the same index.
        let reread = try XCTUnwrap(try FaissIndexFile.read(path: convertedPath) as? IVFIndex)
        XCTAssertEqual(reread.nlist, 16)
        XCTAssertEqual(reread.count, ExplorerFixture.productCount)
    }
}
