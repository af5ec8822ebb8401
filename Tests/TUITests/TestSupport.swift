import XCTest
@testable import TUI

/// Compares a buffer's text with the expected lines; a failure prints both screens framed by `|`.
func assertScreen(_ buffer: CellBuffer, _ expected: [String], file: StaticString = #filePath, line: UInt = #line) {
    let actual = buffer.renderText()
    XCTAssertTrue(buffer.checkInvariants(), "wide-glyph invariant broken", file: file, line: line)
    guard actual != expected else { return }
    let framed: ([String]) -> String = { $0.map { "|\($0)|" }.joined(separator: "\n") }
    XCTFail("screen differs\n--- expected\n\(framed(expected))\n--- actual\n\(framed(actual))", file: file, line: line)
}

/// Renders `widget` into a fresh `width` × `height` buffer, filling all of it.
func rendered(_ widget: some Widget, width: Int, height: Int) -> CellBuffer {
    var buffer = CellBuffer(width: width, height: height)
    buffer.render(widget, in: buffer.area)
    return buffer
}

/// The roles of one row's cells (continuations skipped), to check styling.
func roles(_ buffer: CellBuffer, row: Int) -> [String] {
    (0..<buffer.width).map { buffer[$0, row] }.filter { $0.width > 0 }.map(\.style.role)
}
