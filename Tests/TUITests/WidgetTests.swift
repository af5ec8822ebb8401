import XCTest
@testable import TUI

final class BoxTests: XCTestCase {
    func testBoxWithTitle() {
        assertScreen(rendered(Box(title: "Index"), width: 12, height: 4), [
            "┌ Index ───┐",
            "│          │",
            "│          │",
            "└──────────┘",
        ])
    }

    func testFocusedBoxUsesHeavyLinesAndFocusedRoles() {
        let buffer = rendered(Box(title: "Index", focused: true), width: 12, height: 3)
        assertScreen(buffer, [
            "┏ Index ━━━┓",
            "┃          ┃",
            "┗━━━━━━━━━━┛",
        ])
        XCTAssertEqual(buffer[0, 0].style.role, Role.borderFocused)
        XCTAssertEqual(buffer[2, 0].style.role, Role.titleFocused)
        XCTAssertEqual(rendered(Box(title: "Index"), width: 12, height: 3)[2, 0].style.role, Role.title)
    }

    func testTitleIsTruncatedWithoutSplittingWideGlyphs() {
        assertScreen(rendered(Box(title: "Products"), width: 8, height: 2), [
            "┌ Pro… ┐",
            "└──────┘",
        ])
        assertScreen(rendered(Box(title: "中文标题"), width: 10, height: 2), [
            "┌ 中文… ─┐",
            "└────────┘",
        ])
        assertScreen(rendered(Box(title: "中文标题"), width: 12, height: 2), [
            "┌ 中文标题 ┐",
            "└──────────┘",
        ])
    }

    func testTrailingTitleAndASCII() {
        assertScreen(rendered(Box(title: "Products", trailingTitle: "3/120"), width: 20, height: 2), [
            "┌ Products ─ 3/120 ┐",
            "└──────────────────┘",
        ])
        assertScreen(rendered(Box(title: "Products", trailingTitle: "3/120"), width: 19, height: 2), [
            "┌ Products ───────┐",
            "└─────────────────┘",
        ])
        assertScreen(rendered(Box(title: "Jobs", focused: true, charset: .ascii), width: 10, height: 3), [
            "+ Jobs ==+",
            "|        |",
            "+========+",
        ])
    }

    func testTinyBoxes() {
        assertScreen(rendered(Box(title: "Index"), width: 4, height: 2), ["┌──┐", "└──┘"])
        assertScreen(rendered(Box(title: "Index"), width: 1, height: 5), [" ", " ", " ", " ", " "])
        XCTAssertEqual(Box().inner(Rect(x: 0, y: 0, width: 10, height: 5)), Rect(x: 1, y: 1, width: 8, height: 3))
    }

    func testBoxDrawsOnlyInsideItsArea() {
        var buffer = CellBuffer(width: 8, height: 4, fill: Cell("."))
        buffer.render(Box(title: "A"), in: Rect(x: 2, y: 1, width: 5, height: 3))
        assertScreen(buffer, [
            "........",
            "..┌ A ┐.",
            "..│   │.",
            "..└───┘.",
        ])
    }
}

final class TextLineTests: XCTestCase {
    func testAlignment() {
        assertScreen(rendered(TextLine("Hello"), width: 11, height: 1), ["Hello      "])
        assertScreen(rendered(TextLine("Hello", alignment: .center), width: 11, height: 1), ["   Hello   "])
        assertScreen(rendered(TextLine("Hello", alignment: .right), width: 11, height: 1), ["      Hello"])
        assertScreen(rendered(TextLine("中文", alignment: .center), width: 7, height: 1), [" 中文  "])
    }

    func testTruncation() {
        assertScreen(rendered(TextLine("Hello, world"), width: 8, height: 1), ["Hello, …"])
        assertScreen(rendered(TextLine("中文标题", alignment: .right), width: 7, height: 1), ["中文标…"])
        assertScreen(rendered(TextLine("中文标题", alignment: .right), width: 6, height: 1), [" 中文…"])
        assertScreen(rendered(TextLine("Hello, world", charset: .ascii), width: 8, height: 1), ["Hello..."])
    }

