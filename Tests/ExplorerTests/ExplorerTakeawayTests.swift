import Core
import Foundation
import TUI
import XCTest
@testable import Explorer

/// `y`/`Y` (OSC 52) and `:export`: the bytes of TSV, CSV and JSONL, the effects, the file
/// written, and the sequence that reaches the terminal through the runtime.
final class ExplorerTakeawayTests: XCTestCase {
    private var catalog: ProductList { ExplorerFixture.demo.catalog }

    /// Values that need quoting or escaping, a 19-digit id, a negative score and non-ASCII text.
    private let awkward = ResultsTable(
        queryID: 1234567890123456789, queryText: nil, fields: ["price", "note"],
        rows: [ResultsTable.Row(rank: 1, id: 9223372036854775807, score: 0.875, title: "Lamp, \"big\"", values: ["19.99", "a\tb"]),
               ResultsTable.Row(rank: 2, id: 42, score: -1.5, title: "two\nlines", values: ["", "café \u{01}"])])

    func testTSVBytes() {
        XCTAssertEqual(awkward.tsv(), "rank\tid\tscore\ttitle\tprice\tnote\n"
                       + "1\t9223372036854775807\t0.875\tLamp, \"big\"\t19.99\ta b\n"
                       + "2\t42\t-1.5\ttwo lines\t\tcafé \u{01}\n")
    }

    func testCSVBytesFollowRFC4180() {
        XCTAssertEqual(awkward.csv(), "rank,id,score,title,price,note,query_id,query_text\r\n"
                       + "1,9223372036854775807,0.875,\"Lamp, \"\"big\"\"\",19.99,a\tb,1234567890123456789,\r\n"
                       + "2,42,-1.5,\"two\nlines\",,café \u{01},1234567890123456789,\r\n")
        var asked = awkward
        asked.queryID = nil
        asked.queryText = "warm, \"soft\" blanket"
        XCTAssertTrue(asked.csv().hasSuffix(",,\"warm, \"\"soft\"\" blanket\"\r\n"), asked.csv())
    }

