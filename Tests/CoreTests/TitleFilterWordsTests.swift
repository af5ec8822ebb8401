import XCTest
@testable import Core

/// The word dictionary behind typo searches: its words and postings, and that the titles it
/// proposes for a typo include every title the full scan finds one in.
final class TitleFilterWordsTests: XCTestCase {
    func testWordsAreRunsOfLettersAndDigitsListedOncePerTitle() {
        let filter = TitleFilter(titles: ["Web-server web", "the web server", "Café 2 ü", ""])
        let words = filter.words
        let byWord = Dictionary(uniqueKeysWithValues: (0..<words.count).map { id -> (String, [Int32]) in
            let bytes = filter.bytes[words.offsets[id]..<(words.offsets[id] + Int(words.lengths[id]))]
            return (String(decoding: bytes, as: UTF8.self),
                    Array(words.titles[words.postingStarts[id]..<words.postingStarts[id + 1]]))
        })
        XCTAssertEqual(byWord, ["web": [0, 1], "server": [0, 1], "the": [1], "cafe": [2], "2": [2], "u": [2]])
    }

    func testTypoCandidatesHoldEveryTitleTheScanFindsATypoIn() {
        // Small alphabets with separators and a non-ASCII letter: typo windows that cross
        // words, end inside them and begin after other characters, in many titles.
        var state: UInt64 = 5
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        let pieces = ["a", "b", "c", "d", " ", "-", ".", "ä", "1"]
        let titles = (0..<3000).map { _ in (0..<next(24)).map { _ in pieces[next(pieces.count)] }.joined() }
        let filter = TitleFilter(titles: titles)
        var proposed = 0, found = 0
        for _ in 0..<200 {
            let word = String((0..<(5 + next(5))).map { _ in Character(pieces[next(4)]) })
            let query = TitleFilter.PreparedQuery(word)
            filter.bytes.withUnsafeBufferPointer { buffer in
                query.withViews { views in
                    let base = buffer.baseAddress!
                    guard let bitmap = filter.words.typoCandidates(views[0], base: base, titleCount: filter.count) else {
                        return XCTFail("'\(word)' is letters with one edit allowed")
                    }
                    for title in 0..<filter.count {
                        let isCandidate = bitmap[title >> 6] & (1 << UInt64(title & 63)) != 0
                        proposed += isCandidate ? 1 : 0
                        let start = filter.starts[title], end = filter.starts[title + 1] - 1
                        guard TitleFilter.typoEnd(views[0], base: base, start: start, end: end) != nil else { continue }
                        found += 1
                        XCTAssertTrue(isCandidate, "'\(word)' has a typo match in '\(titles[title])'")
                    }
                }
            }
        }
        XCTAssertGreaterThan(found, 1000, "the random titles hold typo matches")
        XCTAssertLessThan(proposed, 200 * filter.count / 2, "the candidates are a fraction of the titles")
    }

    func testOnlyOneEditWordsOfLettersAndDigitsUseTheDictionary() {
        let filter = TitleFilter(titles: ["image", "web-server"])
        for (word, uses) in [("imgae", true), ("imgae2", true), ("web-servre", false), ("photographyy", false)] {
            let query = TitleFilter.PreparedQuery(word)
            let bitmap = filter.bytes.withUnsafeBufferPointer { buffer in
                query.withViews { filter.words.typoCandidates($0[0], base: buffer.baseAddress!, titleCount: filter.count) }
            }
            XCTAssertEqual(bitmap != nil, uses, word)
        }
    }
}