    func testSpansKeepTheirStyles() {
        let line = TextLine(spans: [Span("k=", role: Role.dim), Span("10", role: Role.text), Span(" ok", role: Role.success)])
        let buffer = rendered(line, width: 10, height: 1)
        assertScreen(buffer, ["k=10 ok   "])
        XCTAssertEqual(roles(buffer, row: 0), ["dim", "dim", "text", "text", "success", "success", "success",
                                               "text", "text", "text"])
        assertScreen(rendered(line, width: 5, height: 1), ["k=10…"])
        let cut = rendered(line, width: 4, height: 1)
        assertScreen(cut, ["k=1…"])
        XCTAssertEqual(roles(cut, row: 0), ["dim", "dim", "text", "text"])
    }

    func testBackgroundFillsTheRow() {
        let buffer = rendered(TextLine("error!", style: Style(role: Role.error), background: Style(role: Role.error)),
                              width: 8, height: 1)
        XCTAssertEqual(roles(buffer, row: 0), Array(repeating: "error", count: 8))
    }
}

final class TableTests: XCTestCase {
    let columns = [
        TableColumn("#", width: .fixed(3), alignment: .right),
        TableColumn("Title", width: .fill(1)),
        TableColumn("Price", width: .fixed(6), alignment: .right),
    ]
    let rows: [TableRow] = [
        ["1", "Red chair", "19.99"],
        ["2", "中文标题很长", "5.00"],
        ["3", "Lamp", "7.50"],
        ["4", "Desk", "120.00"],
    ]

    func testRendersHeaderAndRows() {
        let table = Table(columns: columns, rows: rows, state: TableState(selected: 1))
        let buffer = rendered(table, width: 20, height: 5)
        assertScreen(buffer, [
            "  # Title      Price",
            "  1 Red chair  19.99",
            "  2 中文标题…   5.00",
            "  3 Lamp        7.50",
            "  4 Desk      120.00",
        ])
        XCTAssertEqual(Set(roles(buffer, row: 0)), [Role.header])
        XCTAssertEqual(Set(roles(buffer, row: 2)), [Role.selection], "the whole selected row is highlighted")
        XCTAssertEqual(Set(roles(buffer, row: 1)), [Role.text])
    }

    func testWiderTableGivesTheFillColumnTheRest() {
        let table = Table(columns: columns, rows: rows, state: TableState(selected: nil))
        assertScreen(rendered(table, width: 30, height: 3), [
            "  # Title                Price",
            "  1 Red chair            19.99",
            "  2 中文标题很长          5.00",
        ])
    }

    func testTheWheelScrollsTheViewAndKeepsTheSelectionInIt() {
        var state = TableState(selected: 1)
        state.scroll(by: 3, rowCount: 10, visibleRows: 4)
        XCTAssertEqual(state, TableState(selected: 3, offset: 3), "the selection is dragged to the top row")
        state.scroll(by: -1, rowCount: 10, visibleRows: 4)
        XCTAssertEqual(state, TableState(selected: 3, offset: 2), "a selection still in view stays")
        state.scroll(by: 30, rowCount: 10, visibleRows: 4)
        XCTAssertEqual(state, TableState(selected: 6, offset: 6), "never past the last page")
        state.scroll(by: -30, rowCount: 10, visibleRows: 4)
        XCTAssertEqual(state, TableState(selected: 3, offset: 0))
        var none = TableState(selected: nil)
        none.scroll(by: 2, rowCount: 10, visibleRows: 4)
        XCTAssertEqual(none, TableState(selected: nil, offset: 2))
        var short = TableState(selected: 1)
        short.scroll(by: 3, rowCount: 3, visibleRows: 4)
        XCTAssertEqual(short, TableState(selected: 1, offset: 0), "a list shorter than the view does not scroll")
        // What is drawn follows the scrolled offset.
        var scrolled = TableState(selected: 0)
        scrolled.scroll(by: 2, rowCount: rows.count, visibleRows: 2)
        assertScreen(rendered(Table(columns: columns, rows: rows, state: scrolled), width: 20, height: 3), [
            "  # Title      Price",
            "  3 Lamp        7.50",
            "  4 Desk      120.00",
        ])
    }

    func testTheRowOnALineOfTheView() {
        let state = TableState(selected: 7, offset: 0)  // drawn from row 4 with 4 rows visible
        XCTAssertEqual(state.row(atLine: 0, visibleRows: 4, rowCount: 10), 4)
        XCTAssertEqual(state.row(atLine: 3, visibleRows: 4, rowCount: 10), 7)
        XCTAssertNil(state.row(atLine: 4, visibleRows: 4, rowCount: 10), "below the view")
        XCTAssertNil(state.row(atLine: -1, visibleRows: 4, rowCount: 10), "the header")
        XCTAssertNil(TableState().row(atLine: 2, visibleRows: 4, rowCount: 2), "past the last row")
    }

