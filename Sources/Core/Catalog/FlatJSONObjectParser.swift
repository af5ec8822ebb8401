/// Parses one JSON object per line quickly, keeping each value as text: strings unescaped,
/// numbers, booleans and null as written, nested arrays and objects as their raw JSON.
/// Catalog lines are flat objects, and a million of them must load in seconds, which
/// Foundation's JSONSerialization cannot do.
struct FlatJSONObjectParser {
    struct SyntaxError: Error {
        let column: Int
        let message: String
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var i = 0

    /// The (key, value) pairs of the object on `line`, in order.
    static func parse(_ line: UnsafeBufferPointer<UInt8>) throws -> [(String, String)] {
        var parser = FlatJSONObjectParser(bytes: line)
        return try parser.object()
    }

    private init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    private func fail(_ message: String) -> SyntaxError { SyntaxError(column: i + 1, message: message) }

    private mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0D || bytes[i] == 0x0A { i += 1 }
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws {
        skipSpace()
        guard i < bytes.count, bytes[i] == byte else { throw fail("expected \(what)") }
        i += 1
    }

    private mutating func object() throws -> [(String, String)] {
        try expect(UInt8(ascii: "{"), "'{' (each line must be a JSON object)")
        var fields = [(String, String)]()
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") {
            i += 1
        } else {
            while true {
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a quoted key") }
                let key = try string()
                try expect(UInt8(ascii: ":"), "':' after a key")
                skipSpace()
                fields.append((key, try value()))
                skipSpace()
                guard i < bytes.count else { throw fail("expected ',' or '}'") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "}") { i += 1; break }
                throw fail("expected ',' or '}'")
            }
        }
        skipSpace()
        guard i == bytes.count else { throw fail("unexpected text after the object") }
        return fields
    }

    private mutating func value() throws -> String {
        guard i < bytes.count else { throw fail("expected a value") }
        switch bytes[i] {
        case UInt8(ascii: "\""):
            return try string()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let start = i
            try skipNested()
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
        default:
            let start = i
            while i < bytes.count, !(bytes[i] == UInt8(ascii: ",") || bytes[i] == UInt8(ascii: "}") || bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0D) { i += 1 }
            let token = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
            guard token == "true" || token == "false" || token == "null" || Double(token) != nil else {
                i = start
                throw fail("expected a value, found '\(token.prefix(20))'")
            }
            return token == "null" ? "" : token
        }
    }

    /// Skips a nested array or object, minding strings.
    private mutating func skipNested() throws {
        var depth = 0
        while i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: "\""): _ = try string(); continue
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0 { i += 1; return }
            default: break
            }
            i += 1
        }
        throw fail("an array or object is not closed")
    }

    private mutating func string() throws -> String {
        i += 1  // opening quote
        let start = i
        var hasEscape = false
        while i < bytes.count, bytes[i] != UInt8(ascii: "\"") {
            if bytes[i] == UInt8(ascii: "\\") { hasEscape = true; i += 1 }
            i += 1
        }
        guard i < bytes.count else { throw fail("a string is not closed") }
        let raw = UnsafeBufferPointer(rebasing: bytes[start..<i])
        i += 1
        if !hasEscape { return String(decoding: raw, as: UTF8.self) }
        var out = [UInt8]()
        out.reserveCapacity(raw.count)
        var j = 0
        var scalars = String.UnicodeScalarView()
        func flush() {
            if !out.isEmpty { scalars.append(contentsOf: String(decoding: out, as: UTF8.self).unicodeScalars); out.removeAll() }
        }
        func hex4(_ at: Int) throws -> UInt32 {
            guard at + 4 <= raw.count, let v = UInt32(String(decoding: UnsafeBufferPointer(rebasing: raw[at..<(at + 4)]), as: UTF8.self), radix: 16)
            else { throw fail("a bad \\u escape") }
            return v
        }
        while j < raw.count {
            let b = raw[j]
            guard b == UInt8(ascii: "\\"), j + 1 < raw.count else { out.append(b); j += 1; continue }
            let e = raw[j + 1]
            j += 2
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                var code = try hex4(j)
                j += 4
                if (0xD800..<0xDC00).contains(code), j + 6 <= raw.count, raw[j] == UInt8(ascii: "\\"), raw[j + 1] == UInt8(ascii: "u") {
                    let low = try hex4(j + 2)
                    if (0xDC00..<0xE000).contains(low) {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        j += 6
                    }
                }
                flush()
                scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
            default: out.append(e)  // \" \\ \/
            }
        }
        flush()
        return String(scalars)
    }
}
