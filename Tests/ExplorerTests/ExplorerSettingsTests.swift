import Core
import Encoder
import Foundation
import TUI
import XCTest
@testable import Explorer

/// config.toml: the TOML subset, the settings in it, malformed and hostile files, the order in
/// which the command line and the file apply, the recent list and its picker.
final class ExplorerSettingsTests: XCTestCase {
    private var folder = ""

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "vectui-settings-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: folder)
    }

    private func file(_ text: String) throws -> SettingsFile {
        let path = folder + "/vectui/config.toml"
        try FileManager.default.createDirectory(atPath: folder + "/vectui", withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return SettingsFile(path: path)
    }

    private let sample = ExplorerSettings(
        theme: "light", k: 25, columns: ["price", "brand \"b\""], mouse: false,
        recent: [RecentIndex(index: "/data/a b.index", catalog: "/data/ä.jsonl", idField: "sku", model: "all-MiniLM-L6-v2",
                             openedAt: "2026-12-02T05:06:07Z"),
                 RecentIndex(index: "/data/c\\d\t.index", embedURL: "http://127.0.0.1:8080/v1", embedModel: "bge-m3",
                             openedAt: "2026-12-01T00:00:00Z")])

    // MARK: - The TOML subset

    func testEveryValueOfTheSubsetReads() {
        let text = """
        # a comment
        theme = "dark\\t\\"x\\" \\\\ \\u00e9\\U0001F600"   # trailing comment
        k = +1_000
        neg = -3
        'quoted key' = 'C:\\raw\\path'
        on = true
        off = false
        empty = []
        list = [ "a", 'b' , "c,d", ]
        "" = ""

        [[recent]]
        index = "/x"
          [[recent]]  # indented
        index = "/y"
        """
        let document = TOMLDocument(parsing: text)
        XCTAssertEqual(document.problems, [])
        XCTAssertEqual(document.entries.map(\.key), ["theme", "k", "neg", "quoted key", "on", "off", "empty", "list", ""])
        XCTAssertEqual(document.entries.map(\.value), [
            .string("dark\t\"x\" \\ é😀"), .integer(1000), .integer(-3), .string("C:\\raw\\path"), .boolean(true), .boolean(false),
            .strings([]), .strings(["a", "b", "c,d"]), .string(""),
        ])
        XCTAssertEqual(document.entries.map(\.line), [2, 3, 4, 5, 6, 7, 8, 9, 10])
        XCTAssertEqual(document.tables.map(\.name), ["recent", "recent"])
        XCTAssertEqual(document.tables.map(\.line), [12, 14])
        XCTAssertEqual(document.tables[1].entries, [TOMLDocument.Entry(key: "index", value: .string("/y"), line: 15)])
    }

    func testLinesOutsideTheSubsetAreReportedByLineAndSkipped() {
        let lines = [
            "k = 5",                      // 1: fine
            "theme = \"unclosed",         // 2
            "a.b = 1",                    // 3
            "[table]",                    // 4
            "x = 1.5",                    // 5
            "y = 99999999999999999999",   // 6: overflows Int
            "z = 012",                    // 7: leading zero
            "s = \"\\q\"",                // 8: unknown escape
            "u = \"\\u12\"",              // 9: short \u
            "w = \"\\uD800\"",            // 10: a surrogate is not a scalar
            "v = [1, 2]",                 // 11
            "t = [\"a\"",                 // 12
            "k = 6",                      // 13: twice
            "= 3",                        // 14
            "m = \"\"\"",                 // 15
            "c = \"a\u{01}b\"",           // 16: raw control character
            "q = 1 2",                    // 17
            "[[recent]] x",               // 18
            "key",                        // 19
        ]
        let document = TOMLDocument(parsing: lines.joined(separator: "\n"))
        XCTAssertEqual(document.entries, [TOMLDocument.Entry(key: "k", value: .integer(5), line: 1)])
        XCTAssertEqual(document.problems.map(\.line), Array(2...19))
        XCTAssertEqual(document.problems.first { $0.line == 13 }?.message, "'k' is set twice")
        XCTAssertEqual(document.problems.first { $0.line == 3 }?.message, "dotted keys are not read here")
    }

    func testWritingQuotesAndEscapesSoTheTextReadsBack() {
        let awkward = "q\"b\\s\n\t\r\u{08}\u{0C}\u{01}\u{7F} é 😀"
        let line = TOMLDocument.line("key with space", .string(awkward))
        XCTAssertEqual(line, "\"key with space\" = \"q\\\"b\\\\s\\n\\t\\r\\b\\f\\u0001\\u007F é 😀\"")
        let document = TOMLDocument(parsing: line + "\n" + TOMLDocument.line("list", .strings(["a,\"", ""])))
        XCTAssertEqual(document.problems, [])
        XCTAssertEqual(document.entries.map(\.value), [.string(awkward), .strings(["a,\"", ""])])
    }

    // MARK: - Settings

    func testSettingsRoundTripThroughTheFileText() {
        let text = sample.tomlText()
        XCTAssertEqual(text, """
        # vectui explorer settings (vectui rewrites this file; comments other than this one are not kept).
        # Command-line options win over these.
        theme = "light"
        k = 25
        columns = ["price", "brand \\"b\\""]
        mouse = false

        [[recent]]
        index = "/data/a b.index"
        catalog = "/data/ä.jsonl"
        id_field = "sku"
        model = "all-MiniLM-L6-v2"
        opened_at = "2026-12-02T05:06:07Z"

        [[recent]]
        index = "/data/c\\\\d\\t.index"
        embed_url = "http://127.0.0.1:8080/v1"
        embed_model = "bge-m3"
        opened_at = "2026-12-01T00:00:00Z"

        """)
        XCTAssertEqual(ExplorerSettings(document: TOMLDocument(parsing: text)), sample)
        XCTAssertEqual(ExplorerSettings(document: TOMLDocument(parsing: ExplorerSettings().tomlText())), ExplorerSettings())
    }

    func testWrongTypesUnknownKeysAndRangesAreIgnoredWithTheirLine() throws {
        let settings = try file("""
        theme = 3
        k = 0
        columns = "price"
        mouse = "yes"
        colour = "red"
        k = 12
        [[recent]]
        catalog = "/c.jsonl"
        [[recent]]
        index = "/i.index"
        opened_at = 5
        shard = "x"
        [[other]]
        """)
        let loaded = settings.load()
        XCTAssertEqual(loaded.settings.k, nil, "the second k is a duplicate, the first out of range")
        XCTAssertNil(loaded.settings.theme)
        XCTAssertEqual(loaded.settings.recent.map(\.index), ["/i.index"])
        XCTAssertFalse(loaded.writable)
        let path = settings.path
        XCTAssertEqual(Set(loaded.warnings), Set([
            "\(path):6: 'k' is set twice; the line is ignored",
            "\(path):1: theme must be a non-empty string; the line is ignored",
            "\(path):2: k must be between 1 and 1000; the line is ignored",
            "\(path):3: columns must be an array of field names; the line is ignored",
            "\(path):4: mouse must be true or false; the line is ignored",
            "\(path):5: unknown setting 'colour' (known: theme, k, columns, mouse, [[recent]]); the line is ignored",
            "\(path):11: opened_at must be a string; the line is ignored",
            "\(path):12: unknown key 'shard' in [[recent]] (known: index, catalog, id_field, title_field, model, embed_url, "
                + "embed_model, opened_at); the line is ignored",
            "\(path):7: [[recent]] without an index path is ignored; the line is ignored",
            "\(path):13: unknown table [[other]] (known: [[recent]]); the line is ignored",
        ]))
        // A file with problems is never rewritten, so the typo stays for the user to fix.
        let before = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertEqual(settings.update { $0.k = 30 }, "\(path) has lines vectui cannot read; settings not saved (fix or remove it)")
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), before)
    }

    func testHostileFilesAreIgnoredNeverFatal() throws {
        let binary = folder + "/binary.toml"
        _ = FileManager.default.createFile(atPath: binary, contents: Data([0xFF, 0xFE, 0x00, 0x41]))
        XCTAssertEqual(SettingsFile(path: binary).load().warnings, ["\(binary): not UTF-8 text; ignored"])
        let huge = folder + "/huge.toml"
        _ = FileManager.default.createFile(atPath: huge, contents: Data(repeating: 0x23, count: SettingsFile.maximumBytes + 1))
        XCTAssertEqual(SettingsFile(path: huge).load().warnings, ["\(huge): 1.0 MiB is too big for a settings file; ignored"])
        let folderAsFile = SettingsFile(path: folder)
        XCTAssertFalse(folderAsFile.load().warnings.isEmpty)
        XCTAssertFalse(folderAsFile.load().writable)
        let missing = SettingsFile(path: folder + "/none/config.toml").load()
        XCTAssertEqual(missing.settings, ExplorerSettings())
        XCTAssertEqual(missing.warnings, [])
        XCTAssertTrue(missing.writable)
        // Every line at once, and a long one.
        let garbage = (0..<2000).map { "k\($0) = [\"" + String(repeating: "\\", count: $0 % 7) }.joined(separator: "\n")
        XCTAssertEqual(ExplorerSettings(document: TOMLDocument(parsing: garbage)).problems.count, 2000)
    }

    func testTheFileIsFoundInXDGConfigHomeThenHome() {
        XCTAssertEqual(SettingsFile(environment: ["XDG_CONFIG_HOME": "/x", "HOME": "/h"]).path, "/x/vectui/config.toml")
        XCTAssertEqual(SettingsFile(environment: ["XDG_CONFIG_HOME": "", "HOME": "/h"]).path, "/h/.config/vectui/config.toml")
    }

    func testTheRecentListIsMostRecentFirstWithoutRepeatsAndAtMostTwenty() {
        var settings = ExplorerSettings()
        for number in 0..<25 {
            settings = settings.recording(RecentIndex(index: "/i\(number)", openedAt: "t\(number)"))
        }
        settings = settings.recording(RecentIndex(index: "/i20", catalog: "/c", openedAt: "again"))
        XCTAssertEqual(settings.recent.count, ExplorerSettings.maximumRecent)
        XCTAssertEqual(settings.recent.prefix(3).map(\.index), ["/i20", "/i24", "/i23"])
        XCTAssertEqual(settings.recent.first?.catalog, "/c")
        XCTAssertEqual(settings.recent.filter { $0.index == "/i20" }.count, 1)
        XCTAssertEqual(settings.recent.last?.index, "/i5")
    }

    func testSaveWritesAtomicallyAndUpdateKeepsTheRest() throws {
        let settings = SettingsFile(path: folder + "/new/vectui/config.toml")
        try settings.save(sample)
        XCTAssertEqual(settings.load().settings, sample)
        XCTAssertNil(settings.update { $0.k = 40 })
        var expected = sample
        expected.k = 40
        XCTAssertEqual(settings.load().settings, expected)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder + "/new/vectui"), ["config.toml"])
    }

    // MARK: - Command line, then the file

    func testTheCommandLineWinsOverTheFile() throws {
        let themeFile = folder + "/mine.theme"
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        try FileManager.default.copyItem(atPath: repository.path + "/themes/light.theme", toPath: themeFile)
        let settings = ExplorerSettings(theme: "light", k: 30, columns: ["brand"])
        var given = ExplorerOptions(indexPath: "i", catalogPath: nil, idField: nil, titleField: nil, theme: nil, k: nil, measure: false)
        var (options, notices) = ExplorerLauncher.applying(settings, to: given, themeSearchPaths: [])
        XCTAssertEqual([options.theme, options.k.map(String.init)], ["light", "30"])
        XCTAssertEqual(options.columns, ["brand"])
        XCTAssertNil(options.mouse, "no mouse setting: the explorer's default (on)")
        XCTAssertEqual(notices, [])
        XCTAssertEqual(ExplorerLauncher.applying(ExplorerSettings(mouse: false), to: given, themeSearchPaths: []).0.mouse, false)
        var noMouse = given
        noMouse.mouse = false  // --no-mouse
        XCTAssertEqual(ExplorerLauncher.applying(ExplorerSettings(mouse: true), to: noMouse, themeSearchPaths: []).0.mouse, false)

        given.theme = "dark"
        given.k = 5
        (options, notices) = ExplorerLauncher.applying(settings, to: given, themeSearchPaths: [])
        XCTAssertEqual([options.theme, options.k.map(String.init)], ["dark", "5"])

        // A theme in the file that does not load is a notice, not an error.
        given.theme = nil
        (options, notices) = ExplorerLauncher.applying(ExplorerSettings(theme: "nosuch"), to: given, themeSearchPaths: [])
        XCTAssertNil(options.theme)
        XCTAssertEqual(notices.count, 1)
        XCTAssertTrue(notices[0].contains("theme") && notices[0].contains("the default theme is used"), notices[0])
        (options, notices) = ExplorerLauncher.applying(ExplorerSettings(theme: themeFile), to: given, themeSearchPaths: [])
        XCTAssertEqual(options.theme, themeFile)
        XCTAssertEqual(notices, [])
    }

    func testChangesMadeInTheExplorerAreKeptAndCommandLineOnesAreNot() throws {
        let settings = SettingsFile(path: folder + "/keep/config.toml")
        XCTAssertNil(ExplorerLauncher.keepChanges(in: settings, chosenTheme: nil, openedWithK: 5, finalK: 5))
        XCTAssertFalse(FileManager.default.fileExists(atPath: settings.path), "nothing changed: nothing written")
        XCTAssertNil(ExplorerLauncher.keepChanges(in: settings, chosenTheme: nil, openedWithK: 5, finalK: 12))
        XCTAssertEqual(settings.load().settings, ExplorerSettings(k: 12))
        XCTAssertNil(ExplorerLauncher.keepChanges(in: settings, chosenTheme: "light", openedWithK: 12, finalK: 12))
        XCTAssertEqual(settings.load().settings, ExplorerSettings(theme: "light", k: 12))
        XCTAssertNil(ExplorerLauncher.keepChanges(in: settings, chosenTheme: "themes/x.theme", openedWithK: 12, finalK: 12))
        XCTAssertEqual(settings.load().settings.theme, EmbedderMemory.key(for: "themes/x.theme"))
        // Fields chosen with :columns are kept; the same columns as opened with write nothing.
        XCTAssertNil(ExplorerLauncher.keepChanges(in: settings, chosenTheme: nil, openedWithK: 12, finalK: 12,
                                                  openedWithColumns: nil, finalColumns: ["section", "price"]))
        XCTAssertEqual(settings.load().settings.columns, ["section", "price"])
        let before = try String(contentsOfFile: settings.path, encoding: .utf8)
        XCTAssertNil(ExplorerLauncher.keepChanges(in: settings, chosenTheme: nil, openedWithK: 12, finalK: 12,
                                                  openedWithColumns: ["a"], finalColumns: ["a"]))
        XCTAssertEqual(try String(contentsOfFile: settings.path, encoding: .utf8), before)
    }

    func testConfiguredColumnsChooseAndOrderTheShownFields() throws {
        let catalog = try ProductCatalog(path: ExplorerFixture.dataset.catalogPath, join: .idField("id"))
        XCTAssertEqual(ProductList(catalog: catalog).keyFields.prefix(4), ["price", "rating", "brand", "category"])
        XCTAssertEqual(ProductList(catalog: catalog, columns: ["brand", "nosuch", "price"]).keyFields, ["brand", "price"])
        XCTAssertEqual(ProductList(catalog: catalog, columns: []).keyFields, [])
    }

    func testTheRecentEntryRecordsAbsolutePathsAndTheModel() {
        let options = ExplorerOptions(indexPath: "data/../x.index", catalogPath: "c.jsonl", idField: "sku", titleField: nil,
                                      theme: nil, k: nil, measure: false)
        let entry = ExplorerLauncher.recentEntry(options, choice: EmbedderChoice(model: "all-MiniLM-L6-v2"),
                                                 now: Date(timeIntervalSince1970: 1_800_000_000))
        XCTAssertEqual(entry, RecentIndex(index: EmbedderMemory.key(for: "x.index"), catalog: EmbedderMemory.key(for: "c.jsonl"),
                                          idField: "sku", model: "all-MiniLM-L6-v2", openedAt: "2027-01-15T08:00:00Z"))
        XCTAssertTrue(entry.index.hasPrefix("/"))
    }

    func testReopeningARecentIndexUsesItsCatalogAndModelUnlessGiven() throws {
        let memory = EmbedderMemory(path: folder + "/embedders.json")
        let entry = RecentIndex(index: "/r.index", catalog: "/r.jsonl", idField: "sku", model: "m1", openedAt: "t")
        let plain = ExplorerOptions(indexPath: "", catalogPath: nil, idField: nil, titleField: nil, theme: nil, k: nil, measure: false)
        let reopened = plain.reopening(entry, memory: memory)
        XCTAssertEqual([reopened.indexPath, reopened.catalogPath, reopened.idField], ["/r.index", "/r.jsonl", "sku"])
        XCTAssertEqual(reopened.embedder, EmbedderChoice(model: "m1"))
        XCTAssertFalse(reopened.remembersEmbedder, "the recent entry's model is not written to the memory")

        var given = plain
        given.catalogPath = "/other.csv"
        given.embedder = EmbedderChoice(model: "m2")
        let overridden = given.reopening(entry, memory: memory)
        XCTAssertEqual([overridden.catalogPath, overridden.idField], ["/other.csv", nil])
        XCTAssertEqual(overridden.embedder, EmbedderChoice(model: "m2"))
        XCTAssertTrue(overridden.remembersEmbedder)

        // The remembered choice (with its query prefix) wins over the entry's bare model name.
        try memory.remember(EmbedderChoice(model: "m1", queryPrefix: "query: "), for: "/r.index")
        XCTAssertNil(plain.reopening(entry, memory: memory).embedder)
    }

    // MARK: - The picker

    func testThePickerOpensTheChosenIndexAndRefusesAMissingOne() throws {
        let present = folder + "/present.index"
        _ = FileManager.default.createFile(atPath: present, contents: Data())
        let entries = [RecentIndex(index: folder + "/gone.index", openedAt: "2026-12-01T00:00:00Z"),
                       RecentIndex(index: present, catalog: "/c.jsonl", model: "all-MiniLM-L6-v2", openedAt: "2026-12-02T05:06:07Z")]
        let refused = TestBackend(width: 160, height: 12, keys: [.enter, .escape])
        XCTAssertNil(RecentPicker.run(entries, backend: refused))
        let screen = refused.text.joined(separator: "\n")
        XCTAssertTrue(screen.contains("Recent indexes"), screen)
        XCTAssertTrue(screen.contains("gone.index (gone)"), screen)
        XCTAssertTrue(screen.contains("/c.jsonl") && screen.contains("all-MiniLM-L6-v2") && screen.contains("2026-12-02 05:06:07"), screen)
        XCTAssertTrue(screen.contains("is gone; choose another index."), screen)

        let chosen = TestBackend(width: 100, height: 12, keys: [.down, .enter])
        XCTAssertEqual(RecentPicker.run(entries, backend: chosen), entries[1])
        XCTAssertNil(RecentPicker.run(entries, backend: TestBackend(keys: [.character("q")])))
    }
}
