import Core
import Encoder
import Foundation

/// The text model chosen for each index (`--model` or `--embed-url` on `vectui open`),
/// remembered so that opening the index again asks with the same model. One small JSON file,
/// `$XDG_CONFIG_HOME/vectui/embedders.json` (`~/.config/vectui/embedders.json`), keyed by the
/// index's absolute path and written atomically. A file that cannot be read as such is
/// ignored (and replaced on the next write), never fatal.
struct EmbedderMemory: Sendable {
    /// The file's layout; `version` lets a later release read or replace older files.
    struct Contents: Codable, Equatable {
        var version = EmbedderMemory.version
        var indexes: [String: EmbedderChoice] = [:]
    }

    static let version = 1

    /// The JSON file.
    let path: String

    /// The memory in `path`, or in the user's config folder.
    init(path: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
        if let path {
            self.path = path
        } else {
            let config = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
                ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.config"
            self.path = config + "/vectui/embedders.json"
        }
    }

    /// The key for an index file: its absolute, standardised path (symlinks resolved), so
    /// `products.index` and `./data/../products.index` are one index.
    static func key(for indexPath: String) -> String {
        let expanded = (indexPath as NSString).expandingTildeInPath
        let absolute = expanded.hasPrefix("/") ? expanded : FileManager.default.currentDirectoryPath + "/" + expanded
        return URL(fileURLWithPath: absolute).standardizedFileURL.resolvingSymlinksInPath().path
    }

    /// What the file holds: nil when there is no file yet.
    /// - Throws: `EmbedderMemoryError` when the file exists but is unreadable or not ours.
    func contents() throws -> Contents? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EmbedderMemoryError(description: "\(path): cannot be read")
        }
        do {
            let contents = try JSONDecoder().decode(Contents.self, from: data)
            guard contents.version == EmbedderMemory.version else {
                throw EmbedderMemoryError(description: "\(path): version \(contents.version), expected \(EmbedderMemory.version)")
            }
            return contents
        } catch let error as EmbedderMemoryError {
            throw error
        } catch {
            throw EmbedderMemoryError(description: "\(path): not a vectui embedder file (\(EmbedderMemory.reason(error)))")
        }
    }

    /// The model remembered for `indexPath`, if any.
    /// - Throws: `EmbedderMemoryError` for an unreadable file.
    func choice(for indexPath: String) throws -> EmbedderChoice? {
        try contents()?.indexes[EmbedderMemory.key(for: indexPath)]
    }

    /// Remembers `choice` for `indexPath`, keeping every other index's entry (an unreadable
    /// file is replaced). Written to a temporary file, fsynced and renamed over the old one.
    /// - Throws: `FileSystemError` when the folder cannot be made or written.
    func remember(_ choice: EmbedderChoice, for indexPath: String) throws {
        var contents = (try? self.contents()) ?? Contents()
        contents.indexes[EmbedderMemory.key(for: indexPath)] = choice
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw FileSystemError(path: folder, operation: "create the folder", message: error.localizedDescription)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(contents)
        data.append(UInt8(ascii: "\n"))
        let writer = try AtomicFileWriter(path: path)
        try data.withUnsafeBytes { try writer.write($0) }
        try writer.commit()
    }

    /// A decoding error in one short phrase.
    private static func reason(_ error: Error) -> String {
        switch error {
        case DecodingError.dataCorrupted: return "not valid JSON"
        case let DecodingError.keyNotFound(key, _): return "no \"\(key.stringValue)\""
        case let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context):
            return "unexpected value at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        default: return "\(error)"
        }
    }
}

/// The remembered-model file could not be used.
struct EmbedderMemoryError: Error, CustomStringConvertible, Equatable {
    let description: String
}