    func testJSONLBytesAndTheyReadBackWithWholeIds() throws {
        let text = awkward.jsonl()
        XCTAssertEqual(text, "{\"rank\": 1, \"id\": 9223372036854775807, \"score\": 0.875, \"title\": \"Lamp, \\\"big\\\"\", "
                       + "\"fields\": {\"price\": \"19.99\", \"note\": \"a\\tb\"}, \"query_id\": 1234567890123456789, \"query_text\": null}\n"
                       + "{\"rank\": 2, \"id\": 42, \"score\": -1.5, \"title\": \"two\\nlines\", "
                       + "\"fields\": {\"price\": \"\", \"note\": \"café \\u0001\"}, \"query_id\": 1234567890123456789, \"query_text\": null}\n")
        let lines = text.split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        let first = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        XCTAssertEqual((first["id"] as? NSNumber)?.int64Value, 9223372036854775807)
        XCTAssertEqual((first["query_id"] as? NSNumber)?.int64Value, 1234567890123456789)
        XCTAssertEqual(first["fields"] as? [String: String], ["price": "19.99", "note": "a\tb"])
        let second = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any])
        XCTAssertEqual(second["title"] as? String, "two\nlines")
        XCTAssertEqual((second["fields"] as? [String: String])?["note"], "café \u{01}")
        var nan = awkward
        nan.rows[0].score = .nan
        XCTAssertTrue(nan.jsonl().contains("\"score\": null"))
    }

    func testTheTableHoldsEveryCatalogFieldOfTheShownResults() {
        var model = ExplorerFixture.model()
        let query = catalog.id(at: 0)
        press(&model, "enter")
        send(&model, ExplorerFixture.searched(tag: 1, id: query))
        let table = ResultsTable(similar: model.similar, catalog: catalog)
        XCTAssertEqual(table.queryID, query)
        XCTAssertNil(table.queryText)
        XCTAssertEqual(table.fields, catalog.catalog!.columns)
        XCTAssertEqual(table.rows.map(\.id), model.similar.neighbours.map(\.id))
        XCTAssertEqual(table.rows.map(\.rank), Array(1...10))
        let product = catalog.catalog!.product(id: table.rows[3].id)!
        XCTAssertEqual(table.rows[3].title, product.title)
        XCTAssertEqual(table.rows[3].values, table.fields.map { product.fields[$0] ?? "" })
        XCTAssertEqual(table.tsv().split(separator: "\n").first.map(String.init),
                       (["rank", "id", "score", "title"] + catalog.catalog!.columns).joined(separator: "\t"))
    }

    // MARK: - Keys

    func testYCopiesTheSelectedIdInProductsAndSimilar() {
        var model = ExplorerFixture.model()
        press(&model, "j", "j")
        let product = catalog.id(at: 2)
        XCTAssertEqual(press(&model, "y"), [.copyToClipboard(String(product))])
        XCTAssertEqual(model.message, .success("Copied id \(product)"))

        press(&model, "enter")
        send(&model, ExplorerFixture.searched(tag: 1, id: product))
        press(&model, "4", "j")
        let neighbour = model.similar.neighbours[1].id
        XCTAssertEqual(press(&model, "y"), [.copyToClipboard(String(neighbour))])
        XCTAssertEqual(model.message, .success("Copied id \(neighbour)"))

        press(&model, "1")
        XCTAssertEqual(press(&model, "y"), [])
        XCTAssertEqual(model.message?.severity, .warning)
    }

    func testShiftYCopiesTheResultsAsTSVWithTheirSize() {
        var model = ExplorerFixture.model()
        XCTAssertEqual(press(&model, "Y"), [])
        XCTAssertEqual(model.message?.severity, .warning, "nothing to copy before a search")
        press(&model, "enter")
        send(&model, ExplorerFixture.searched(tag: 1, id: catalog.id(at: 0)))
        let tsv = ResultsTable(similar: model.similar, catalog: catalog).tsv()
        XCTAssertEqual(press(&model, "Y"), [.copyToClipboard(tsv)])
        XCTAssertEqual(model.message, .success("Copied 10 results as TSV (\(ByteSize.format(tsv.utf8.count)))"))
    }

    func testResultsTooLongForOSC52AreNotCopiedAndExportIsOffered() throws {
        let folder = NSTemporaryDirectory() + "vectui-takeaway-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/long.jsonl"
        let title = String(repeating: "very long title ", count: 40)
        let lines = (0..<200).map { "{\"id\": \($0), \"title\": \"\(title)\($0)\"}" }
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let long = ProductList(catalog: try ProductCatalog(path: path, join: .idField("id")))
        var model = ExplorerFixture.model(catalog: long)
        model.similar.queryID = 0
        send(&model, .searched(tag: 0, neighbours: (1..<200).map { SimilarState.Neighbour(id: Int64($0), score: 1, rank: $0) },
                               milliseconds: 1, ranOn: "cpu"))
        XCTAssertGreaterThan(ResultsTable(similar: model.similar, catalog: long).tsv().utf8.count, OSC52.maximumTextBytes)
        XCTAssertEqual(press(&model, "Y"), [])
        XCTAssertEqual(model.message?.severity, .error)
        XCTAssertTrue(model.message!.text.contains("199 results") && model.message!.text.contains(":export FILE.tsv"),
                      model.message!.text)
    }

    func testExportCommandNamesTheFormatByExtension() {
        var model = ExplorerFixture.model()
        press(&model, ":")
        type(&model, "export out.csv")
        XCTAssertEqual(press(&model, "enter"), [])
        XCTAssertEqual(model.message?.severity, .warning, "nothing to export before a search")

        press(&model, "enter")
        send(&model, ExplorerFixture.searched(tag: 1, id: catalog.id(at: 0)))
        let table = ResultsTable(similar: model.similar, catalog: catalog)
        for (line, contents, overwrite) in [("export out.csv", table.csv(), false), ("export! my results.JSONL", table.jsonl(), true),
                                            ("export ~/r.tsv", table.tsv(), false)] {
            press(&model, ":")
            type(&model, line)
            let path = String(line.split(separator: " ", maxSplits: 1)[1])
            XCTAssertEqual(press(&model, "enter"), [.export(path: path, contents: contents, rows: 10, overwrite: overwrite)], line)
        }
        press(&model, ":")
        type(&model, "export out.xlsx")
        XCTAssertEqual(press(&model, "enter"), [])
        XCTAssertEqual(model.message, .error("out.xlsx: :export writes .csv, .jsonl or .tsv files (by the extension)"))

        send(&model, .exported(path: "out.csv", rows: 10, bytes: 2048))
        XCTAssertEqual(model.message, .success("Exported 10 results to out.csv (2.0 KiB)"))
        send(&model, .exportFailed(message: "out.csv exists; :export! out.csv overwrites it"))
        XCTAssertEqual(model.message, .error("out.csv exists; :export! out.csv overwrites it"))
    }

    // MARK: - The session's write

    func testExportWritesAtomicallyAndAnExistingFileNeedsTheBang() throws {
        let folder = NSTemporaryDirectory() + "vectui-takeaway-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/results.csv"
        let csv = awkward.csv()

        guard case let .exported(shown, rows, bytes) = ExplorerSession.export(csv, rows: 2, to: path, shownAs: "results.csv",
                                                                              overwrite: false) else {
            return XCTFail("the first export is written")
        }
        XCTAssertEqual([shown, String(rows), String(bytes)], ["results.csv", "2", String(csv.utf8.count)])
        XCTAssertEqual(FileManager.default.contents(atPath: path), Data(csv.utf8))

        guard case let .exportFailed(message) = ExplorerSession.export("other", rows: 1, to: path, shownAs: "results.csv",
                                                                       overwrite: false) else {
            return XCTFail("an existing file is kept")
        }
        XCTAssertEqual(message, "results.csv exists; :export! results.csv overwrites it")
        XCTAssertEqual(FileManager.default.contents(atPath: path), Data(csv.utf8))

        guard case .exported = ExplorerSession.export("other\n", rows: 1, to: path, shownAs: "results.csv", overwrite: true) else {
            return XCTFail(":export! overwrites")
        }
        XCTAssertEqual(FileManager.default.contents(atPath: path), Data("other\n".utf8))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["results.csv"], "no temporary file left")

        let missing = folder + "/no/such/folder/results.csv"
        guard case let .exportFailed(failure) = ExplorerSession.export(csv, rows: 2, to: missing, shownAs: missing,
                                                                       overwrite: false) else {
            return XCTFail("a missing folder fails")
        }
        XCTAssertTrue(failure.contains(missing), failure)
        guard case let .exportFailed(onFolder) = ExplorerSession.export(csv, rows: 2, to: folder, shownAs: folder,
                                                                        overwrite: true) else {
            return XCTFail("a folder is not overwritten")
        }
        XCTAssertEqual(onFolder, "\(folder) is a folder; :export needs a file name")
    }

    // MARK: - Through the runtime

    func testCopiesReachTheTerminalAsOSC52AfterTheFrame() throws {
        _ = ExplorerFixture.demo
        let dataset = ExplorerFixture.dataset
        let options = ExplorerOptions(indexPath: dataset.indexPath, catalogPath: dataset.catalogPath, idField: nil,
                                      titleField: nil, theme: nil, k: 5, measure: false)
        let (session, _) = try ExplorerLauncher.openSession(options)
        let first = session.catalog.id(at: 0)
        let steps: [ScriptedBackend.Step] = [
            .key(.character("y")), .waitFor("Copied id \(first)"),
            .key(.enter), .waitFor("ms on cpu"), .key(.character("4")), .key(.character("Y")),
            .waitFor("Copied 5 results as TSV"), .key(.character("q")),
        ]
        let backend = ScriptedBackend(width: 120, height: 40, steps: steps)
        let model = ExplorerModel(size: backend.size, charset: .unicode, themeName: "monochrome", catalog: session.catalog,
                                  index: IndexSummary(index: session.index, path: options.indexPath),
                                  devices: session.sampleDevices(), k: options.k!)
        let runtime = ExplorerRuntime(model: model, session: session, backend: backend, themeSearchPaths: [], measure: false)
        runtime.run()

        XCTAssertNil(backend.timedOutWaitingFor, "the screen never showed what the script waited for")
        let tsv = ResultsTable(similar: runtime.model.similar, catalog: session.catalog).tsv()
        XCTAssertEqual(backend.rawWrites, [OSC52.sequence(copying: String(first)), OSC52.sequence(copying: tsv)])
        XCTAssertEqual(Array(backend.rawWrites[0].prefix(7)), [0x1B, 0x5D, 0x35, 0x32, 0x3B, 0x63, 0x3B])
        XCTAssertEqual(backend.rawWrites[0].last, 0x07)
        let payload = Data(base64Encoded: Data(backend.rawWrites[1].dropFirst(7).dropLast()))
        XCTAssertEqual(payload, Data(tsv.utf8))
    }
}
