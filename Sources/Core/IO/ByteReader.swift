/// Reads little-endian fields from a byte buffer, checking every read against the bytes left
/// so that no header field can make the caller read or allocate past the end of the file.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    let path: String
    private(set) var offset = 0

    init(bytes: UnsafeRawBufferPointer, path: String) {
        self.bytes = bytes
        self.path = path
    }

    var remaining: Int { bytes.count - offset }

    func error(at position: Int? = nil, expected: String, found: String) -> FileFormatError {
        FileFormatError(path: path, offset: position ?? offset, expected: expected, found: found)
    }

    /// Fails unless `count` more bytes are there.
    func require(_ count: Int, _ what: String) throws {
        guard count <= remaining else {
            throw error(expected: "\(what) (\(count) bytes)",
                        found: remaining == 0 ? "end of file" : "only \(remaining) bytes before end of file")
        }
    }

    mutating func integer<T: FixedWidthInteger>(_: T.Type, _ what: String) throws -> T {
        try require(MemoryLayout<T>.size, what)
        let value = T(littleEndian: bytes.baseAddress!.loadUnaligned(fromByteOffset: offset, as: T.self))
        offset += MemoryLayout<T>.size
        return value
    }

    mutating func float(_ what: String) throws -> Float {
        Float(bitPattern: try integer(UInt32.self, what))
    }

    /// A one-byte bool, which FAISS (since 1.15) requires to be exactly 0 or 1.
    mutating func bool(_ what: String) throws -> Bool {
        let start = offset
        let byte = try integer(UInt8.self, what)
        guard byte <= 1 else { throw error(at: start, expected: "\(what) as a bool (0 or 1)", found: "\(byte)") }
        return byte == 1
    }

    /// Moves past `count` bytes, failing unless they are there.
    mutating func skip(_ count: Int, _ what: String) throws {
        try require(count, what)
        offset += count
    }

    mutating func fourCC(_ what: String) throws -> FourCC {
        try require(4, what)
        let code = FourCC(bytes: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + 4)]))
        offset += 4
        return code
    }

    /// A FAISS size-prefixed vector header: a u64 element count, checked so that
    /// `count × elementSize` bytes really follow. Returns the count and the payload's offset,
    /// and moves past the payload.
    mutating func vectorPayload(elementSize: Int, elementName: String, _ what: String) throws -> (count: Int, offset: Int) {
        let start = offset
        let raw = try integer(UInt64.self, "\(what) count")
        let (bytesNeeded, overflow) = raw.multipliedReportingOverflow(by: UInt64(elementSize))
        guard !overflow, bytesNeeded <= UInt64(remaining) else {
            throw error(at: start, expected: "\(what): \(raw) \(elementName) of \(elementSize) bytes",
                        found: "only \(remaining) bytes after the count")
        }
        let payloadOffset = offset
        offset += Int(bytesNeeded)
        return (Int(raw), payloadOffset)
    }
}

/// A FAISS four-character tag, held as its four bytes.
public struct FourCC: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    init(bytes raw: UnsafeRawBufferPointer) { bytes = Array(raw) }

    public init(_ text: StaticString) {
        bytes = text.withUTF8Buffer { Array($0) }
        precondition(bytes.count == 4)
    }

    /// The tag as text when printable, else as hex bytes.
    public var description: String {
        if bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) { return "'" + String(decoding: bytes, as: UTF8.self) + "'" }
        return "bytes " + bytes.map { String($0, radix: 16).leftPadded(to: 2) }.joined(separator: " ")
    }

    /// The four characters, as FAISS writes them.
    public var text: String { String(decoding: bytes, as: UTF8.self) }
}

extension String {
    /// The string padded on the left to `width` characters (hex bytes, aligned columns).
    public func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
