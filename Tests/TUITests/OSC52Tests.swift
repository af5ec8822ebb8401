import Foundation
import XCTest
@testable import TUI

final class OSC52Tests: XCTestCase {
    func testBase64MatchesRFC4648Vectors() {
        let vectors = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=",
                       "foobar": "Zm9vYmFy"]
        for (plain, encoded) in vectors {
            XCTAssertEqual(String(decoding: OSC52.base64(Array(plain.utf8)), as: UTF8.self), encoded, plain)
        }
    }

    func testBase64MatchesFoundationOnEveryByteValueAndLength() {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            XCTAssertEqual(String(decoding: OSC52.base64(bytes), as: UTF8.self), Data(bytes).base64EncodedString(), "\(bytes)")
        }
        let all = Array(0...255).map(UInt8.init)
        XCTAssertEqual(String(decoding: OSC52.base64(all), as: UTF8.self), Data(all).base64EncodedString())
    }

    func testSequenceBytes() {
        // ESC ] 5 2 ; c ; base64("1234567890123456789") BEL
        let expected: [UInt8] = [0x1B, 0x5D, 0x35, 0x32, 0x3B, 0x63, 0x3B] + Array("MTIzNDU2Nzg5MDEyMzQ1Njc4OQ==".utf8) + [0x07]
        XCTAssertEqual(OSC52.sequence(copying: "1234567890123456789"), expected)
        // UTF-8 text: "é" is C3 A9.
        XCTAssertEqual(Array(OSC52.sequence(copying: "é").dropFirst(7).dropLast()), Array("w6k=".utf8))
    }

    func testTheLargestTextFitsAndOneMoreGroupDoesNot() {
        let fits = String(repeating: "x", count: OSC52.maximumTextBytes)
        XCTAssertLessThanOrEqual(OSC52.sequence(copying: fits).count, OSC52.maximumSequenceBytes)
        XCTAssertGreaterThan(OSC52.sequence(copying: fits + "x").count, OSC52.maximumSequenceBytes)
    }

    func testTestBackendRecordsRawWritesInOrder() {
        let backend = TestBackend()
        backend.writeRaw([1, 2])
        backend.writeRaw(OSC52.sequence(copying: "a"))
        XCTAssertEqual(backend.rawWrites, [[1, 2], [0x1B, 0x5D, 0x35, 0x32, 0x3B, 0x63, 0x3B, 0x59, 0x51, 0x3D, 0x3D, 0x07]])
    }
}