    func testScrollsToKeepTheSelectionVisible() {
        let table = Table(columns: columns, rows: rows, state: TableState(selected: 3, offset: 0))
        assertScreen(rendered(table, width: 20, height: 3), [
            "  # Title      Price",
            "  3 Lamp        7.50",
            "  4 Desk      120.00",
        ])
        let scrolledUp = Table(columns: columns, rows: rows, state: TableState(selected: 0, offset: 2))
        assertScreen(rendered(scrolledUp, width: 20, height: 3), [
            "  # Title      Price",
            "  1 Red chair  19.99",
            "  2 中文标题…   5.00",
        ])
    }

    func testListWithoutHeaderAndUnfocusedSelection() {
        let list = Table(columns: [TableColumn("", width: .fill(1))], rows: [["alpha"], ["beta"]],
                         state: TableState(selected: 1), showsHeader: false, focused: false)
        let buffer = rendered(list, width: 6, height: 3)
        assertScreen(buffer, ["alpha ", "beta  ", "      "])
        XCTAssertEqual(Set(roles(buffer, row: 1)), [Role.selectionInactive])
    }

    func testEmptyText() {
        let table = Table(columns: columns, rows: [], emptyText: "No matches")
        let buffer = rendered(table, width: 20, height: 3)
        assertScreen(buffer, ["  # Title      Price", "No matches          ", "                    "])
        XCTAssertEqual(buffer[0, 1].style.role, Role.dim)
    }

    func testNarrowTableShrinksTheFillColumnFirst() {
        let table = Table(columns: columns, rows: rows, state: TableState(selected: nil))
        assertScreen(rendered(table, width: 8, height: 2), [
            "  #  Pr…",
            "  1  19…",
        ])
    }

    func testStateNavigation() {
        var state = TableState(selected: 0)
        XCTAssertTrue(state.handle(.down, rowCount: 10, visibleRows: 4))
        XCTAssertTrue(state.handle(.character("j"), rowCount: 10, visibleRows: 4))
        XCTAssertEqual(state, TableState(selected: 2, offset: 0))
        XCTAssertTrue(state.handle(.pageDown, rowCount: 10, visibleRows: 4))
        XCTAssertEqual(state, TableState(selected: 5, offset: 2))
        XCTAssertTrue(state.handle(.up, rowCount: 10, visibleRows: 4))
        XCTAssertEqual(state, TableState(selected: 4, offset: 2), "moving up inside the view does not scroll")
        XCTAssertTrue(state.handle(.end, rowCount: 10, visibleRows: 4))
        XCTAssertEqual(state, TableState(selected: 9, offset: 6))
        XCTAssertTrue(state.handle(.down, rowCount: 10, visibleRows: 4))
        XCTAssertEqual(state.selected, 9)
        XCTAssertTrue(state.handle(.home, rowCount: 10, visibleRows: 4))
        XCTAssertEqual(state, TableState(selected: 0, offset: 0))
        XCTAssertFalse(state.handle(.character("x"), rowCount: 10, visibleRows: 4))
        var empty = TableState(selected: nil)
        XCTAssertTrue(empty.handle(.down, rowCount: 0, visibleRows: 4))
        XCTAssertNil(empty.selected)
    }

    func testRowsShrinkingUnderTheSelection() {
        var state = TableState(selected: 50, offset: 45)
        state.scrollToSelection(visibleRows: 10, rowCount: 20)
        XCTAssertEqual(state, TableState(selected: 19, offset: 10))
        XCTAssertEqual(TableState(selected: nil, offset: 30).visibleOffset(visibleRows: 10, rowCount: 5), 0)
    }
}

final class MemoryGaugeTests: XCTestCase {
    func testSegmentsFreeAndLabel() {
        let gauge = MemoryGauge(segments: [.index(40), .scratch(10), .other(10)], total: 100, label: "60/100")
        let buffer = rendered(gauge, width: 20, height: 1)
        assertScreen(buffer, ["█████▓▓▒░░░░░ 60/100"])
        XCTAssertEqual(roles(buffer, row: 0).prefix(13), [
            "gauge.index", "gauge.index", "gauge.index", "gauge.index", "gauge.index",
            "gauge.scratch", "gauge.scratch", "gauge.other",
            "gauge.free", "gauge.free", "gauge.free", "gauge.free", "gauge.free",
        ])
        XCTAssertEqual(buffer[14, 0].style.role, Role.gaugeLabel)
    }

