import XCTest
@testable import TUI

final class TextInputStateTests: XCTestCase {
    private func typed(_ keys: [Key], into state: TextInputState = TextInputState()) -> TextInputState {
        var state = state
        for key in keys { XCTAssertTrue(state.handle(key), "\(key) should be an editing key") }
        return state
    }

    private func characters(_ text: String) -> [Key] { text.map { .character($0) } }

    func testInsertAndCursor() {
        let state = typed(characters("gpu0"))
        XCTAssertEqual(state.text, "gpu0")
        XCTAssertEqual(state.cursor, 4)
        let middle = typed([.home] + characters("move "), into: state)
        XCTAssertEqual(middle.text, "move gpu0")
        XCTAssertEqual(middle.cursor, 5)
    }

    func testBackspaceAndDelete() {
        var state = typed(characters("abcd") + [.left, .left, .backspace])
        XCTAssertEqual(state.text, "acd")
        XCTAssertEqual(state.cursor, 1)
        state = typed([.delete], into: state)
        XCTAssertEqual(state.text, "ad")
        XCTAssertEqual(state.cursor, 1)
        state = typed([.home, .backspace, .end, .delete], into: state)
        XCTAssertEqual(state.text, "ad", "backspace at the start and delete at the end do nothing")
        XCTAssertEqual(state.cursor, 2)
        state = typed([.ctrl("h")], into: state)
        XCTAssertEqual(state.text, "a")
    }

    func testLeftRightHomeEndStayInRange() {
        var state = TextInputState(text: "中文")
        state = typed([.right, .right], into: state)
        XCTAssertEqual(state.cursor, 2)
        state = typed([.left, .left, .left], into: state)
        XCTAssertEqual(state.cursor, 0)
        state = typed([.end], into: state)
        XCTAssertEqual(state.cursor, 2)
        state = typed([.ctrl("a")], into: state)
        XCTAssertEqual(state.cursor, 0)
        state = typed([.ctrl("e")], into: state)
        XCTAssertEqual(state.cursor, 2)
    }

    func testCtrlU() {
        var state = TextInputState(text: "move gpu0", cursor: 5)
        state = typed([.ctrl("u")], into: state)
        XCTAssertEqual(state.text, "gpu0")
        XCTAssertEqual(state.cursor, 0)
        state = typed([.end, .ctrl("u")], into: state)
        XCTAssertEqual(state.text, "")
    }

    func testCtrlW() {
        var state = TextInputState(text: "save /tmp/out.index  ")
        state = typed([.ctrl("w")], into: state)
        XCTAssertEqual(state.text, "save ")
        state = typed([.ctrl("w")], into: state)
        XCTAssertEqual(state.text, "")
        state = typed([.ctrl("w")], into: state)
        XCTAssertEqual(state.text, "")

        var middle = TextInputState(text: "k 20 now", cursor: 4)
        middle = typed([.ctrl("w")], into: middle)
        XCTAssertEqual(middle.text, "k  now")
        XCTAssertEqual(middle.cursor, 2)
    }

    func testCtrlK() {
        let state = typed([.ctrl("k")], into: TextInputState(text: "theme light", cursor: 5))
        XCTAssertEqual(state.text, "theme")
        XCTAssertEqual(state.cursor, 5)
    }

    func testCombiningMarkJoinsThePreviousCharacter() {
        let state = typed([.character("e"), .character("\u{301}"), .character("x")])
        XCTAssertEqual(state.text, "e\u{301}x")
        XCTAssertEqual(state.text.count, 2)
        XCTAssertEqual(state.cursor, 2)
    }

    func testCJKEditing() {
        let state = typed(characters("中文标题") + [.left, .backspace])
        XCTAssertEqual(state.text, "中文题")
        XCTAssertEqual(state.cursor, 2)
    }

    func testNonEditingKeysAreLeftToTheCaller() {
        var state = TextInputState(text: "x")
        for key in [Key.enter, .escape, .tab, .up, .down, .resize, .function(1)] {
            XCTAssertFalse(state.handle(key))
        }
        XCTAssertEqual(state, TextInputState(text: "x"))
    }
}

final class TextInputWidgetTests: XCTestCase {
    func testPromptTextAndCursor() {
        var buffer = CellBuffer(width: 12, height: 1)
        buffer.render(TextInput(state: TextInputState(text: "k 20"), prompt: ":"), in: buffer.area)
        assertScreen(buffer, [":k 20       "])
        XCTAssertEqual(buffer.cursor, Point(x: 5, y: 0))
        XCTAssertEqual(buffer[0, 0].style.role, Role.inputPrompt)
        XCTAssertEqual(buffer[1, 0].style.role, Role.input)
        XCTAssertEqual(buffer[11, 0].style.role, Role.input)
    }

    func testScrollsToKeepTheCursorVisible() {
        var buffer = CellBuffer(width: 10, height: 1)
        buffer.render(TextInput(state: TextInputState(text: "move gpu0"), prompt: ":"), in: buffer.area)
        assertScreen(buffer, [":ove gpu0 "])
        XCTAssertEqual(buffer.cursor, Point(x: 9, y: 0))

        var start = CellBuffer(width: 10, height: 1)
        start.render(TextInput(state: TextInputState(text: "move gpu0 now", cursor: 0), prompt: ":"), in: start.area)
        assertScreen(start, [":move gpu0"])
        XCTAssertEqual(start.cursor, Point(x: 1, y: 0))
    }

    func testWideTextScrollsByWholeGlyphs() {
        var buffer = CellBuffer(width: 8, height: 1)
        buffer.render(TextInput(state: TextInputState(text: "中文标题"), prompt: "/ "), in: buffer.area)
        assertScreen(buffer, ["/ 标题  "])
        XCTAssertEqual(buffer.cursor, Point(x: 6, y: 0))

        var middle = CellBuffer(width: 8, height: 1)
        middle.render(TextInput(state: TextInputState(text: "中文标题", cursor: 1), prompt: "/ "), in: middle.area)
        assertScreen(middle, ["/ 中文标"])
        XCTAssertEqual(middle.cursor, Point(x: 4, y: 0))
    }

    func testPlaceholderAndUnfocused() {
        var buffer = CellBuffer(width: 16, height: 1)
        buffer.render(TextInput(state: TextInputState(), prompt: "/ ", placeholder: "filter products"), in: buffer.area)
        assertScreen(buffer, ["/ filter produc…"])
        XCTAssertEqual(buffer[2, 0].style.role, Role.inputPlaceholder)
        XCTAssertEqual(buffer.cursor, Point(x: 2, y: 0))

        var unfocused = CellBuffer(width: 8, height: 1)
        unfocused.render(TextInput(state: TextInputState(text: "abc"), focused: false), in: unfocused.area)
        assertScreen(unfocused, ["abc     "])
        XCTAssertNil(unfocused.cursor)
    }
}
