import XCTest
@testable import TUI

final class CellBufferTests: XCTestCase {
    func testPutASCII() {
        var buffer = CellBuffer(width: 8, height: 2)
        XCTAssertEqual(buffer.put("hello", x: 1, y: 0), 5)
        assertScreen(buffer, [" hello  ", "        "])
        XCTAssertEqual(buffer[1, 0], Cell("h"))
    }

    func testPutStopsAtEdgeAndMaxWidth() {
        var buffer = CellBuffer(width: 6, height: 1)
        XCTAssertEqual(buffer.put("abcdefgh", x: 2, y: 0), 4)
        assertScreen(buffer, ["  abcd"])
        XCTAssertEqual(buffer.put("xyz", x: 0, y: 0, maxWidth: 2), 2)
        assertScreen(buffer, ["xyabcd"])
        XCTAssertEqual(buffer.put("xyz", x: 0, y: 5), 0, "rows outside the buffer are ignored")
    }

    func testPutWideGlyphs() {
        var buffer = CellBuffer(width: 5, height: 1)
        XCTAssertEqual(buffer.put("中文", x: 0, y: 0), 4)
        assertScreen(buffer, ["中文 "])
        XCTAssertEqual(buffer[0, 0].width, 2)
        XCTAssertEqual(buffer[1, 0], .continuation(style: Style()))
        XCTAssertEqual(buffer[2, 0].grapheme, "文")
    }

    func testWideGlyphStraddlingTheEdgeBecomesASpace() {
        var buffer = CellBuffer(width: 5, height: 1, fill: Cell("."))
        XCTAssertEqual(buffer.put("ab中文", x: 0, y: 0), 5)
        assertScreen(buffer, ["ab中 "])

        var limited = CellBuffer(width: 6, height: 1, fill: Cell("."))
        limited.put("中文", x: 0, y: 0, maxWidth: 3)
        assertScreen(limited, ["中 ..."])
    }

    func testWideGlyphCutAtTheLeftEdge() {
        var buffer = CellBuffer(width: 4, height: 1, fill: Cell("."))
        XCTAssertEqual(buffer.put("中ab", x: -1, y: 0), 4)
        assertScreen(buffer, [" ab."])
    }

    func testOverwritingHalfAWideGlyphClearsTheOtherHalf() {
        var buffer = CellBuffer(width: 6, height: 1)
        buffer.put("中文", x: 0, y: 0)
        buffer.put("x", x: 1, y: 0)
        assertScreen(buffer, [" x文  "])
        buffer.put("y", x: 2, y: 0)
        assertScreen(buffer, [" xy   "])
        XCTAssertEqual(buffer[3, 0].grapheme, " ")
        XCTAssertEqual(buffer[3, 0].width, 1)
    }

    func testWideOverTwoWideHalves() {
        var buffer = CellBuffer(width: 5, height: 1)
        buffer.put("中文", x: 0, y: 0)
        buffer.put("字", x: 1, y: 0)
        assertScreen(buffer, [" 字  "])
    }

    func testSkipsControlsAndKeepsCombiningMarks() {
        var buffer = CellBuffer(width: 5, height: 1)
        XCTAssertEqual(buffer.put("a\tb\u{7}e\u{301}", x: 0, y: 0), 3)
        assertScreen(buffer, ["abe\u{301}  "])
        XCTAssertEqual(buffer[2, 0].grapheme, "e\u{301}")
    }

    func testEmojiTakeTwoCells() {
        var buffer = CellBuffer(width: 6, height: 1)
        buffer.put("👍🏽🇫🇷!", x: 0, y: 0)
        assertScreen(buffer, ["👍🏽🇫🇷! "])
        XCTAssertEqual(buffer[1, 0].width, 0)
    }

    func testFillBreaksWideGlyphsAtItsEdges() {
        var buffer = CellBuffer(width: 6, height: 2)
        buffer.put("中文标", x: 0, y: 0)
        buffer.fill(Rect(x: 1, y: 0, width: 2, height: 1), grapheme: "-")
        assertScreen(buffer, [" -- 标", "      "])
        buffer.fill(Rect(x: 4, y: 0, width: 10, height: 10), grapheme: "#", style: Style(role: "dim"))
        assertScreen(buffer, [" -- ##", "    ##"])
        XCTAssertEqual(buffer[5, 1].style.role, "dim")
    }

