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

    /// The highlighted parts of title `position`, as strings.
    func highlighted(_ query: String, _ position: Int, in titles: [String]) -> [String] {
        TitleFilter(titles: titles).highlights(query, at: position).map { String(titles[position][$0]) }
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
        XCTAssertEqual(matches.count(atLeast: .wordStart), titles.count)
    }

    // MARK: - Tiers

    func testTiersComeInOrderExactPrefixWordStartSubstringThenApproximate() throws {
        let titles = ["floorlamp", "desk lamp", "lxaxmxp", "lamp shade", "lamp", "cord"]
        let matches = try search("lamp", in: titles)
        // exact, prefix, word start, substring, subsequence (letters in order from a word start).
        XCTAssertEqual(matches.indices, [4, 3, 1, 0, 2])
        XCTAssertTrue(matches.includesApproximate)
        XCTAssertEqual(matches.tierCounts[TitleFilter.Tier.exact.rawValue], 1)
        XCTAssertEqual(matches.count(atLeast: .prefix), 2)
        XCTAssertEqual(matches.count(atLeast: .wordStart), 3)
        XCTAssertEqual(matches.count(atLeast: .substring), 4)
        XCTAssertEqual(matches.count(atLeast: .subsequence), 5)
    }

    func testExactLeadingNameBeforeSeparatorComesFirst() throws {
        let titles = ["nginx-common — shared files", "libnginx-mod-echo — echo module for Nginx",
                      "elpa-nginx-mode — Emacs mode", "nginx — small, powerful, scalable web/proxy server"]
        // The name before " — " is exact; a prefix next; then word starts, inside the name first.
        XCTAssertEqual(try search("nginx", in: titles).indices, [3, 0, 2, 1])
        for separator in [" - ", ": ", " | ", " – "] {
            let titles = ["vimix\(separator)mixer", "vim\(separator)editor"]
            XCTAssertEqual(try search("VIM", in: titles).indices, [1, 0], "separator '\(separator)'")
        }
        XCTAssertEqual(try search("desk lamp", in: ["Desk Lamp Pro", "Desk Lamp"]).indices, [1, 0])
    }

    func testNamesGivenAtInitCountAsExact() throws {
        let titles = ["Small, scalable web server", "A nginx helper"]
        let named = TitleFilter(titles: titles, names: ["nginx", "nginx-helper"])
        // The query is the first title's given name, though the title does not hold it.
        XCTAssertEqual(try named.search("nginx").indices, [0, 1])
        XCTAssertEqual(named.highlights("nginx", at: 0), [])
        let both = TitleFilter(titles: ["nginx tools", "nginx"], names: ["tools", "web"])
        XCTAssertEqual(try both.search("tools").indices, [0])
        XCTAssertEqual(try both.search("tools").tierCounts[TitleFilter.Tier.exact.rawValue], 1)
        XCTAssertEqual(try TitleFilter(titles: ["web nginx", "nginx web"], names: ["nginx", "x"]).search("nginx").indices,
                       [0, 1], "the given name makes the word-start match exact")
    }

    func testTiesGoToShorterTitlesThenCatalogOrder() throws {
        let titles = ["lamp with a long name", "lamp b", "lamp a", "lamp cc"]
        XCTAssertEqual(try search("lamp", in: titles).indices, [1, 2, 3, 0])
        // Lengths count characters, not bytes: "lamp é" is as short as "lamp e".
        XCTAssertEqual(try search("lamp", in: ["lamp ex", "lamp é", "lamp e"]).indices, [1, 2, 0])
    }

    func testTheWeakestWordDecidesTheTierThenPointsAddUp() throws {
        // 0: both words start words; 1: one is a prefix, the other inside a word.
        let titles = ["red stridex shoe", "stridex horseshoe"]
        XCTAssertEqual(try search("stridex shoe", in: titles).indices, [0, 1])
        // Both at word starts: the one matching inside the leading name ranks first.
        XCTAssertEqual(try search("oak", in: ["table — oak", "oak table — x", "table oak — x"]).indices, [1, 2, 0])
    }

    // MARK: - Approximate matches

    func testOneTypoPerFiveLettersWithSwapsCountingOne() throws {
        let titles = ["image viewer", "python tools", "imagemagick", "pyhtin", "imgxe", "imago"]
        let imgae = try search("imgae", in: titles)
        XCTAssertTrue(imgae.includesApproximate)
        XCTAssertEqual(imgae.indices, [4, 2, 0], "typos: equal points, shorter first")
        XCTAssertEqual(imgae.tierCounts[TitleFilter.Tier.typo.rawValue], 3, "image ×2 and imgxe (one substitution); not imago (two)")
        XCTAssertEqual(try search("pyhton", in: titles).indices, [3, 1])
        XCTAssertEqual(try search("PYTHNO", in: titles).indices.first, 1)
        // Two edits in five letters are too many, and a four-letter word has no typo budget.
        XCTAssertEqual(try search("ignae", in: titles).tierCounts[TitleFilter.Tier.typo.rawValue], 0)
        XCTAssertEqual(try search("imzq", in: titles).indices, [])
        // A typo match begins at a word start.
        XCTAssertEqual(try search("imgae", in: ["xximage"]).indices, [])
    }

    func testApproximateMatchesOnlyWhenLiteralOnesAreFew() throws {
        let enough = (0..<TitleFilter.approximateBelow).map { "pyhton tool \($0)" } + ["python"]
        let literal = try search("pyhton", in: enough)
        XCTAssertEqual(literal.indices.count, TitleFilter.approximateBelow, "only the literal matches")
        XCTAssertFalse(literal.includesApproximate)
        let few = Array(enough.dropFirst())
        let typo = try search("pyhton", in: few)
        XCTAssertTrue(typo.includesApproximate)
        XCTAssertEqual(typo.indices.last, few.count - 1, "the typo match, after the literal ones")
        // Non-ASCII words and numbers match only literally.
        XCTAssertFalse(try search("红色跑鞋鞋").includesApproximate)
        XCTAssertEqual(try search("4006010000001", in: ["4006010000001", "4006010000041", "4006100000001"]).indices, [0])
    }

    func testSubsequenceStartsAtAWordStartWithinThreeTimesTheWordLength() throws {
        let titles = ["n g i n x", "nginx", "xngx", "n-----g-----x"]
        XCTAssertEqual(try search("ngx", in: titles).indices, [2, 1, 0], "the substring, then compact first")
        XCTAssertEqual(try search("ngx", in: ["n-----g-----x", "xn g x"]).indices, [],
                       "too spread out; the n of 'xn' does not start a word")
    }

    func testOptimalAlignmentDistance() {
        func distance(_ a: String, _ b: String) -> Int {
            Array(a.utf8).withUnsafeBufferPointer { a in
                Array(b.utf8).withUnsafeBufferPointer { TitleFilter.optimalAlignmentDistance(a, $0) }
            }
        }
        XCTAssertEqual(distance("imgae", "image"), 1)
        XCTAssertEqual(distance("pyhton", "python"), 1)
        XCTAssertEqual(distance("kitten", "sitting"), 3)
        XCTAssertEqual(distance("", "abc"), 3)
        XCTAssertEqual(distance("ca", "abc"), 3)  // OSA: no edit of a swapped pair
    }

    func testATypoOfTheWholeNameComesFirstAmongTypos() throws {
        let titles = ["python3-cg3 — Wrapper for CG-3",                      // 0: shorter, a typo of a prefix
                      "python3 — interactive high-level object-oriented language",  // 1: the whole name
                      "python3-uno — Python-UNO bridge",                     // 2
                      "certbot-nginx — Nginx plugin",                        // 3: a typo inside the name
                      "nginx — small, powerful, scalable web/proxy server"]  // 4: the whole name
        XCTAssertEqual(try search("pyhton3", in: titles).indices.first, 1)
        XCTAssertEqual(try search("ngnix", in: titles).indices.first, 4)
        XCTAssertEqual(try search("ngnix", in: titles).indices, [4, 3])
    }

    func testTypoScanAgreesWithTheEditDistanceOnRandomText() throws {
        // Every title a typo scan accepts has a word-start window within the budget, and every
        // title with such a window is accepted.
        var state: UInt64 = 11
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        let letters = Array("abcde -".utf8)
        for _ in 0..<300 {
            let word = (0..<(5 + next(6))).map { _ in letters[next(5)] }
            let title = (0..<(3 + next(20))).map { _ in letters[next(letters.count)] }
            let query = TitleFilter.PreparedQuery(String(decoding: word, as: UTF8.self))
            let budget = word.count / 5
            let found = title.withUnsafeBufferPointer { text in
                query.withViews { TitleFilter.typoEnd($0[0], base: text.baseAddress!, start: 0, end: text.count) }
            }
            var best = Int.max
            title.withUnsafeBufferPointer { text in
                word.withUnsafeBufferPointer { pattern in
                    for first in 0..<text.count where TitleFilter.isWordStart(text.baseAddress!, offset: first, titleStart: 0)
                        && text[first] != 0x20 && text[first] != 0x2D {
                        for last in first..<text.count {
                            let window = UnsafeBufferPointer(rebasing: text[first...last])
                            best = min(best, TitleFilter.optimalAlignmentDistance(pattern, window))
                        }
                    }
                }
            }
            let text = String(decoding: title, as: UTF8.self), pattern = String(decoding: word, as: UTF8.self)
            if best >= 1 && best <= budget {
                XCTAssertEqual(found?.edits, best, "'\(pattern)' in '\(text)'")
            } else if best > budget {
                XCTAssertNil(found, "'\(pattern)' in '\(text)'")
            }
        }
    }

    // MARK: - Literal matching

    func testAccentAndCaseInsensitiveBothWays() throws {
        XCTAssertEqual(try search("creme brulee").indices, [1])
        XCTAssertEqual(try search("CRÈME").indices, [1])
        XCTAssertEqual(try search("café").indices, [7])
        XCTAssertEqual(try search("cafe").indices, [7])
        XCTAssertEqual(Set(try search("stridex").indices), [0, 4, 6])
    }

    func testEveryWordMustMatch() throws {
        XCTAssertEqual(Set(try search("stridex shoe").indices), [0, 4])
        XCTAssertEqual(try search("shoe stridex red").indices, [0])
        XCTAssertEqual(try search("stridex lamp").indices, [])
    }

    func testChineseMatchesAsSubstring() throws {
        XCTAssertEqual(try search("红色").indices, [6, 3])
        XCTAssertEqual(try search("重力").indices, [3])
        XCTAssertEqual(try search("stridex 跑鞋").indices, [6])
        XCTAssertEqual(try search("红色 king").indices, [3])
    }

    func testPunctuationAndDigits() throws {
        XCTAssertEqual(try search("\"nordlys\"").indices, [5])
        XCTAssertEqual(try search("nordlys").indices, [5])
        XCTAssertEqual(try search("42").indices, [0])
        XCTAssertEqual(try search("2").indices, [0])
        XCTAssertEqual(try search("2").count(atLeast: .wordStart), 0)
    }

    func testMatchesNeverSpanTwoTitles() throws {
        XCTAssertEqual(try search("ab", in: ["xa", "bx"]).indices, [])
        XCTAssertEqual(try search("a", in: ["", "a", ""]).indices, [1])
    }

    func testManyChunksRankedWithCatalogOrderWithinTies() throws {
        let count = TitleFilter.chunkTitles * 3 + 17
        let many = (0..<count).map { $0 % 1000 == 0 ? "Lamp number \($0 % 10)" : "Widget \($0 % 10) floorlamp" }
        let matches = try search("lamp", in: many)
        let prefix = (0..<count).filter { $0 % 1000 == 0 }
        let substring = (0..<count).filter { $0 % 1000 != 0 }
        XCTAssertEqual(matches.count(atLeast: .prefix), prefix.count)
        XCTAssertTrue(matches.indices == prefix + substring, "matches out of order")
    }

    func testAgreesWithANaiveRankingOnDenseRandomTitles() throws {
        // A small alphabet makes every byte common, with multi-byte characters and word
        // boundaries everywhere; queries of several words. The naive tier of a title is its
        // weakest word's best occurrence; ranks must never rise in tier down the list.
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
            if words.isEmpty { continue }
            var naive = [Int: TitleFilter.Tier]()
            for (position, title) in folded.enumerated() {
                var weakest = TitleFilter.Tier.exact
                for word in words {
                    var best: TitleFilter.Tier?
                    title.withUnsafeBufferPointer { buffer in
                        for start in stride(from: 0, through: buffer.count - word.count, by: 1)
                        where memcmp(buffer.baseAddress! + start, word, word.count) == 0 {
                            let tier: TitleFilter.Tier = start == 0 ? .prefix
                                : TitleFilter.isWordStart(buffer.baseAddress!, offset: start, titleStart: 0) ? .wordStart
                                : .substring
                            best = max(best ?? tier, tier)
                        }
                    }
                    weakest = min(weakest, best ?? .subsequence)
                    if best == nil { break }
                }
                if weakest >= .substring { naive[position] = weakest }
            }
            let matches = try filter.search(query)
            let literal = matches.indices.prefix(matches.count(atLeast: .substring))
            XCTAssertEqual(Set(literal), Set(naive.keys), "query '\(query)'")
            XCTAssertEqual(literal.count, naive.count, "query '\(query)'")
            let approximable = words.contains { $0.count >= 2 && $0.allSatisfy { $0 < 0x80 } && $0.contains { $0 >= 0x61 && $0 <= 0x7A } }
            XCTAssertEqual(matches.includesApproximate, naive.count < TitleFilter.approximateBelow && approximable,
                           "query '\(query)'")
            let tiers = literal.map { naive[$0]! }
            XCTAssertEqual(tiers, tiers.sorted(by: >), "query '\(query)'")
        }
    }

    // MARK: - Highlights

    func testHighlightsMarkWhatMatchedInTheOriginalCharacters() {
        XCTAssertEqual(highlighted("lamp desk", 0, in: ["Desk Lamp Pro"]), ["Desk", "Lamp"])
        XCTAssertEqual(highlighted("desk lamp", 0, in: ["Desk Lamp Pro"]), ["Desk", "Lamp"])
        XCTAssertEqual(highlighted("sk la", 0, in: ["Desk Lamp"]), ["sk", "La"])
        XCTAssertEqual(highlighted("des sk", 0, in: ["Desk Lamp"]), ["Desk"], "overlapping ranges merge")
        // The best occurrence: the word start, not the first substring.
        XCTAssertEqual(TitleFilter(titles: ["floorlamp lamp"]).highlights("lamp", at: 0).map { $0.lowerBound.utf16Offset(in: "floorlamp lamp") }, [10])
        // Folded characters map back whole: accents, decomposed marks, full width, ß.
        XCTAssertEqual(highlighted("creme", 0, in: ["Crème Brûlée"]), ["Crème"])
        XCTAssertEqual(highlighted("cafe", 0, in: ["Cafe\u{301} Table"]), ["Cafe\u{301}"])
        XCTAssertEqual(highlighted("stridex", 0, in: ["ＳＴＲＩＤＥＸ Trail"]), ["ＳＴＲＩＤＥＸ"])
        XCTAssertEqual(highlighted("strasse", 0, in: ["Große Straße"]), ["Straße"])
        XCTAssertEqual(highlighted("红色", 0, in: ["Stridex 红色跑鞋"]), ["红色"])
    }

    func testHighlightsOfTyposAndSubsequences() {
        XCTAssertEqual(highlighted("imgae", 0, in: ["GIMP image editor"]), ["image"])
        XCTAssertEqual(highlighted("pyhton", 0, in: ["python3 tools"]), ["python"])
        XCTAssertEqual(highlighted("ngx", 0, in: ["n g x"]), ["n", "g", "x"])
        XCTAssertEqual(highlighted("lamp", 0, in: ["Table"]), [], "no match, no highlights")
        XCTAssertEqual(highlighted(" ", 0, in: ["Table"]), [])
    }

    // MARK: - Cancellation

    func testCancellationThrows() {
        let filter = TitleFilter(titles: titles)
        XCTAssertThrowsError(try filter.search("shoe", isCancelled: { true })) { error in
            XCTAssertTrue(error is CancellationError)
        }
        let calls = Locked(0)
        XCTAssertThrowsError(try filter.search("imgae", isCancelled: {
            calls.withLock { $0 += 1 }
            return calls.withLock { $0 } > 1  // the literal pass runs; the approximate one is cancelled
        })) { error in
            XCTAssertTrue(error is CancellationError)
        }
    }
}
