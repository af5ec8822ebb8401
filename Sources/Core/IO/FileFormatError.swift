/// A file's bytes are not what its format allows: names the file, the byte offset, what was
/// expected there and what was found.
public struct FileFormatError: Error, Equatable, CustomStringConvertible {
    public let path: String
    public let offset: Int
    public let expected: String
    public let found: String

    public init(path: String, offset: Int, expected: String, found: String) {
        self.path = path
        self.offset = offset
        self.expected = expected
        self.found = found
    }

    public var description: String { "\(path): at byte \(offset): expected \(expected), found \(found)" }
}

/// A FAISS index type (or metric) this version of VecTUI recognises but cannot load yet.
public struct UnsupportedIndexError: Error, Equatable, CustomStringConvertible {
    public let path: String
    public let offset: Int
    public let what: String

    public init(path: String, offset: Int, what: String) {
        self.path = path
        self.offset = offset
        self.what = what
    }

    public var description: String { "\(path): at byte \(offset): \(what) is not supported yet" }
}
