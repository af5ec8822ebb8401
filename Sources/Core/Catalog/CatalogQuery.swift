/// The text of a search box split into field predicates and the free text left for the name
/// filter: `section:web nginx`, `price<50`, `rating>=4 blanket`, `brand:"Acme Co"`.
///
/// A word is a predicate when it starts with a field name (a letter or `_`, then letters,
/// digits, `_`, `.`, `-`) followed by an operator and a value (which may be double-quoted, to
/// hold spaces):
/// - `field:value` — the field contains `value`, case-folded (`section:web` matches `web` and
///   `contrib/web`);
/// - `field=value` / `field!=value` — equal / not equal: as numbers when both parse as numbers
///   (`4` = `4.0`), else as case-folded text; a product without the field is not equal;
/// - `field<v`, `<=`, `>`, `>=` — numeric comparisons; `v` must be a number, and products
///   whose field is missing or not a number never pass.
/// Every other word (and any double-quoted word, such as `"http://x"`) is free text. All
/// predicates must hold (AND); the same field twice gives a range (`price>10 price<50`).
public struct CatalogQuery: Sendable, Equatable {
    /// One condition on one field.
    public struct Predicate: Sendable, Equatable, CustomStringConvertible {
        /// How the field's value is compared.
        public enum Comparison: String, Sendable, CaseIterable {
            case contains = ":"
            case equal = "="
            case notEqual = "!="
            case less = "<"
            case lessOrEqual = "<="
            case greater = ">"
            case greaterOrEqual = ">="

            /// Whether the comparison needs a number.
            public var isOrdering: Bool { self == .less || self == .lessOrEqual || self == .greater || self == .greaterOrEqual }
        }

        public let field: String
        public let comparison: Comparison
        /// The value as written (quotes removed).
        public let value: String
        /// The value as a number, when it parses as one.
        public let number: Double?

        public init(field: String, comparison: Comparison, value: String) {
            self.field = field
            self.comparison = comparison
            self.value = value
            number = CatalogQuery.number(value)
        }

        public var description: String {
            value.contains(" ") ? "\(field)\(comparison.rawValue)\"\(value)\"" : "\(field)\(comparison.rawValue)\(value)"
        }
    }

    /// The field conditions, in the order written.
    public let predicates: [Predicate]
    /// The words that are no predicates, joined by single spaces.
    public let text: String

    public init(predicates: [Predicate], text: String) {
        self.predicates = predicates
        self.text = text
    }

    /// Splits `input` into predicates and free text.
    /// - Throws: `CatalogFilterError.syntax` for an unclosed quote, an operator without a
    ///   value, or an ordering comparison whose value is not a number.
    public static func parse(_ input: String) throws -> CatalogQuery {
        var predicates = [Predicate]()
        var words = [String]()
        for token in try tokens(input) {
            if token.quoted {
                words.append(token.text)
                continue
            }
            guard let (field, comparison, rawValue) = split(token.text) else {
                words.append(token.text)
                continue
            }
            guard !rawValue.isEmpty || token.valueQuoted else {
                throw CatalogFilterError.syntax(expression: input, message: "'\(token.text)' needs a value after '\(comparison.rawValue)'")
            }
            let predicate = Predicate(field: field, comparison: comparison, value: rawValue)
            if comparison.isOrdering && predicate.number == nil {
                throw CatalogFilterError.syntax(expression: input,
                                                message: "'\(token.text)': '\(rawValue)' is not a number, and \(comparison.rawValue) compares numbers")
            }
            predicates.append(predicate)
        }
        return CatalogQuery(predicates: predicates, text: words.joined(separator: " "))
    }

    /// A field value or query value as a number (surrounding spaces ignored), if it is one.
    static func number(_ text: String) -> Double? {
        var trimmed = Substring(text)
        while let first = trimmed.utf8.first, first == 0x20 || first == 0x09 { trimmed = trimmed.dropFirst() }
        while let last = trimmed.utf8.last, last == 0x20 || last == 0x09 { trimmed = trimmed.dropLast() }
        guard !trimmed.isEmpty, let value = Double(trimmed), value.isFinite else { return nil }
        return value
    }

    private struct Token {
        var text = ""
        /// The whole word was quoted: free text.
        var quoted = false
        /// A quote opened after the start (`brand:"Acme Co"`): the value part was quoted.
        var valueQuoted = false
    }

    /// Words split at unquoted whitespace; quotes are removed.
    private static func tokens(_ input: String) throws -> [Token] {
        var out = [Token]()
        var current: Token?
        var inQuotes = false
        for c in input {
            if inQuotes {
                if c == "\"" { inQuotes = false } else { current!.text.append(c) }
                continue
            }
            if c.isWhitespace {
                if let token = current { out.append(token) }
                current = nil
            } else if c == "\"" {
                if current == nil { current = Token(quoted: true) } else { current!.valueQuoted = true }
                inQuotes = true
            } else {
                if current == nil { current = Token() }
                current!.text.append(c)
            }
        }
        if inQuotes { throw CatalogFilterError.syntax(expression: input, message: "a quote is not closed") }
        if let token = current { out.append(token) }
        return out
    }

    /// `name OP value`, if the word starts with a field name and an operator.
    private static func split(_ word: String) -> (String, Predicate.Comparison, String)? {
        let chars = Array(word)
        guard let first = chars.first, first.isLetter || first == "_" else { return nil }
        var i = 1
        while i < chars.count, chars[i].isLetter || chars[i].isNumber || chars[i] == "_" || chars[i] == "." || chars[i] == "-" { i += 1 }
        guard i < chars.count else { return nil }
        let name = String(chars[0..<i])
        let rest = chars[i...]
        // Two-character operators first.
        for comparison in [Predicate.Comparison.lessOrEqual, .greaterOrEqual, .notEqual, .contains, .equal, .less, .greater]
        where rest.starts(with: comparison.rawValue) {
            return (name, comparison, String(rest.dropFirst(comparison.rawValue.count)))
        }
        return nil
    }
}

/// A search-box filter that does not apply to a catalog.
public enum CatalogFilterError: Error, Equatable, CustomStringConvertible {
    /// The text cannot be read as a filter.
    case syntax(expression: String, message: String)
    /// A predicate names a field the catalog does not have.
    case unknownField(String, known: [String])

    public var description: String {
        switch self {
        case let .syntax(expression, message):
            return "filter \"\(expression)\": \(message)"
        case let .unknownField(field, known):
            return "filter: the catalog has no field '\(field)'; its fields are \(known.joined(separator: ", "))"
        }
    }
}
