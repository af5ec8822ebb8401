// The part of TOML (v1.0) that vectui's config file uses, read and written by hand: `key =
// value` lines with basic strings ("…" with \" \\ \b \t \n \f \r \uXXXX \UXXXXXXXX escapes)
// and literal strings ('…'), decimal integers, booleans, one-line arrays of strings, `[[name]]`
// array-of-tables headers, comments and blank lines. Anything else (dotted keys, inline tables,
// dates, floats, multi-line strings) is a problem on its line, reported and skipped: a config
// file never stops vectui.

/// A config file read as the TOML subset: top-level keys, then `[[name]]` tables in order.
struct TOMLDocument: Equatable, Sendable {
    /// A value of the subset.
    enum Value: Equatable, Sendable {
        case string(String)
        case integer(Int)
        case boolean(Bool)
        case strings([String])
    }

    /// One `key = value` line, with its line number (1-based) for messages.
    struct Entry: Equatable, Sendable {
        var key: String
        var value: Value
        var line: Int
    }

    /// One `[[name]]` table and its entries.
    struct Table: Equatable, Sendable {
        var name: String
        var line: Int
        var entries: [Entry]
    }

    /// A line that is not in the subset, and why.
    struct Problem: Equatable, Sendable, CustomStringConvertible {
        var line: Int
        var message: String
        var description: String { "line \(line): \(message)" }
    }

    /// The keys before the first table header.
    var entries: [Entry] = []
    /// The `[[name]]` tables, in file order.
    var tables: [Table] = []
    /// Lines that were skipped.
    var problems: [Problem] = []

    /// Reads `text`; lines outside the subset become `problems` and are skipped.
    /// - Complexity: O(n) in the text's length.
    init(parsing text: String) {
        var current: Table?
        var seen = Set<String>()
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = offset + 1
            var scanner = TOMLScanner(Array((rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine).unicodeScalars))
            scanner.skipSpaces()
            if scanner.atEndOrComment { continue }
            do {
                if scanner.peek == "[" {
                    let name = try scanner.tableHeader()
                    if let table = current { tables.append(table) }
                    current = Table(name: name, line: number, entries: [])
                    seen = []
                    continue
                }
                let key = try scanner.key()
                scanner.skipSpaces()
                guard scanner.take("=") else { throw TOMLScanner.Failure("expected = after the key '\(key)'") }
                scanner.skipSpaces()
                let value = try scanner.value()
                scanner.skipSpaces()
                guard scanner.atEndOrComment else { throw TOMLScanner.Failure("unexpected text after the value of '\(key)'") }
                guard seen.insert(key).inserted else { throw TOMLScanner.Failure("'\(key)' is set twice") }
                let entry = Entry(key: key, value: value, line: number)
                if current != nil { current!.entries.append(entry) } else { entries.append(entry) }
            } catch let failure as TOMLScanner.Failure {
                problems.append(Problem(line: number, message: failure.message))
            } catch {
                problems.append(Problem(line: number, message: "\(error)"))
            }
        }
        if let table = current { tables.append(table) }
    }

    // MARK: - Writing

    /// `key = value` as the subset writes it.
    static func line(_ key: String, _ value: Value) -> String {
        "\(bareKeyOrQuoted(key)) = \(text(of: value))"
    }

    /// A value as TOML text.
    static func text(of value: Value) -> String {
        switch value {
        case let .string(string): return quoted(string)
        case let .integer(integer): return String(integer)
        case let .boolean(boolean): return boolean ? "true" : "false"
        case let .strings(strings): return "[" + strings.map(quoted).joined(separator: ", ") + "]"
        }
    }

    /// A basic string: quotes, backslashes and control characters escaped.
    static func quoted(_ string: String) -> String {
        var text = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\t": text += "\\t"
            case "\r": text += "\\r"
            case "\u{08}": text += "\\b"
            case "\u{0C}": text += "\\f"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        return text + "\""
    }

    private static func bareKeyOrQuoted(_ key: String) -> String {
        !key.isEmpty && key.unicodeScalars.allSatisfy(TOMLScanner.isBareKeyScalar) ? key : quoted(key)
    }
}

/// Reads one line of the subset, scalar by scalar.
struct TOMLScanner {
    /// Why a line is not in the subset.
    struct Failure: Error {
        let message: String
        init(_ message: String) { self.message = message }
    }

    private let scalars: [Unicode.Scalar]
    private var position = 0

    init(_ scalars: [Unicode.Scalar]) {
        self.scalars = scalars
    }

    var peek: Unicode.Scalar? { position < scalars.count ? scalars[position] : nil }
    var atEndOrComment: Bool { peek == nil || peek == "#" }

    mutating func skipSpaces() {
        while let scalar = peek, scalar == " " || scalar == "\t" { position += 1 }
    }

