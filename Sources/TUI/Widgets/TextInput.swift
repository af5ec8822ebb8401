// A single-line text input: the editing state (a value in the model) and the widget that shows it.

/// The text being edited and the cursor, counted in graphemes (0 = before the first one).
public struct TextInputState: Equatable, Sendable {
    /// The text.
    public private(set) var text: String
    /// The cursor position in graphemes, 0…`text.count`.
    public private(set) var cursor: Int

    /// A state holding `text` with the cursor at its end.
    public init(text: String = "") {
        self.text = text
        self.cursor = text.count
    }

    /// A state holding `text` with the cursor at `cursor` (clamped).
    public init(text: String, cursor: Int) {
        self.text = text
        self.cursor = min(max(0, cursor), text.count)
    }

    private func index(_ offset: Int) -> String.Index {
        text.index(text.startIndex, offsetBy: offset)
    }

    // MARK: - Editing

    /// Inserts `string` at the cursor and moves the cursor after it. Combining marks join the
    /// grapheme before them, so the cursor is recounted rather than advanced.
    public mutating func insert(_ string: String) {
        let head = String(text[..<index(cursor)]) + string
        let tail = text[index(cursor)...]
        text = head + tail
        cursor = min(head.count, text.count)
    }

    /// Deletes the grapheme before the cursor (Backspace).
    public mutating func deleteBackward() {
        guard cursor > 0 else { return }
        text.remove(at: index(cursor - 1))
        cursor -= 1
    }

    /// Deletes the grapheme after the cursor (Delete).
    public mutating func deleteForward() {
        guard cursor < text.count else { return }
        text.remove(at: index(cursor))
    }

    /// Deletes everything before the cursor (Ctrl-U).
    public mutating func deleteToStart() {
        text.removeSubrange(text.startIndex..<index(cursor))
        cursor = 0
    }

    /// Deletes everything after the cursor (Ctrl-K).
    public mutating func deleteToEnd() {
        text.removeSubrange(index(cursor)...)
    }

    /// Deletes the word before the cursor and the spaces after it (Ctrl-W, as in a shell).
    public mutating func deleteWordBackward() {
        var start = cursor
        let characters = Array(text)
        while start > 0 && characters[start - 1].isWhitespace { start -= 1 }
        while start > 0 && !characters[start - 1].isWhitespace { start -= 1 }
        text.removeSubrange(index(start)..<index(cursor))
        cursor = start
    }

    /// Moves the cursor one grapheme left.
    public mutating func moveLeft() { cursor = max(0, cursor - 1) }
    /// Moves the cursor one grapheme right.
    public mutating func moveRight() { cursor = min(text.count, cursor + 1) }
    /// Moves the cursor to the start (Home, Ctrl-A).
    public mutating func moveToStart() { cursor = 0 }
    /// Moves the cursor to the end (End, Ctrl-E).
    public mutating func moveToEnd() { cursor = text.count }

    /// Replaces the text and puts the cursor at its end.
    public mutating func setText(_ newText: String) {
        text = newText
        cursor = newText.count
    }

    /// Applies an editing key: characters, Backspace (and Ctrl-H), Delete (and Ctrl-D), ←/→ (and
    /// Ctrl-B/F), Home/End (and Ctrl-A/E), Ctrl-U, Ctrl-K, Ctrl-W.
    /// - Returns: whether the key was an editing key (Enter, Esc, Tab, ↑/↓ are left to the caller).
    public mutating func handle(_ key: Key) -> Bool {
        switch key {
        case .character(let character): insert(String(character))
        case .backspace, .ctrl("h"): deleteBackward()
        case .delete, .ctrl("d"): deleteForward()
        case .left, .ctrl("b"): moveLeft()
        case .right, .ctrl("f"): moveRight()
        case .home, .ctrl("a"): moveToStart()
        case .end, .ctrl("e"): moveToEnd()
        case .ctrl("u"): deleteToStart()
        case .ctrl("k"): deleteToEnd()
        case .ctrl("w"): deleteWordBackward()
        default: return false
        }
        return true
    }
}

/// A one-row input: a prompt, the text (scrolled so the cursor stays visible), and, when focused,
/// the terminal cursor placed at the editing position. Shows a dim placeholder while empty.
public struct TextInput: Widget {
    /// The text and cursor.
    public var state: TextInputState
    /// Text before the input (":" or "/ "), in `input.prompt`.
    public var prompt: String
    /// Shown dim while the text is empty.
    public var placeholder: String
    /// Whether the input has the focus (then it sets the buffer's cursor).
    public var focused: Bool

    /// An input; see the properties for the parameters.
    public init(state: TextInputState, prompt: String = "", placeholder: String = "", focused: Bool = true) {
        self.state = state
        self.prompt = prompt
        self.placeholder = placeholder
        self.focused = focused
    }

    /// Draws the input in the first row of `area` and, when focused, sets `buffer.cursor`.
    public func render(into buffer: inout CellBuffer, area: Rect) {
        guard !area.isEmpty else { return }
        let line = area.row(0)
        let inputStyle = Style(role: Role.input)
        buffer.fill(line, style: inputStyle)
        let promptWidth = buffer.put(prompt, x: line.x, y: line.y, style: Style(role: Role.inputPrompt),
                                     maxWidth: line.width)
        let field = line.divided(atDistance: promptWidth, from: .left).remainder
        guard field.width > 0 else { return }

        if state.text.isEmpty {
            if !placeholder.isEmpty {
                buffer.put(truncate(placeholder, toWidth: field.width), x: field.x, y: field.y,
                           style: Style(role: Role.inputPlaceholder))
            }
            if focused { buffer.cursor = Point(x: field.x, y: field.y) }
            return
        }

        // Scroll so the cursor (which needs one free column at the end) stays inside the field.
        let characters = Array(state.text)
        let widths = characters.map { displayWidth(of: $0) }
        let cursorColumn = widths[..<state.cursor].reduce(0, +)
        var first = 0
        var skipped = 0
        while cursorColumn - skipped >= field.width && first < state.cursor {
            skipped += widths[first]
            first += 1
        }
        let visible = String(characters[first...])
        buffer.put(visible, x: field.x, y: field.y, style: inputStyle, maxWidth: field.width)
        if focused {
            buffer.cursor = Point(x: field.x + cursorColumn - skipped, y: field.y)
        }
    }
}
