import XCTest
@testable import TUI

final class KeyTests: XCTestCase {
    func testDecodingRawCodes() {
        XCTAssertEqual(Key(scalar: "a"), .character("a"))
        XCTAssertEqual(Key(scalar: "中"), .character("中"))
        XCTAssertEqual(Key(scalar: "\t"), .tab)
        XCTAssertEqual(Key(scalar: "\r"), .enter)
        XCTAssertEqual(Key(scalar: "\n"), .enter)
        XCTAssertEqual(Key(scalar: Unicode.Scalar(0x1B)), .escape)
        XCTAssertEqual(Key(scalar: Unicode.Scalar(0x7F)), .backspace)
        XCTAssertEqual(Key(scalar: Unicode.Scalar(0x08)), .backspace)
        XCTAssertEqual(Key(scalar: Unicode.Scalar(0x03)), .ctrl("c"))
        XCTAssertEqual(Key(scalar: Unicode.Scalar(0x15)), .ctrl("u"))
        XCTAssertEqual(Key(scalar: Unicode.Scalar(0x17)), .ctrl("w"))
        XCTAssertEqual(Key(scalar: Unicode.Scalar(0x1C)), .ctrl("\\"))
        XCTAssertNil(Key(scalar: Unicode.Scalar(0x85)))
    }

    func testNames() {
        XCTAssertEqual(Key(name: "q"), .character("q"))
        XCTAssertEqual(Key(name: "Enter"), .enter)
        XCTAssertEqual(Key(name: "esc"), .escape)
        XCTAssertEqual(Key(name: "shift-tab"), .backTab)
        XCTAssertEqual(Key(name: "ctrl-u"), .ctrl("u"))
        XCTAssertEqual(Key(name: "^W"), .ctrl("w"))
        XCTAssertEqual(Key(name: "F5"), .function(5))
        XCTAssertEqual(Key(name: "pgdn"), .pageDown)
        XCTAssertEqual(Key(name: "space"), .character(" "))
        XCTAssertNil(Key(name: "f99"))
        XCTAssertNil(Key(name: "hyper-x"))
    }

    func testDescriptions() {
        XCTAssertEqual(Key.ctrl("c").description, "Ctrl-C")
        XCTAssertEqual(Key.function(10).description, "F10")
        XCTAssertEqual(Key.character(" ").description, "Space")
        XCTAssertEqual(Key.pageUp.description, "PgUp")
        XCTAssertEqual(Key.character("?").description, "?")
        XCTAssertEqual(Key.mouse(MouseEvent(.press, row: 3, column: 10, modifiers: .control)).description,
                       "Mouse press left at 3,10 (ctrl)")
        XCTAssertEqual(Key.mouse(MouseEvent(.wheelDown, button: .none, row: 1, column: 2)).description, "Mouse wheelDown at 1,2")
    }
}

final class MouseClickTrackerTests: XCTestCase {
    func testASecondPressOnTheSameCellSoonIsADoubleClick() {
        var tracker = MouseClickTracker(interval: 0.4)
        let press = MouseEvent(.press, row: 5, column: 9)
        XCTAssertEqual(tracker.classify(press, at: 10.0).kind, .press)
        XCTAssertEqual(tracker.classify(MouseEvent(.release, row: 5, column: 9), at: 10.05).kind, .release)
        let double = tracker.classify(press, at: 10.3)
        XCTAssertEqual(double, MouseEvent(.doubleClick, row: 5, column: 9))
        XCTAssertEqual(tracker.classify(press, at: 10.4).kind, .press, "a third press starts over")
        XCTAssertEqual(tracker.classify(press, at: 10.7).kind, .doubleClick)
    }

    func testTooLateAnotherCellAnotherButtonOrTheWheelBetweenAreTwoPresses() {
        var tracker = MouseClickTracker(interval: 0.4)
        let press = MouseEvent(.press, row: 5, column: 9)
        XCTAssertEqual(tracker.classify(press, at: 1.0).kind, .press)
        XCTAssertEqual(tracker.classify(press, at: 1.41).kind, .press, "too late")
        XCTAssertEqual(tracker.classify(MouseEvent(.press, row: 5, column: 10), at: 1.5).kind, .press, "another cell")
        XCTAssertEqual(tracker.classify(MouseEvent(.press, button: .right, row: 5, column: 10), at: 1.6).kind, .press,
                       "another button")
        XCTAssertEqual(tracker.classify(MouseEvent(.wheelDown, button: .none, row: 5, column: 10), at: 1.65).kind, .wheelDown)
        XCTAssertEqual(tracker.classify(MouseEvent(.press, button: .right, row: 5, column: 10), at: 1.7).kind, .press,
                       "the wheel in between")
    }
}

