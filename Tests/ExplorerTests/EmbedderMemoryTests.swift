import Encoder
import Foundation
import XCTest
@testable import Explorer

/// The text model remembered per index: written atomically, keyed by absolute path, and an
/// unusable file ignored with a notice.
final class EmbedderMemoryTests: XCTestCase {
    var folder = ""

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "vectui-memory-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: folder)
    }

    func testTheDefaultFileIsInTheConfigFolder() {
        XCTAssertEqual(EmbedderMemory(environment: ["XDG_CONFIG_HOME": "/x/config", "HOME": "/h"]).path,
                       "/x/config/vectui/embedders.json")
        XCTAssertEqual(EmbedderMemory(environment: ["HOME": "/h"]).path, "/h/.config/vectui/embedders.json")
        XCTAssertEqual(EmbedderMemory(environment: ["XDG_CONFIG_HOME": "", "HOME": "/h"]).path, "/h/.config/vectui/embedders.json")
    }

    func testRememberedPerIndexByAbsolutePath() throws {
        let memory = EmbedderMemory(path: folder + "/config/vectui/embedders.json")
        XCTAssertNil(try memory.choice(for: folder + "/a.index"), "no file yet: nothing remembered")
        let minilm = EmbedderChoice(model: "all-MiniLM-L6-v2", queryPrefix: "query: ")
        let server = EmbedderChoice(url: "http://localhost:8080/v1", serverModel: "e5-small")
        try memory.remember(minilm, for: folder + "/a.index")
        try memory.remember(server, for: folder + "/sub/../b.index")
        XCTAssertEqual(try memory.choice(for: folder + "/a.index"), minilm)
        XCTAssertEqual(try memory.choice(for: folder + "/b.index"), server, "the path is standardised")
        XCTAssertNil(try memory.choice(for: folder + "/c.index"))
        // A relative path is the same index as its absolute one (from the current folder).
        let current = FileManager.default.currentDirectoryPath
        XCTAssertEqual(EmbedderMemory.key(for: "./x/../a.index"), EmbedderMemory.key(for: current + "/a.index"))
        XCTAssertTrue(EmbedderMemory.key(for: "a.index").hasPrefix("/"))
        // Replacing one entry keeps the other; no temporary file is left beside it.
        try memory.remember(server, for: folder + "/a.index")
        XCTAssertEqual(try memory.choice(for: folder + "/a.index"), server)
        XCTAssertEqual(try memory.choice(for: folder + "/b.index"), server)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder + "/config/vectui"), ["embedders.json"])
    }

    func testACorruptFileIsIgnoredWithANoticeAndReplacedOnTheNextWrite() throws {
        let path = folder + "/embedders.json"
        let memory = EmbedderMemory(path: path)
        for (contents, reason) in [("{\"version\": 1, \"indexes\": {\"/a.index\": ", "not valid JSON"),
                                   ("[1, 2]", "not a vectui embedder file"),
                                   ("{\"version\": 9, \"indexes\": {}}", "version 9, expected 1"),
                                   ("{\"version\": 1, \"indexes\": {\"/a.index\": {\"model\": 7}}}", "unexpected value")] {
            try contents.write(toFile: path, atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try memory.choice(for: "/a.index")) { error in
                XCTAssertTrue("\(error)".hasPrefix(path + ": "), "\(error)")
                XCTAssertTrue("\(error)".contains(reason), "\(error)")
            }
            // The launcher opens without a model and says why.
            let options = ExplorerOptions(indexPath: "/a.index", catalogPath: nil, idField: nil, titleField: nil, theme: nil,
                                          k: 10, measure: false)
            let (choice, remember, notice) = ExplorerLauncher.embedderChoice(options, memory: memory)
            XCTAssertNil(choice)
            XCTAssertFalse(remember)
            XCTAssertEqual(notice?.severity, .warning)
            XCTAssertTrue(notice!.text.contains(path) && notice!.text.contains("ignored"), notice!.text)
        }
        let choice = EmbedderChoice(model: "all-MiniLM-L6-v2")
        try memory.remember(choice, for: "/a.index")
        XCTAssertEqual(try memory.choice(for: "/a.index"), choice)
    }

    func testTheLauncherPrefersTheCommandLineAndRemembersOnlyWhatTheUserChose() throws {
        let memory = EmbedderMemory(path: folder + "/embedders.json")
        let remembered = EmbedderChoice(model: "all-MiniLM-L6-v2")
        try memory.remember(remembered, for: folder + "/a.index")
        var options = ExplorerOptions(indexPath: folder + "/a.index", catalogPath: nil, idField: nil, titleField: nil, theme: nil,
                                      k: 10, measure: false)
        var result = ExplorerLauncher.embedderChoice(options, memory: memory)
        XCTAssertEqual(result.choice, remembered)
        XCTAssertFalse(result.remember, "a remembered choice is not written again")
        XCTAssertNil(result.notice)
        let given = EmbedderChoice(url: "http://localhost:8080/v1", serverModel: "e5")
        options.embedder = given
        result = ExplorerLauncher.embedderChoice(options, memory: memory)
        XCTAssertEqual(result.choice, given)
        XCTAssertTrue(result.remember)
        options.remembersEmbedder = false
        XCTAssertFalse(ExplorerLauncher.embedderChoice(options, memory: memory).remember)
        options = ExplorerOptions(indexPath: folder + "/other.index", catalogPath: nil, idField: nil, titleField: nil, theme: nil,
                                  k: 10, measure: false)
        XCTAssertNil(ExplorerLauncher.embedderChoice(options, memory: memory).choice)
    }

    func testAnUnwritableFolderIsAnErrorNotACrash() throws {
        let blocker = folder + "/file"
        try "x".write(toFile: blocker, atomically: true, encoding: .utf8)
        let memory = EmbedderMemory(path: blocker + "/vectui/embedders.json")
        XCTAssertThrowsError(try memory.remember(EmbedderChoice(model: "m"), for: "/a.index")) { error in
            XCTAssertTrue("\(error)".contains(blocker), "\(error)")
        }
    }
}
