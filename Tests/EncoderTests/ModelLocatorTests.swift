import Foundation
import XCTest
@testable import Encoder

/// Models are found where users keep them — folders, the Hugging Face hub cache,
/// sentence-transformers' cache, pip packages — laid out as those tools lay them out.
final class ModelLocatorTests: XCTestCase {
    private var root = ""

    override func setUpWithError() throws {
        root = NSTemporaryDirectory() + "vectui-locator-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: root) }

    /// A folder with a config.json, as a snapshot or package would hold.
    private func modelFolder(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        XCTAssertTrue(FileManager.default.createFile(atPath: path + "/config.json", contents: Data("{}".utf8)))
    }

    func testHubCacheSnapshotNamedByRefsMain() throws {
        let repository = root + "/hf/hub/models--intfloat--e5-base-v2"
        try modelFolder(repository + "/snapshots/1111")
        try modelFolder(repository + "/snapshots/2222")
        try FileManager.default.createDirectory(atPath: repository + "/refs", withIntermediateDirectories: true)
        try "1111\n".write(toFile: repository + "/refs/main", atomically: true, encoding: .utf8)
        let environment = ["HF_HOME": root + "/hf", "HOME": root]
        XCTAssertEqual(try ModelLocator.locate("intfloat/e5-base-v2", environment: environment), repository + "/snapshots/1111")
        XCTAssertEqual(try ModelLocator.locate("e5-base-v2", environment: environment), repository + "/snapshots/1111",
                       "a name without its organisation is matched against the cached repositories")
    }

    func testSentenceTransformersCacheAndPipPackages() throws {
        try modelFolder(root + "/st/sentence-transformers_all-mpnet-base-v2")
        let site = root + "/venv/lib/python3.11/site-packages"
        try modelFolder(site + "/gt_bge_small_en_v1_5/model")
        let environment = ["SENTENCE_TRANSFORMERS_HOME": root + "/st", "VIRTUAL_ENV": root + "/venv", "HOME": root]
        XCTAssertEqual(try ModelLocator.locate("sentence-transformers/all-mpnet-base-v2", environment: environment),
                       root + "/st/sentence-transformers_all-mpnet-base-v2")
        XCTAssertEqual(try ModelLocator.locate("BAAI/bge-small-en-v1.5", environment: environment), site + "/gt_bge_small_en_v1_5/model")
    }

    func testMissingModelsSayWhereTheyWereSought() throws {
        let environment = ["HF_HOME": root + "/hf", "HOME": root]
        XCTAssertThrowsError(try ModelLocator.locate("org/absent-model", environment: environment)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("model org/absent-model not found (never downloaded)"), message)
            XCTAssertTrue(message.contains(root + "/hf/hub"), message)
        }
        XCTAssertThrowsError(try ModelLocator.locate(root + "/nothing-here", environment: environment)) { error in
            XCTAssertEqual("\(error)", root + "/nothing-here: no such model folder")
        }
        XCTAssertThrowsError(try ModelLocator.locate(root, environment: environment)) { error in
            XCTAssertEqual("\(error)", root + "/config.json: missing (not a model folder)")
        }
    }
}