final class NcursesKeyCodeTests: XCTestCase {
    func testCursesKeyCodes() {
        // The octal values of the KEY_* macros in <curses.h> (stable across ncurses versions).
        XCTAssertEqual(NcursesBackend.key(forCode: 0o403), .up)
        XCTAssertEqual(NcursesBackend.key(forCode: 0o402), .down)
        XCTAssertEqual(NcursesBackend.key(forCode: 0o404), .left)
        XCTAssertEqual(NcursesBackend.key(forCode: 0o405), .right)
        XCTAssertEqual(NcursesBackend.key(forCode: 0o406), .home)
        XCTAssertEqual(NcursesBackend.key(forCode: 0o550), .end)
        XCTAssertEqual(NcursesBackend.key(forCode: 0o523), .pageUp)
        XCTAssertEqual(NcursesBackend.key(forCode: 0o522), .pageDown)
        XCTAssertEqual(NcursesBackend.key(forCode: 0o512), .delete)
        XCTAssertEqual(NcursesBackend.key(forCode: 0o407), .backspace)
        XCTAssertEqual(NcursesBackend.key(forCode: 0o527), .enter)
        XCTAssertEqual(NcursesBackend.key(forCode: 0o541), .backTab)
        XCTAssertEqual(NcursesBackend.key(forCode: 0o632), .resize)
        XCTAssertEqual(NcursesBackend.key(forCode: 0o410 + 5), .function(5))
        XCTAssertNil(NcursesBackend.key(forCode: 0o410))
        XCTAssertNil(NcursesBackend.key(forCode: 0o631), "KEY_MOUSE is read with getmouse, not mapped to a key")
    }

    func testCursesMouseStates() {
        // NCURSES_MOUSE_VERSION 2: button b's bits are event << (5 × (b − 1)), with released 1,
        // pressed 2, clicked 4, double-clicked 8, triple-clicked 16; shift, ctrl, alt and motion
        // are 1, 2, 4 and 8 in "button" 6.
        func state(_ button: UInt32, _ event: UInt32) -> UInt32 { event << (5 * (button - 1)) }
        func decoded(_ bits: UInt32) -> MouseEvent? { NcursesBackend.mouseEvent(state: bits, row: 7, column: 300) }
        XCTAssertEqual(decoded(state(1, 2)), MouseEvent(.press, button: .left, row: 7, column: 300))
        XCTAssertEqual(decoded(state(1, 4)), MouseEvent(.press, button: .left, row: 7, column: 300), "a merged click acts as its press")
        XCTAssertEqual(decoded(state(1, 8)), MouseEvent(.doubleClick, button: .left, row: 7, column: 300))
        XCTAssertEqual(decoded(state(3, 1)), MouseEvent(.release, button: .right, row: 7, column: 300))
        XCTAssertEqual(decoded(state(2, 2) | state(6, 1) | state(6, 2)),
                       MouseEvent(.press, button: .middle, row: 7, column: 300, modifiers: [.shift, .control]))
        XCTAssertEqual(decoded(state(4, 2)), MouseEvent(.wheelUp, button: .none, row: 7, column: 300))
        XCTAssertEqual(decoded(state(5, 2) | state(6, 4)), MouseEvent(.wheelDown, button: .none, row: 7, column: 300, modifiers: .alt))
        XCTAssertEqual(decoded(state(6, 8)), MouseEvent(.moved, button: .none, row: 7, column: 300))
        XCTAssertNil(decoded(0))
    }

    func testRefusesToStartWithoutATerminal() throws {
        // Only where the test runner has no terminal (CI); never take over a developer's terminal.
        guard isatty(STDIN_FILENO) == 0 || isatty(STDOUT_FILENO) == 0 else {
            throw XCTSkip("standard input and output are a terminal")
        }
        XCTAssertThrowsError(try NcursesBackend()) { error in
            XCTAssertEqual(error as? TerminalError, .notATerminal)
        }
    }
}
