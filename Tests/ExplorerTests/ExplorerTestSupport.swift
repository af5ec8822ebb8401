import Core
import Foundation
import TUI
import XCTest
@testable import Explorer

/// The demo (2,000 products, generated once into a temporary folder and reused) and models
/// over it, with fixed devices so that screens do not depend on the machine.
enum ExplorerFixture {
    /// Products in the test demo.
    static let productCount = 2_000

    /// Where the test demo lives.
    static let dataset = DemoDataset(folder: NSTemporaryDirectory() + "vectui-explorer-tests-demo")

    /// The demo's index and product list, generated on first use.
    // nonisolated(unsafe): indexes are not Sendable (they can grow); the tests only read these
    // two (search, reconstruct, convert from), and a static's first use is thread-safe.
    nonisolated(unsafe) static let demo: (index: any VectorIndex, catalog: ProductList, summary: IndexSummary) = {
        do {
            if !dataset.isReady(productCount: productCount) { try dataset.generate(productCount: productCount) }
            let index = try FaissIndexFile.read(path: dataset.indexPath)
            let catalog = try ProductCatalog(path: dataset.catalogPath, join: .idField("id"))
            // The summary is taken before any search builds the id lookup, and shows a fixed path.
            let summary = IndexSummary(index: index, path: "demo/products.index")
            return (index, ProductList(catalog: catalog), summary)
        } catch {
            fatalError("cannot make the test demo: \(error)")
        }
    }()

    /// A second copy of the demo's index, for tests that look vectors up by id: that builds
    /// the id map's lookup table, which would change the memory `demo.index` reports.
    static func freshIndex() throws -> any VectorIndex {
        _ = demo
        return try FaissIndexFile.read(path: dataset.indexPath)
    }

    /// The demo converted to IVF16,Flat (ids kept in the lists), with a summary at a fixed path.
    nonisolated(unsafe) static let ivf: (index: any VectorIndex, summary: IndexSummary) = {
        do {
            var options = IndexConversion.Options(factory: "IVF16,Flat")
            options.queryCount = 0
            let path = NSTemporaryDirectory() + "vectui-explorer-tests-demo/products.ivf16_flat.faiss"
            let (index, _) = try IndexConversion(options: options).run(source: demo.index, writingTo: path)
            return (index, IndexSummary(index: index, path: "demo/products.ivf16_flat.faiss"))
        } catch {
            fatalError("cannot convert the test demo: \(error)")
        }
    }()

    static let gib = 1 << 30
    static let mib = 1 << 20

    /// A 16 GiB host holding the memory-mapped index, an 8 GiB GPU and a 3 MiB one (too
    /// small for the fp32 index with its upload chunk and search scratch; fp16 fits).
    static var devices: [DeviceStatus] {
        [DeviceStatus(device: DeviceInfo(name: "cpu", aliases: [], displayName: "host CPU",
                                         memoryBytes: 16 * gib, maxAllocationBytes: 16 * gib),
                      indexBytes: demo.summary.bytes, scratchBytes: 0, otherBytes: 3 * gib, peakBytes: demo.summary.bytes),
         DeviceStatus(device: DeviceInfo(name: "cl0", aliases: ["gpu0"], displayName: "Test GPU",
                                         memoryBytes: 8 * gib, maxAllocationBytes: 2 * gib),
                      indexBytes: 0, scratchBytes: 0, otherBytes: 0, peakBytes: 0),
         DeviceStatus(device: DeviceInfo(name: "cl1", aliases: ["gpu1"], displayName: "Tiny GPU",
                                         memoryBytes: 3 * mib, maxAllocationBytes: 1 * mib),
                      indexBytes: 0, scratchBytes: 0, otherBytes: 0, peakBytes: 0)]
    }

    /// A model over the demo at `width` × `height`, as the launcher makes it.
    static func model(width: Int = 120, height: Int = 40, catalog: ProductList? = nil) -> ExplorerModel {
        var model = ExplorerModel(size: Size(width: width, height: height), charset: .unicode, themeName: "dark",
                                  catalog: catalog ?? demo.catalog, index: demo.summary, devices: devices, k: 10)
        model.now = 100
        return model
    }

    /// The matches the real filter finds for `query`.
    static func matches(_ query: String, in catalog: ProductList = demo.catalog) -> TitleFilter.Matches {
        try! catalog.filter.search(query)
    }

    /// The message the search job would send for `id`, with a fixed latency.
    static func searched(tag: Int, id: Int64, k: Int = 10) -> ExplorerMessage {
        let (neighbours, _) = try! ExplorerSession.neighbours(of: id, k: k, in: demo.index)
        return .searched(tag: tag, neighbours: neighbours, milliseconds: 1.25, ranOn: "cpu")
    }
}

/// Sends `messages` through `update`, collecting every effect.
@discardableResult
func send(_ model: inout ExplorerModel, _ messages: ExplorerMessage...) -> [ExplorerEffect] {
    messages.flatMap { ExplorerUpdate.update(&model, $0) }
}

/// Sends key presses (named as `Key(name:)` reads them) through `update`.
@discardableResult
func press(_ model: inout ExplorerModel, _ names: String...) -> [ExplorerEffect] {
    names.flatMap { name in ExplorerUpdate.update(&model, .key(Key(name: name)!)) }
}

/// Types `text` one character at a time.
@discardableResult
func type(_ model: inout ExplorerModel, _ text: String) -> [ExplorerEffect] {
    text.flatMap { ExplorerUpdate.update(&model, .key(.character($0))) }
}

/// Compares `buffer`'s text with the snapshot file `Snapshots/<name>.txt` next to the tests.
///
/// With VECTUI_RECORD_SNAPSHOTS=1 the file is written instead, and the test fails so that a
/// recording is never mistaken for a pass. A mismatch prints both screens.
func assertSnapshot(_ buffer: CellBuffer, named name: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertTrue(buffer.checkInvariants(), "wide glyphs broken in \(name)", file: file, line: line)
    let folder = URL(fileURLWithPath: "\(file)").deletingLastPathComponent().appendingPathComponent("Snapshots")
    let path = folder.appendingPathComponent("\(name).txt").path
    let screen = buffer.renderText().joined(separator: "\n") + "\n"
    if ProcessInfo.processInfo.environment["VECTUI_RECORD_SNAPSHOTS"] == "1" {
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try! screen.write(toFile: path, atomically: true, encoding: .utf8)
        XCTFail("recorded \(path); run again without VECTUI_RECORD_SNAPSHOTS to check it", file: file, line: line)
        return
    }
    guard let expected = try? String(contentsOfFile: path, encoding: .utf8) else {
        XCTFail("no snapshot \(path); record it with VECTUI_RECORD_SNAPSHOTS=1\n\(screen)", file: file, line: line)
        return
    }
    guard expected != screen else { return }
    let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
    let actualLines = screen.split(separator: "\n", omittingEmptySubsequences: false)
    let firstDifference = zip(expectedLines, actualLines).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        ?? min(expectedLines.count, actualLines.count)
    XCTFail("screen differs from \(name).txt from row \(firstDifference):\n--- expected\n\(expected)--- actual\n\(screen)",
            file: file, line: line)
}
