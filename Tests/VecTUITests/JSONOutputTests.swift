import Core
import XCTest
@testable import VecTUI

final class JSONOutputTests: XCTestCase {
    func testSearchResultsUseNullForFAISSSentinels() {
        let result = SearchResult(queryCount: 2, k: 2, scores: [0.5, -Float.greatestFiniteMagnitude, 1e-7, -2.25],
                                  ids: [7, -1, 1 << 40, 3])
        XCTAssertEqual(searchResultJSON(result).text,
                       #"{"ids": [[7, -1], [1099511627776, 3]], "scores": [[0.5, null], [1e-07, -2.25]]}"#)
    }

    func testFloatsRoundTripExactly() {
        let value: Float = 0.1 + 0.2
        let text = JSONValue.float(value).text
        XCTAssertEqual(Float(text), value)
    }

    func testStringsAreEscaped() {
        let text = JSONValue.object([("t", .string("a\"b\\c\n\u{1}中"))]).text
        XCTAssertEqual(text, #"{"t": "a\"b\\c\n\u0001中"}"#)
    }
}
