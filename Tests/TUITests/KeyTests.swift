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
        XCTAssertNil(NcursesBackend.key(forCode: 0o631), "KEY_MOUSE is not used")
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
