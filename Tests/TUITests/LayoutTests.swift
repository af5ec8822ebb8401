import XCTest
@testable import TUI

final class LayoutTests: XCTestCase {
    let screen = Rect(x: 0, y: 0, width: 80, height: 24)

    func testRowsWithFixedHeaderAndFooter() {
        let rows = screen.rows([.fixed(1), .remaining, .fixed(1)])
        XCTAssertEqual(rows, [
            Rect(x: 0, y: 0, width: 80, height: 1),
            Rect(x: 0, y: 1, width: 80, height: 22),
            Rect(x: 0, y: 23, width: 80, height: 1),
        ])
    }

    func testColumnsByRatioPercentAndFill() {
        XCTAssertEqual(screen.columns([.ratio(1, 3), .fill(1)]).map(\.width), [26, 54])
        XCTAssertEqual(screen.columns([.percent(25), .fill(1), .fill(2)]).map(\.width), [20, 20, 40])
        XCTAssertEqual(screen.columns([.fill(1), .fill(1), .fill(1)]).map(\.width), [27, 27, 26])
        XCTAssertEqual(screen.columns([.fill(1), .fill(1), .fill(1)]).map(\.x), [0, 27, 54])
    }

    func testSpacing() {
        let parts = Rect(x: 2, y: 1, width: 20, height: 5).columns([.fixed(5), .remaining, .fixed(4)], spacing: 1)
        XCTAssertEqual(parts.map(\.x), [2, 8, 18])
        XCTAssertEqual(parts.map(\.width), [5, 9, 4])
        XCTAssertEqual(parts.map(\.maxX).last, 22)
    }

    func testMinimumTakesItsShareOfTheRest() {
        XCTAssertEqual(Rect(x: 0, y: 0, width: 30, height: 1).columns([.min(10), .fixed(10)]).map(\.width), [20, 10])
        XCTAssertEqual(Rect(x: 0, y: 0, width: 30, height: 1).columns([.min(10), .fill(1)]).map(\.width), [20, 10])
    }

    func testOverfullSplitsShrinkFromTheEnd() {
        let parts = Rect(x: 0, y: 0, width: 10, height: 1).columns([.fixed(6), .fixed(6), .fixed(6)])
        XCTAssertEqual(parts.map(\.width), [6, 4, 0])
        XCTAssertEqual(parts.map(\.x), [0, 6, 10])
        XCTAssertEqual(Rect.zero.rows([.fixed(3), .remaining]).map(\.height), [0, 0])
    }

    func testSplitIsAPartitionAtManySizes() {
        for width in [0, 1, 7, 80, 120, 200] {
            let parts = Rect(x: 3, y: 0, width: width, height: 1)
                .columns([.fixed(10), .percent(30), .fill(2), .fill(1)], spacing: 1)
            var x = 3
            for part in parts {
                XCTAssertGreaterThanOrEqual(part.x, x)
                XCTAssertLessThanOrEqual(part.maxX, 3 + width)
                x = part.maxX
            }
        }
    }

    func testDividedInsetCentered() {
        let (top, rest) = screen.divided(atDistance: 3, from: .top)
        XCTAssertEqual(top, Rect(x: 0, y: 0, width: 80, height: 3))
        XCTAssertEqual(rest, Rect(x: 0, y: 3, width: 80, height: 21))
        let (right, left) = screen.divided(atDistance: 100, from: .right)
        XCTAssertEqual(right, screen)
        XCTAssertTrue(left.isEmpty)
        XCTAssertEqual(screen.inset(by: 1), Rect(x: 1, y: 1, width: 78, height: 22))
        XCTAssertEqual(Rect(x: 0, y: 0, width: 1, height: 1).inset(by: 1).size, Size(width: 0, height: 0))
        XCTAssertEqual(screen.centered(width: 40, height: 10), Rect(x: 20, y: 7, width: 40, height: 10))
        XCTAssertEqual(screen.centered(width: 100, height: 10).width, 80)
        XCTAssertEqual(screen.intersection(Rect(x: 70, y: 20, width: 20, height: 20)), Rect(x: 70, y: 20, width: 10, height: 4))
        XCTAssertTrue(screen.intersection(Rect(x: 90, y: 0, width: 5, height: 5)).isEmpty)
    }
}
