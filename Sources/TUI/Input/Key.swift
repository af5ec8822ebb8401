// Keys as the UI sees them, independent of curses: backends translate their codes (and mouse
// reports) into these.

/// One key press (or a terminal resize, which arrives through the same input stream).
public enum Key: Hashable, Sendable {
    /// A printable character (a whole grapheme as typed, e.g. "a", "中", "é").
    case character(Character)
    case enter
    case escape
    case tab
    /// Shift-Tab.
    case backTab
    case backspace
    /// Forward delete.
    case delete
    case insert
    case up, down, left, right
    case home, end
    case pageUp, pageDown
    /// F1…F63.
    case function(Int)
    /// Control plus a key: a lowercase letter or one of `@ [ \ ] ^ _` (`.ctrl("c")` is Ctrl-C).
    case ctrl(Character)
    /// The terminal changed size; read the new size from the backend.
    case resize
    /// A mouse event (backends report them only while mouse reporting is on).
    case mouse(MouseEvent)

    /// The key for a character code from a terminal in raw mode (UTF-32 scalar, not a curses key code):
    /// Tab, Enter (CR or LF), Escape, Backspace (DEL or ^H), Ctrl-letters and printable characters.
    /// - Returns: nil for NUL and other codes that are not keys.
    public init?(scalar: Unicode.Scalar) {
        switch scalar.value {
        case 0x09: self = .tab
        case 0x0A, 0x0D: self = .enter
        case 0x1B: self = .escape
        case 0x08, 0x7F: self = .backspace
        case 0x01...0x1A:
            self = .ctrl(Character(Unicode.Scalar(UInt8(scalar.value) + 0x60)))
        case 0x00: self = .ctrl("@")
        case 0x1C...0x1F:
            self = .ctrl(Character(Unicode.Scalar(UInt8(scalar.value) + 0x40)))
        case 0x80..<0xA0: return nil
        default: self = .character(Character(scalar))
        }
    }

    /// Parses a key name as written in key maps and tests: "a", "enter", "esc", "tab",
    /// "shift-tab", "backspace", "delete", "up", "pgdn", "f5", "ctrl-u" / "^u", "space".
    /// - Returns: nil for an unknown name.
    public init?(name: String) {
        let lower = name.lowercased()
        if name.count == 1, let character = name.first {
            self = .character(character)
            return
        }
        switch lower {
        case "enter", "return": self = .enter
        case "esc", "escape": self = .escape
        case "tab": self = .tab
        case "shift-tab", "backtab", "s-tab": self = .backTab
        case "backspace", "bs": self = .backspace
        case "delete", "del": self = .delete
        case "insert", "ins": self = .insert
        case "up": self = .up
        case "down": self = .down
        case "left": self = .left
        case "right": self = .right
        case "home": self = .home
        case "end": self = .end
        case "pageup", "pgup": self = .pageUp
        case "pagedown", "pgdn": self = .pageDown
        case "space": self = .character(" ")
        case "resize": self = .resize
        default:
            if lower.hasPrefix("ctrl-") || lower.hasPrefix("c-") || lower.hasPrefix("^") {
                let rest = lower.drop(while: { $0 != "-" && $0 != "^" }).dropFirst()
                guard rest.count == 1, let character = rest.first else { return nil }
                self = .ctrl(character)
            } else if lower.hasPrefix("f"), let number = Int(lower.dropFirst()), number >= 1, number <= 63 {
                self = .function(number)
            } else {
                return nil
            }
        }
    }
}

extension Key: CustomStringConvertible {
    /// How the key is shown in hints and help: "a", "Enter", "Esc", "Ctrl-U", "F5", "PgDn".
    public var description: String {
        switch self {
        case .character(" "): return "Space"
        case .character(let character): return String(character)
        case .enter: return "Enter"
        case .escape: return "Esc"
        case .tab: return "Tab"
        case .backTab: return "Shift-Tab"
        case .backspace: return "Backspace"
        case .delete: return "Del"
        case .insert: return "Ins"
        case .up: return "↑"
        case .down: return "↓"
        case .left: return "←"
        case .right: return "→"
        case .home: return "Home"
        case .end: return "End"
        case .pageUp: return "PgUp"
        case .pageDown: return "PgDn"
        case .function(let number): return "F\(number)"
        case .ctrl(let character): return "Ctrl-\(character.uppercased())"
        case .resize: return "Resize"
        case .mouse(let event): return "Mouse \(event)"
        }
    }
}
