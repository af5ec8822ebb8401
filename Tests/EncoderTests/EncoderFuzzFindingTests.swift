import Foundation
import XCTest
@testable import Encoder

/// Inputs the fuzzer found in the encoder's readers (fuzz/regressions/TARGET/), each read
/// here the way the reader must now treat it. scripts/fuzz also runs them first.
final class EncoderFuzzFindingTests: XCTestCase {
    private func regression(_ target: String, _ name: String) throws -> Data {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("fuzz/regressions/\(target)/\(name)")
        return try Data(contentsOf: url)
    }

    /// tokenizer.json's added_tokens with an id of 106,099,999,999,999: `Int32(id)` trapped.
    func testAddedTokenIDPastInt32IsAnError() throws {
        let folder = NSTemporaryDirectory() + "vectui-fuzz-finding-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try regression("tokenizer-json", "added-token-id-past-int32").write(to: URL(fileURLWithPath: folder + "/tokenizer.json"))
        XCTAssertThrowsError(try TokenizerLoader.load(folder: folder, json: JSONFiles(folder: folder), tokenizerConfig: [:],
                                                      maxLength: 32, lowercaseInput: false, vocabularySize: 1 << 20)) { error in
            XCTAssertEqual((error as? EmbeddingError)?.description,
                           "\(folder)/tokenizer.json: added_tokens id 106099999999999 ([CwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwLS]) is out of range")
        }
    }
}
