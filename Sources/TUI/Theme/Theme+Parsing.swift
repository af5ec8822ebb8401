// The theme file format, one role per line:
//
//     # comment (also after an entry)
//     role = foreground [on background] [bold] [reverse] [dim] [underline]
//
// Colours are the 16 curses colours by name ("red", "bright-blue", …) or "default" (the terminal's
// own). Either colour may be left out ("selection = reverse", "footer.key = on blue").

/// What went wrong finding, reading or parsing a theme.
public enum ThemeError: Error, Equatable, CustomStringConvertible {
    /// A line of a theme file could not be parsed.
    case syntax(file: String, line: Int, message: String)
    /// No theme of that name in the search paths or the built-ins.
    case unknownTheme(name: String, available: [String])
    /// A theme file exists but could not be read.
    case unreadable(path: String, reason: String)

    /// The message for the user: "dark.theme:12: unknown colour 'purpel' …".
    public var description: String {
        switch self {
        case let .syntax(file, line, message):
            return "\(file):\(line): \(message)"
        case let .unknownTheme(name, available):
            return "unknown theme '\(name)'; available themes: \(available.joined(separator: ", "))"
        case let .unreadable(path, reason):
            return "cannot read theme file \(path): \(reason)"
        }
    }
}

extension Theme {
    /// The attribute words a theme line may end with.
    public static let attributeNames = ["bold", "reverse", "dim", "underline"]

    /// Parses theme-file text.
    /// - Parameters:
    ///   - text: the file's contents.
    ///   - name: the theme's name.
    ///   - file: the file name used in error messages (default: `name.theme`).
    /// - Returns: the theme.
    /// - Throws: `ThemeError.syntax` naming the file and the first bad line.
    public static func parse(_ text: String, name: String, file: String? = nil) throws -> Theme {
        let fileName = file ?? "\(name).theme"
        var appearances: [String: Appearance] = [:]
        var definedOn: [String: Int] = [:]
        var lineNumber = 0
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            func fail(_ message: String) -> ThemeError {
                .syntax(file: fileName, line: lineNumber, message: message)
            }
            var line = Substring(rawLine)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let content = line.trimmingWhitespace()
            if content.isEmpty { continue }

            guard let equals = content.firstIndex(of: "=") else {
                throw fail("expected 'role = foreground [on background] [attributes]', found '\(content)'")
            }
            let role = String(content[..<equals]).trimmingWhitespace()
            guard !role.isEmpty else { throw fail("missing role name before '='") }
            guard role.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" }) else {
                throw fail("invalid role name '\(role)' (letters, digits, '.', '-' and '_' only)")
            }
            if let first = definedOn[role] { throw fail("role '\(role)' is already set on line \(first)") }

            let words = content[content.index(after: equals)...].split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard !words.isEmpty else { throw fail("no colours or attributes for role '\(role)'") }
            var appearance = Appearance()
            var index = 0
            func color(_ word: Substring) throws -> TerminalColor {
                guard let color = TerminalColor(name: String(word)) else {
                    let known = TerminalColor.allCases.map(\.name).joined(separator: ", ")
                    throw fail("unknown colour '\(word)' for role '\(role)'; colours: \(known)")
                }
                return color
            }
            if words[index].lowercased() != "on" && !attributeNames.contains(words[index].lowercased()) {
                appearance.foreground = try color(words[index])
                index += 1
            }
            if index < words.count && words[index].lowercased() == "on" {
                guard index + 1 < words.count else { throw fail("missing background colour after 'on'") }
                appearance.background = try color(words[index + 1])
                index += 2
            }
            while index < words.count {
                switch words[index].lowercased() {
                case "bold": appearance.bold = true
                case "reverse": appearance.reverse = true
                case "dim": appearance.dim = true
                case "underline": appearance.underline = true
                default:
                    let word = words[index]
                    if TerminalColor(name: String(word)) != nil {
                        throw fail("unexpected colour '\(word)' (write 'foreground on background')")
                    }
                    throw fail("unknown attribute '\(word)'; attributes: \(attributeNames.joined(separator: ", "))")
                }
                index += 1
            }
            appearances[role] = appearance
            definedOn[role] = lineNumber
        }
        return Theme(name: name, appearances: appearances)
    }

    /// The theme as theme-file text (roles sorted), which `parse` reads back to an equal theme.
    public func serialized() -> String {
        appearances.keys.sorted().map { role in
            let appearance = appearances[role]!
            var words = [appearance.foreground.name, "on", appearance.background.name]
            if appearance.bold { words.append("bold") }
            if appearance.reverse { words.append("reverse") }
            if appearance.dim { words.append("dim") }
            if appearance.underline { words.append("underline") }
            return "\(role) = \(words.joined(separator: " "))\n"
        }.joined()
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and carriage returns.
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }) else { return "" }
        let end = lastIndex(where: { !isSpace($0) })!
        return String(self[start...end])
    }
}