    func testSizes() {
        let gauge = MemoryGauge(segments: [.index(40), .scratch(10), .other(10)], total: 100, label: "60/100")
        let bar = String(repeating: "█", count: 13) + String(repeating: "▓", count: 4) + String(repeating: "▒", count: 3)
        assertScreen(rendered(gauge, width: 40, height: 1), [bar + String(repeating: "░", count: 13) + " 60/100"])
        assertScreen(rendered(gauge, width: 10, height: 1), ["██▓▒░ 60/…"])
        assertScreen(rendered(gauge, width: 6, height: 1), ["██▓▒░░"])
        var ascii = gauge
        ascii.charset = .ascii
        assertScreen(rendered(ascii, width: 12, height: 1), ["##=+. 60/100"])
    }

    func testTinyValuesStillShow() {
        let gauge = MemoryGauge(segments: [.index(1), .other(0), .scratch(0.5)], total: 1000)
        assertScreen(rendered(gauge, width: 10, height: 1), ["█▓░░░░░░░░"])
    }

    func testCellCounts() {
        XCTAssertEqual(MemoryGauge.cellCounts([80, 40], total: 100, width: 12), [8, 4], "overcommitted: scaled to the sum")
        XCTAssertEqual(MemoryGauge.cellCounts([50, 50], total: 100, width: 9), [5, 4])
        XCTAssertEqual(MemoryGauge.cellCounts([1, 1, 1], total: 3, width: 2), [1, 1, 0], "no cell to take when all have one")
        XCTAssertEqual(MemoryGauge.cellCounts([0, .nan, -5], total: 0, width: 10), [0, 0, 0])
        XCTAssertEqual(MemoryGauge.cellCounts([5], total: 10, width: 0), [0])
        for width in 1...50 {
            let counts = MemoryGauge.cellCounts([3, 17, 0.2, 40], total: 100, width: width)
            XCTAssertLessThanOrEqual(counts.reduce(0, +), width)
        }
    }
}

final class ProgressBarTests: XCTestCase {
    func testHalfDone() {
        let buffer = rendered(ProgressBar(fraction: 0.5), width: 20, height: 1)
        assertScreen(buffer, ["███████▌░░░░░░░  50%"])
        XCTAssertEqual(buffer[0, 0].style.role, Role.progress)
        XCTAssertEqual(buffer[8, 0].style.role, Role.progressTrack)
    }

    func testLabelAndSizes() {
        let bar = ProgressBar(fraction: 0.5, label: "Saving")
        assertScreen(rendered(bar, width: 30, height: 1), ["Saving █████████░░░░░░░░░  50%"])
        assertScreen(rendered(bar, width: 12, height: 1), ["Sav… █░  50%"])
        assertScreen(rendered(ProgressBar(fraction: 0.5), width: 5, height: 1), ["██▌░░"])
    }

    func testPercentageRoundsDown() {
        XCTAssertEqual(ProgressBar(fraction: 0.999).percentageText, "99%")
        XCTAssertEqual(ProgressBar(fraction: 1).percentageText, "100%")
        XCTAssertEqual(ProgressBar(fraction: 7).percentageText, "100%")
        XCTAssertEqual(ProgressBar(fraction: -1).percentageText, "0%")
        XCTAssertEqual(ProgressBar(fraction: .nan).percentageText, "0%")
        assertScreen(rendered(ProgressBar(fraction: 1), width: 10, height: 1), ["█████ 100%"])
        assertScreen(rendered(ProgressBar(fraction: 0), width: 10, height: 1), ["░░░░░   0%"])
    }

    func testASCII() {
        assertScreen(rendered(ProgressBar(fraction: 0.25, charset: .ascii), width: 14, height: 1), ["##-------  25%"])
    }
}

final class KeyHintsTests: XCTestCase {
    let hints = [KeyHint("q", "quit"), KeyHint("/", "filter"), KeyHint("Tab", "next pane"), KeyHint("?", "help")]

    func testAllFit() {
        let buffer = rendered(KeyHints(hints), width: 50, height: 1)
        assertScreen(buffer, [" q  quit   /  filter   Tab  next pane   ?  help   "])
        XCTAssertEqual(Array(roles(buffer, row: 0).prefix(4)), [Role.footerKey, Role.footerKey, Role.footerKey, Role.footerLabel])
    }

