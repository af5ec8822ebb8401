import XCTest
@testable import Core

final class TitleFilterTests: XCTestCase {
    let titles = [
        "Stridex Running Shoes – Red, 42",      // 0
        "Crème Brûlée Torch Pro",               // 1
        "Forerunner Watch",                     // 2
        "Slumberly 酒红色橡木重力毯 King",          // 3
        "ＳＴＲＩＤＥＸ Trail Shoe",               // 4 (full-width letters)
        "Desk Lamp \"Nordlys\"",                // 5
        "Stridex 红色跑鞋",                       // 6
        "Cafe\u{301} Table Oak",                // 7 (decomposed é)
        "Shoehorn, Steel",                      // 8
    ]

    func search(_ query: String, in titles: [String]? = nil) throws -> TitleFilter.Matches {
        try TitleFilter(titles: titles ?? self.titles).search(query)
    }

    func testFoldingIgnoresCaseAccentsAndWidth() {
        XCTAssertEqual(TitleFilter.fold("Crème BRÛLÉE"), "creme brulee")
        XCTAssertEqual(TitleFilter.fold("ＳＴＲＩＤＥＸ"), "stridex")
        XCTAssertEqual(TitleFilter.fold("Cafe\u{301}"), "cafe")
        XCTAssertEqual(TitleFilter.fold("Straße"), "strasse")
        XCTAssertEqual(TitleFilter.fold("酒红色"), "酒红色")
        XCTAssertEqual(TitleFilter.fold("a\tb\u{0}c\u{3000}d"), "a b c d")
    }

    func testEmptyQueryMatchesEverythingInOrder() throws {
        let matches = try search("  ")
        XCTAssertEqual(matches.indices, Array(0..<titles.count))
        XCTAssertEqual(matches.wordPrefixCount, titles.count)
    }

    func testWordPrefixMatchesComeBeforeSubstringMatches() throws {
        // "shoe" starts a word in 0, 4 and 8; it is inside "horseshoe"-like text nowhere else.
        XCTAssertEqual(try search("shoe").indices, [0, 4, 8])
        // "run" starts a word in 0 ("Running") and sits inside "Forerunner" in 2.
        let run = try search("RUN")
        XCTAssertEqual(run.indices, [0, 2])
        XCTAssertEqual(run.wordPrefixCount, 1)
    }

    func testAccentAndCaseInsensitiveBothWays() throws {
        XCTAssertEqual(try search("creme brulee").indices, [1])
        XCTAssertEqual(try search("CRÈME").indices, [1])
        XCTAssertEqual(try search("café").indices, [7])
        XCTAssertEqual(try search("cafe").indices, [7])
        XCTAssertEqual(try search("stridex").indices, [0, 4, 6])
    }

    func testEveryWordMustMatch() throws {
        XCTAssertEqual(try search("stridex shoe").indices, [0, 4])
        XCTAssertEqual(try search("shoe stridex red").indices, [0])
        XCTAssertEqual(try search("stridex lamp").indices, [])
        // One word at a word start and one inside a word: a substring match.
        let mixed = try search("stridex unning")
        XCTAssertEqual(mixed.indices, [0])
        XCTAssertEqual(mixed.wordPrefixCount, 0)
    }

    func testChineseMatchesAsSubstring() throws {
        XCTAssertEqual(try search("红色").indices, [3, 6])
        XCTAssertEqual(try search("重力").indices, [3])
        XCTAssertEqual(try search("stridex 跑鞋").indices, [6])
        XCTAssertEqual(try search("红色 king").indices, [3])
    }

    func testPunctuationAndDigits() throws {
        XCTAssertEqual(try search("\"nordlys\"").indices, [5])
        XCTAssertEqual(try search("nordlys").indices, [5])
        XCTAssertEqual(try search("42").indices, [0])
        XCTAssertEqual(try search("2").indices, [0])
        XCTAssertEqual(try search("2").wordPrefixCount, 0)
    }

    func testMatchesNeverSpanTwoTitles() throws {
        XCTAssertEqual(try search("ab", in: ["xa", "bx"]).indices, [])
        XCTAssertEqual(try search("a", in: ["", "a", ""]).indices, [1])
    }

    func testManyChunksKeepTitleOrder() throws {
        let count = TitleFilter.chunkTitles * 3 + 17
        let many = (0..<count).map { $0 % 1000 == 0 ? "Lamp number \($0)" : "Widget \($0) floorlamp" }
        let matches = try search("lamp", in: many)
        let prefix = (0..<count).filter { $0 % 1000 == 0 }
        let substring = (0..<count).filter { $0 % 1000 != 0 }
        XCTAssertEqual(matches.wordPrefixCount, prefix.count)
        XCTAssertTrue(matches.indices == prefix + substring, "matches out of order")
    }

    func testAgreesWithANaiveSearchOnDenseRandomTitles() throws {
        // A small alphabet makes every byte common, so the 32-wide pair scan and the long-span
        // paths run, with multi-byte characters and word boundaries everywhere.
        let alphabet: [String] = ["a", "b", "c", "ab", " ", "-", "é", "中", "1", "E"]
        var state: UInt64 = 7
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        let titles = (0..<600).map { _ in (0..<next(90)).map { _ in alphabet[next(alphabet.count)] }.joined() }
        let filter = TitleFilter(titles: titles)
        let folded = titles.map { Array(TitleFilter.fold($0).utf8) }
        for _ in 0..<80 {
            let query = (0..<(1 + next(3))).map { _ in (0..<(1 + next(4))).map { _ in alphabet[next(8)] }.joined() }
                .joined(separator: " ")
            let words = TitleFilter.fold(query).utf8.split(separator: 0x20).map { Array($0) }
            var prefix: [Int] = [], substring: [Int] = []
            for (position, title) in folded.enumerated() {
                var all = true, allAtWordStart = true
                for word in words where all {
                    var any = false, atWordStart = false
                    title.withUnsafeBufferPointer { buffer in
                        for start in stride(from: 0, through: buffer.count - word.count, by: 1)
                        where memcmp(buffer.baseAddress! + start, word, word.count) == 0 {
                            any = true
                            let isStart = TitleFilter.isWordStart(buffer.baseAddress!, offset: start, titleStart: 0)
                            atWordStart = atWordStart || isStart
                        }
                    }
                    all = any
                    allAtWordStart = allAtWordStart && atWordStart
                }
                guard all else { continue }
                if allAtWordStart { prefix.append(position) } else { substring.append(position) }
            }
            let matches = try filter.search(query)
            if words.isEmpty { continue }
            XCTAssertEqual(matches.wordPrefixCount, prefix.count, "query '\(query)'")
            XCTAssertTrue(matches.indices == prefix + substring, "query '\(query)'")
        }
    }

    func testCancellationThrows() {
        let filter = TitleFilter(titles: titles)
        XCTAssertThrowsError(try filter.search("shoe", isCancelled: { true })) { error in
            XCTAssertTrue(error is CancellationError)
        }
    }
}
