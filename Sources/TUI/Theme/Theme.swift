// Themes: roles → colours and attributes. Parsing is in Theme+Parsing.swift, file lookup and the
// automatic monochrome choice in Theme+Loading.swift, the built-in copies in Theme+BuiltIn.swift.

/// One of the 16 curses colours, or the terminal's own default.
public enum TerminalColor: Int, CaseIterable, Sendable {
    case `default` = -1
    case black = 0, red, green, yellow, blue, magenta, cyan, white
    case brightBlack, brightRed, brightGreen, brightYellow, brightBlue, brightMagenta, brightCyan, brightWhite

    /// The curses colour number (-1 for the default colour, 8…15 for the bright ones).
    public var cursesNumber: Int { rawValue }

    /// The name used in theme files: "default", "red", "bright-red", …
    public var name: String {
        switch self {
        case .default: return "default"
        case .black: return "black"
        case .red: return "red"
        case .green: return "green"
        case .yellow: return "yellow"
        case .blue: return "blue"
        case .magenta: return "magenta"
        case .cyan: return "cyan"
        case .white: return "white"
        case .brightBlack: return "bright-black"
        case .brightRed: return "bright-red"
        case .brightGreen: return "bright-green"
        case .brightYellow: return "bright-yellow"
        case .brightBlue: return "bright-blue"
        case .brightMagenta: return "bright-magenta"
        case .brightCyan: return "bright-cyan"
        case .brightWhite: return "bright-white"
        }
    }

    /// Parses a theme-file colour name, case-insensitively; "bright-red", "bright_red" and
    /// "brightred" are the same, and "gray"/"grey" mean bright-black.
    /// - Returns: nil for an unknown name.
    public init?(name: String) {
        let key = name.lowercased().filter { $0 != "-" && $0 != "_" }
        if key == "gray" || key == "grey" {
            self = .brightBlack
            return
        }
        guard let color = TerminalColor.allCases.first(where: { $0.name.filter { $0 != "-" } == key }) else {
            return nil
        }
        self = color
    }
}

/// How a role is drawn: colours and attributes.
public struct Appearance: Equatable, Hashable, Sendable {
    /// The text colour.
    public var foreground: TerminalColor
    /// The cell colour.
    public var background: TerminalColor
    /// Bold (bright) text.
    public var bold: Bool
    /// Swapped foreground and background.
    public var reverse: Bool
    /// Faint text.
    public var dim: Bool
    /// Underlined text.
    public var underline: Bool

    /// An appearance; by default the terminal's own colours and no attributes.
    public init(foreground: TerminalColor = .default, background: TerminalColor = .default,
                bold: Bool = false, reverse: Bool = false, dim: Bool = false, underline: Bool = false) {
        self.foreground = foreground
        self.background = background
        self.bold = bold
        self.reverse = reverse
        self.dim = dim
        self.underline = underline
    }
}

/// A named mapping from roles to appearances.
public struct Theme: Equatable, Sendable {
    /// The theme's name ("dark", or the file name without ".theme").
    public var name: String
    /// The roles the theme sets explicitly.
    public var appearances: [String: Appearance]

    /// A theme named `name` with the given role appearances.
    public init(name: String, appearances: [String: Appearance]) {
        self.name = name
        self.appearances = appearances
    }

    /// The appearance of `role`: its own entry, else its nearest parent's ("device.3" → "device"),
    /// else "text"'s, else the terminal's defaults.
    public func appearance(for role: String) -> Appearance {
        var key = Substring(role)
        while true {
            if let found = appearances[String(key)] { return found }
            guard let dot = key.lastIndex(of: ".") else { break }
            key = key[..<dot]
        }
        return appearances[Role.text] ?? Appearance()
    }

    /// The appearance of a cell's style: its role's, with the style's own bold and reverse added.
    public func appearance(for style: Style) -> Appearance {
        var result = appearance(for: style.role)
        result.bold = result.bold || style.bold
        result.reverse = result.reverse || style.reverse
        return result
    }
}