    func testSetStyleKeepsText() {
        var buffer = CellBuffer(width: 4, height: 1)
        buffer.put("ab", x: 0, y: 0)
        buffer.setStyle(Style(role: "selection"), in: buffer.area)
        assertScreen(buffer, ["ab  "])
        XCTAssertEqual(roles(buffer, row: 0), ["selection", "selection", "selection", "selection"])
    }

    func testSetCell() {
        var buffer = CellBuffer(width: 3, height: 1)
        buffer.set(Cell("中", width: 2), x: 2, y: 0)
        assertScreen(buffer, ["   "])
        buffer.set(Cell("中", width: 2), x: 1, y: 0)
        assertScreen(buffer, [" 中"])
        buffer.set(Cell("z"), x: 9, y: 0)
        assertScreen(buffer, [" 中"])
    }

    func testRenderTextSkipsContinuations() {
        var buffer = CellBuffer(width: 10, height: 2)
        buffer.put("中文标题", x: 1, y: 1)
        XCTAssertEqual(buffer.renderText(), ["          ", " 中文标题 "])
    }

    // MARK: - Diff

    func testDiffOfIdenticalBuffersIsEmpty() {
        var buffer = CellBuffer(width: 10, height: 3)
        buffer.put("same", x: 0, y: 1)
        XCTAssertEqual(buffer.diff(from: buffer), [])
    }

    func testDiffFindsChangedRuns() {
        let previous = CellBuffer(width: 10, height: 3)
        var next = previous
        next.put("ab", x: 2, y: 0)
        next.put("z", x: 9, y: 2)
        next.put("q", x: 5, y: 0)
        let runs = next.diff(from: previous)
        XCTAssertEqual(runs.map(\.x), [2, 5, 9])
        XCTAssertEqual(runs.map(\.y), [0, 0, 2])
        XCTAssertEqual(runs.map(\.text), ["ab", "q", "z"])
    }

    func testDiffCountsStyleChanges() {
        var previous = CellBuffer(width: 4, height: 1)
        previous.put("ab", x: 0, y: 0)
        var next = previous
        next.put("b", x: 1, y: 0, style: Style(role: "selection"))
        XCTAssertEqual(next.diff(from: previous), [CellRun(x: 1, y: 0, cells: [Cell("b", style: Style(role: "selection"))])])
    }

    func testDiffKeepsWideGlyphsWhole() {
        var previous = CellBuffer(width: 8, height: 1)
        previous.put("中文", x: 0, y: 0)

        var replaced = previous
        replaced.put("字", x: 2, y: 0)  // only the head differs; its continuation is equal
        XCTAssertEqual(replaced.diff(from: previous), [
            CellRun(x: 2, y: 0, cells: [Cell("字", width: 2), .continuation(style: Style())]),
        ])

        var broken = previous
        broken.put("x", x: 1, y: 0)  // the head at 0 became a space
        XCTAssertEqual(broken.diff(from: previous).map(\.x), [0])
        XCTAssertEqual(broken.diff(from: previous).map(\.text), [" x"])

        var styled = previous
        styled.setStyle(Style(role: "dim"), in: Rect(x: 1, y: 0, width: 1, height: 1))
        let runs = styled.diff(from: previous)
        XCTAssertEqual(runs.map(\.x), [0], "a run never starts on a continuation cell")
        XCTAssertEqual(runs.first?.cells.count, 2)
    }

    func testDiffAgainstNothingOrAnotherSizeRedrawsAll() {
        var buffer = CellBuffer(width: 3, height: 2)
        buffer.put("abc", x: 0, y: 0)
        XCTAssertEqual(buffer.diff(from: nil).map(\.text), ["abc", "   "])
        XCTAssertEqual(buffer.diff(from: CellBuffer(width: 4, height: 2)).count, 2)
    }
}