    mutating func take(_ scalar: Unicode.Scalar) -> Bool {
        guard peek == scalar else { return false }
        position += 1
        return true
    }

    static func isBareKeyScalar(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "-"
    }

    /// `[[name]]` (a plain `[name]` table is not in the subset).
    mutating func tableHeader() throws -> String {
        guard take("["), take("[") else { throw Failure("only [[recent]] tables are read here, not [tables]") }
        skipSpaces()
        let name = try key()
        skipSpaces()
        guard take("]"), take("]") else { throw Failure("expected ]] after [[\(name)") }
        skipSpaces()
        guard atEndOrComment else { throw Failure("unexpected text after [[\(name)]]") }
        return name
    }

    /// A bare key, or a quoted one.
    mutating func key() throws -> String {
        if peek == "\"" || peek == "'" { return try string() }
        let start = position
        while let scalar = peek, TOMLScanner.isBareKeyScalar(scalar) { position += 1 }
        guard position > start else { throw Failure("expected a key (letters, digits, _ or -)") }
        if peek == "." { throw Failure("dotted keys are not read here") }
        return String(String.UnicodeScalarView(scalars[start..<position]))
    }

    /// A string, integer, boolean, or one-line array of strings.
    mutating func value() throws -> TOMLDocument.Value {
        switch peek {
        case "\"", "'":
            return .string(try string())
        case "[":
            position += 1
            var strings: [String] = []
            while true {
                skipSpaces()
                if take("]") { return .strings(strings) }
                guard peek == "\"" || peek == "'" else {
                    throw Failure(peek == nil ? "an array must close on its line (])" : "arrays here hold strings only")
                }
                strings.append(try string())
                skipSpaces()
                if take(",") { continue }
                guard take("]") else { throw Failure("expected , or ] in the array") }
                return .strings(strings)
            }
        case nil:
            throw Failure("expected a value after =")
        default:
            let start = position
            while let scalar = peek, scalar != " " && scalar != "\t" && scalar != "#" { position += 1 }
            let word = String(String.UnicodeScalarView(scalars[start..<position]))
            if word == "true" { return .boolean(true) }
            if word == "false" { return .boolean(false) }
            if let integer = TOMLScanner.integer(word) { return .integer(integer) }
            throw Failure("'\(word)' is not a string, integer, boolean or array of strings")
        }
    }

    /// A decimal integer as TOML writes it: an optional sign, digits with single `_` between
    /// them, no leading zero.
    static func integer(_ word: String) -> Int? {
        var digits = Substring(word)
        var negative = false
        if let sign = digits.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            digits = digits.dropFirst()
        }
        guard let first = digits.first, first.isASCII, first.isNumber, !(first == "0" && digits.count > 1),
              let last = digits.last, last.isASCII, last.isNumber, !digits.contains("__"),
              digits.allSatisfy({ ($0.isASCII && $0.isNumber) || $0 == "_" }) else { return nil }
        return Int((negative ? "-" : "") + digits.filter { $0 != "_" })
    }

    /// A basic ("…", escapes) or literal ('…', none) one-line string.
    mutating func string() throws -> String {
        let quote = peek!
        position += 1
        if quote == "\"" && take("\"") {
            if peek == "\"" { throw Failure("multi-line strings are not read here") }
            return ""
        }
        if quote == "'" && take("'") {
            if peek == "'" { throw Failure("multi-line strings are not read here") }
            return ""
        }
        var text = String.UnicodeScalarView()
        while true {
            guard let scalar = peek else { throw Failure("the string is not closed on its line") }
            position += 1
            if scalar == quote { return String(text) }
            if scalar.value < 0x20 && scalar != "\t" || scalar.value == 0x7F {
                throw Failure("control character U+\(String(scalar.value, radix: 16, uppercase: true)) in a string (escape it)")
            }
            guard quote == "\"" && scalar == "\\" else {
                text.append(scalar)
                continue
            }
            guard let escape = peek else { throw Failure("the string is not closed on its line") }
            position += 1
            switch escape {
            case "\"": text.append("\"")
            case "\\": text.append("\\")
            case "b": text.append("\u{08}")
            case "t": text.append("\t")
            case "n": text.append("\n")
            case "f": text.append("\u{0C}")
            case "r": text.append("\r")
            case "u", "U":
                let count = escape == "u" ? 4 : 8
                guard position + count <= scalars.count,
                      scalars[position..<position + count].allSatisfy(\.properties.isASCIIHexDigit),
                      let code = UInt32(String(String.UnicodeScalarView(scalars[position..<position + count])), radix: 16),
                      let decoded = Unicode.Scalar(code) else {
                    throw Failure("\\\(escape) needs \(count) hex digits of a Unicode scalar")
                }
                position += count
                text.append(decoded)
            default:
                throw Failure("unknown escape \\\(escape) in a string")
            }
        }
    }
}
