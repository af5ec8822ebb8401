import XCTest
@testable import TUI

final class TerminalTests: XCTestCase {
    private func frame(_ text: String, width: Int = 10, height: Int = 3, at point: Point = Point(x: 0, y: 0)) -> CellBuffer {
        var buffer = CellBuffer(width: width, height: height)
        buffer.put(text, x: point.x, y: point.y)
        return buffer
    }

    func testFirstFrameClearsAndDrawsEverything() {
        let backend = TestBackend(width: 10, height: 3)
        let terminal = Terminal(backend: backend)
        XCTAssertEqual(terminal.present(frame("hello")), 30)
        XCTAssertEqual(backend.clearCount, 1)
        XCTAssertEqual(backend.text, ["hello     ", "          ", "          "])
        XCTAssertEqual(backend.frames.count, 1)
    }

    func testOnlyChangedCellsAreSent() {
        let backend = TestBackend(width: 10, height: 3)
        let terminal = Terminal(backend: backend)
        terminal.present(frame("hello"))
        XCTAssertEqual(terminal.present(frame("hello")), 0)
        XCTAssertEqual(backend.drawCalls.count, 1, "an unchanged frame sends nothing")
        XCTAssertEqual(terminal.present(frame("help")), 2)
        XCTAssertEqual(backend.drawCalls.last, [CellRun(x: 3, y: 0, cells: [Cell("p"), Cell(" ")])])
        XCTAssertEqual(backend.text[0], "help      ")
        XCTAssertEqual(backend.clearCount, 1)
        XCTAssertEqual(backend.frames.count, 3)
    }

    func testWideGlyphChangesReachTheScreenIntact() {
        let backend = TestBackend(width: 6, height: 1)
        let terminal = Terminal(backend: backend)
        terminal.present(frame("中文", width: 6, height: 1))
        var next = frame("中文", width: 6, height: 1)
        next.put("x", x: 1, y: 0)
        terminal.present(next)
        XCTAssertEqual(backend.text, [" x文  "])
        XCTAssertEqual(backend.screen, next)
    }

    func testCursorIsPassedThrough() {
        let backend = TestBackend(width: 10, height: 1)
        let terminal = Terminal(backend: backend)
        var buffer = CellBuffer(width: 10, height: 1)
        buffer.render(TextInput(state: TextInputState(text: "ab"), prompt: ":"), in: buffer.area)
        terminal.present(buffer)
        terminal.present(frame("", width: 10, height: 1))
        XCTAssertEqual(backend.cursors, [Point(x: 3, y: 0), nil])
    }

    func testResizeRedrawsEverything() {
        let backend = TestBackend(width: 10, height: 3)
        let terminal = Terminal(backend: backend)
        terminal.present(frame("hello"))
        backend.resize(to: Size(width: 12, height: 2))
        XCTAssertEqual(backend.readKey(timeoutMilliseconds: 10), .resize)
        XCTAssertEqual(terminal.size, Size(width: 12, height: 2))
        XCTAssertEqual(terminal.present(frame("hello", width: 12, height: 2)), 24)
        XCTAssertEqual(backend.clearCount, 2)
        XCTAssertEqual(backend.text, ["hello       ", "            "])
    }

    func testInvalidateForcesAFullRedraw() {
        let backend = TestBackend(width: 4, height: 1)
        let terminal = Terminal(backend: backend)
        terminal.present(frame("ab", width: 4, height: 1))
        terminal.invalidate()
        XCTAssertEqual(terminal.present(frame("ab", width: 4, height: 1)), 4)
        XCTAssertEqual(backend.clearCount, 2)
    }

    func testChangingTheThemeRedrawsEverything() {
        let backend = TestBackend(width: 4, height: 1)
        let terminal = Terminal(backend: backend)
        terminal.present(frame("ab", width: 4, height: 1))
        terminal.theme = .light
        XCTAssertEqual(backend.theme, .light)
        XCTAssertEqual(terminal.present(frame("ab", width: 4, height: 1)), 4)
    }

    func testScriptedKeysAndShutdown() {
        let backend = TestBackend(keys: [.character("q"), .ctrl("c")])
        XCTAssertEqual(backend.readKey(timeoutMilliseconds: 100), .character("q"))
        XCTAssertEqual(backend.readKey(timeoutMilliseconds: 100), .ctrl("c"))
        XCTAssertNil(backend.readKey(timeoutMilliseconds: 100))
        backend.shutdown()
        backend.shutdown()
        XCTAssertEqual(backend.shutdownCount, 2)
        XCTAssertNil(backend.terminationSignal)
    }
}