    func testDropsWholeHintsFromTheEnd() {
        assertScreen(rendered(KeyHints(hints), width: 40, height: 1), [" q  quit   /  filter   Tab  next pane … "])
        assertScreen(rendered(KeyHints(hints), width: 24, height: 1), [" q  quit   /  filter …  "])
        assertScreen(rendered(KeyHints(hints), width: 12, height: 1), [" q  quit …  "])
        assertScreen(rendered(KeyHints(hints, charset: .ascii), width: 12, height: 1), [" q  quit ..."])
    }

    func testFirstHintIsCutWhenNothingFits() {
        assertScreen(rendered(KeyHints([KeyHint("Enter", "open similar")]), width: 12, height: 1), [" Enter  ope…"])
        assertScreen(rendered(KeyHints([KeyHint("q", "quit")]), width: 8, height: 1), [" q  quit"])
    }
}

final class SparklineTests: XCTestCase {
    func testOneCellPerValueScaledToTheirRange() {
        XCTAssertEqual(Sparkline([0, 1, 2, 3, 4, 5, 6, 7]).text(width: 20), "▁▂▃▄▅▆▇█")
        XCTAssertEqual(Sparkline([0.9, 0.5, 0.1]).text(width: 20), "█▅▁", "the values' own range")
        XCTAssertEqual(Sparkline([2, 4], range: 0...8).text(width: 20), "▃▅", "a given range")
        XCTAssertEqual(Sparkline([20, -5], range: 0...8).text(width: 20), "█▁", "clamped to it")
        XCTAssertEqual(Sparkline([3, 3, 3]).text(width: 20), "███", "all equal: all full")
        XCTAssertEqual(Sparkline([1, .nan, 3]).text(width: 20), "▁▁█", "NaN at the bottom")
        XCTAssertEqual(Sparkline([]).text(width: 20), "")
        XCTAssertEqual(Sparkline([1, 2]).text(width: 0), "")
    }

    func testMoreValuesThanCellsKeepEachShareItsLargest() {
        // Eight values in four cells: a spike in any share still shows.
        XCTAssertEqual(Sparkline([0, 0, 0, 7, 0, 0, 0, 0]).text(width: 4), "▁█▁▁")
        XCTAssertEqual(Sparkline((0..<100).map(Double.init)).text(width: 8).count, 8)
    }

    func testASCIIAndRendering() {
        XCTAssertEqual(Sparkline([0, 1, 2, 3, 4, 5, 6, 7], charset: .ascii).text(width: 8), "_.,-=+*#")
        let buffer = rendered(Sparkline([1, 5, 3], style: Style(role: Role.progress)), width: 6, height: 1)
        assertScreen(buffer, ["▁█▅   "])
        XCTAssertEqual(roles(buffer, row: 0).prefix(3), [Role.progress, Role.progress, Role.progress])
    }
}

final class HistogramTests: XCTestCase {
    func testBarsScaledToTheLargestBinWithLabelsAndCounts() {
        let bins = [HistogramBin("0–9", count: 8), HistogramBin("10–19", count: 2), HistogramBin("20–29", count: 0),
                    HistogramBin("30–39", count: 1, note: "1 list")]
        // 22 columns: labels 5, notes 6 ("1 list"), two spaces: 9 cells (72 eighths) of bar.
        assertScreen(rendered(Histogram(bins), width: 22, height: 4), [
            "  0–9 █████████ 8     ",
            "10–19 ██▎ 2           ",
            "20–29  0              ",
            "30–39 █▏ 1 list       ",
        ])
    }

    func testEighthsAThinBarForAnythingAndASCII() {
        // 16 cells of bar: 1 of 100 is 1.28 eighths, drawn as the thinnest bar rather than nothing.
        let bins = [HistogramBin("a", count: 100), HistogramBin("b", count: 55), HistogramBin("c", count: 1)]
        assertScreen(rendered(Histogram(bins), width: 22, height: 3), [
            "a ████████████████ 100",
            "b ████████▊ 55        ",
            "c ▏ 1                 ",
        ])
        assertScreen(rendered(Histogram(bins, charset: .ascii), width: 22, height: 2), [
            "a ################ 100",
            "b ######## 55         ",
        ])
    }
}
