import XCTest
@testable import TUI

final class DisplayWidthTests: XCTestCase {
    func testASCII() {
        XCTAssertEqual(displayWidth(of: "hello"), 5)
        XCTAssertEqual(displayWidth(of: ""), 0)
        XCTAssertEqual(displayWidth(of: Character("a")), 1)
        XCTAssertEqual(displayWidth(of: "a b~"), 4)
    }

    func testControlsHaveNoWidth() {
        XCTAssertEqual(displayWidth(of: "\t"), 0)
        XCTAssertEqual(displayWidth(of: "a\nb"), 2)
        XCTAssertEqual(displayWidth(of: Character("\r\n")), 0)
        XCTAssertEqual(displayWidth(of: Unicode.Scalar(0x85)!), 0)
    }

    func testCJKIsWide() {
        XCTAssertEqual(displayWidth(of: "中文标题"), 8)
        XCTAssertEqual(displayWidth(of: "a中b"), 4)
        XCTAssertEqual(displayWidth(of: "한국어"), 6)
        XCTAssertEqual(displayWidth(of: "日本語のテキスト"), 16)
        XCTAssertEqual(displayWidth(of: "Ａ１"), 4, "fullwidth forms")
        XCTAssertEqual(displayWidth(of: "ｱｲ"), 2, "halfwidth katakana")
        XCTAssertEqual(displayWidth(of: "，。"), 4, "CJK punctuation")
        XCTAssertEqual(displayWidth(of: "\u{20000}"), 2, "CJK extension B")
    }

    func testCombiningAndZeroWidth() {
        XCTAssertEqual(displayWidth(of: "e\u{301}"), 1)
        XCTAssertEqual(displayWidth(of: "Cafe\u{301} cre\u{300}me"), 10)
        XCTAssertEqual(displayWidth(of: Unicode.Scalar(0x301)!), 0)
        XCTAssertEqual(displayWidth(of: Character("\u{301}")), 0)
        XCTAssertEqual(displayWidth(of: "a\u{200B}b"), 2, "zero width space")
        XCTAssertEqual(displayWidth(of: "\u{1100}\u{1161}\u{11A8}"), 2, "Hangul syllable from jamo")
        XCTAssertEqual(displayWidth(of: "ก\u{E31}"), 1, "Thai with a combining vowel")
    }

    func testEmoji() {
        XCTAssertEqual(displayWidth(of: "😀"), 2)
        XCTAssertEqual(displayWidth(of: "👍🏽"), 2, "skin tone modifier")
        XCTAssertEqual(displayWidth(of: "👨‍👩‍👧"), 2, "ZWJ sequence")
        XCTAssertEqual(displayWidth(of: "🇫🇷"), 2, "flag")
        XCTAssertEqual(displayWidth(of: "❤\u{FE0F}"), 2, "emoji presentation selector")
        XCTAssertEqual(displayWidth(of: "❤"), 1, "text presentation by default")
        XCTAssertEqual(displayWidth(of: "1\u{FE0F}\u{20E3}"), 2, "keycap")
        XCTAssertEqual(displayWidth(of: "a\u{FE0F}"), 1, "selector after a non-emoji")
        XCTAssertEqual(displayWidth(of: "⌚"), 2)
        XCTAssertEqual(displayWidth(of: "ok 🚀!"), 6)
    }

    func testBoxDrawingAndBlocksAreNarrow() {
        XCTAssertEqual(displayWidth(of: "┌─┐│└┘┏━┓"), 9)
        XCTAssertEqual(displayWidth(of: "█▓▒░▏▌"), 6)
        XCTAssertEqual(displayWidth(of: "…←↑"), 3)
    }

    func testTableIsSortedAndDisjoint() {
        for table in [UnicodeWidthTable.zeroWidth, UnicodeWidthTable.wide] {
            XCTAssertEqual(table.count % 2, 0)
            for index in stride(from: 0, to: table.count, by: 2) {
                XCTAssertLessThanOrEqual(table[index], table[index + 1])
                if index >= 2 { XCTAssertGreaterThan(table[index], table[index - 1] + 1) }
            }
        }
    }

    func testTruncateTail() {
        XCTAssertEqual(truncate("Hello", toWidth: 5), "Hello")
        XCTAssertEqual(truncate("Hello, world", toWidth: 8), "Hello, …")
        XCTAssertEqual(truncate("Hello", toWidth: 0), "")
        XCTAssertEqual(truncate("Hello", toWidth: 1), "…")
        XCTAssertEqual(truncate("Hello, world", toWidth: 8, ellipsis: "..."), "Hello...")
        XCTAssertEqual(truncate("Hello", toWidth: 2, ellipsis: "..."), "..")
    }

    func testTruncateNeverSplitsWideGlyphs() {
        XCTAssertEqual(truncate("中文标题", toWidth: 8), "中文标题")
        XCTAssertEqual(truncate("中文标题", toWidth: 7), "中文标…")
        XCTAssertEqual(truncate("中文标题", toWidth: 6), "中文…")
        XCTAssertEqual(displayWidth(of: truncate("中文标题", toWidth: 6)), 5)
        XCTAssertEqual(truncate("中文标题", toWidth: 4), "中…")
        XCTAssertEqual(truncate("a中文", toWidth: 3), "a…")
        XCTAssertEqual(truncate("e\u{301}e\u{301}e\u{301}", toWidth: 2), "e\u{301}…")
    }

    func testTruncateHeadAndMiddle() {
        XCTAssertEqual(truncate("/data/products.index", toWidth: 10, mode: .head), "…cts.index")
        XCTAssertEqual(truncate("abcdefghijklmnop", toWidth: 9, mode: .middle), "abcd…mnop")
        XCTAssertEqual(truncate("中文标题很长", toWidth: 7, mode: .middle), "中…很长")
        XCTAssertEqual(truncate("中文标题", toWidth: 5, mode: .head), "…标题")
    }

    func testFitPadsAndAligns() {
        XCTAssertEqual(fit("ab", toWidth: 5), "ab   ")
        XCTAssertEqual(fit("ab", toWidth: 5, alignment: .right), "   ab")
        XCTAssertEqual(fit("ab", toWidth: 5, alignment: .center), " ab  ")
        XCTAssertEqual(fit("中文标题", toWidth: 7), "中文标…")
        XCTAssertEqual(fit("中文标题", toWidth: 6), "中文… ")
        XCTAssertEqual(fit("x", toWidth: 0), "")
    }
}
