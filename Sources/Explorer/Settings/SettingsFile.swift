import Core
import Foundation

/// `$XDG_CONFIG_HOME/vectui/config.toml` (`~/.config/vectui/config.toml`): the explorer's
/// settings. Reading never fails: a missing file is empty settings, an unreadable or
/// malformed one gives warnings naming the file and line, and its bad lines are ignored.
/// A file with such lines is not rewritten (so a typo is not silently dropped); otherwise
/// writes go through `AtomicFileWriter`.
public struct SettingsFile: Sendable {
    /// The file.
    public let path: String

    /// Settings in `path`, or in the user's config folder.
    public init(path: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
        if let path {
            self.path = path
        } else {
            let config = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
                ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.config"
            self.path = config + "/vectui/config.toml"
        }
    }

    /// What was read.
    public struct Loaded: Sendable {
        /// The settings from the lines that could be read.
        public var settings: ExplorerSettings
        /// One line per problem: "PATH:LINE: what is wrong; the line is ignored".
        public var warnings: [String]
        /// Whether the file may be rewritten (it is missing, or had no problems).
        public var writable: Bool
    }

    /// The biggest file read (a config is a few KB; anything much larger is not ours).
    static let maximumBytes = 1 << 20

    /// Reads the settings; never throws.
    public func load() -> Loaded {
        guard FileManager.default.fileExists(atPath: path) else {
            return Loaded(settings: ExplorerSettings(), warnings: [], writable: true)
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        guard size <= SettingsFile.maximumBytes else {
            return Loaded(settings: ExplorerSettings(), warnings: ["\(path): \(ByteSize.format(size)) is too big for a settings file; ignored"],
                          writable: false)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            return Loaded(settings: ExplorerSettings(), warnings: ["\(path): cannot be read; ignored"], writable: false)
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            return Loaded(settings: ExplorerSettings(), warnings: ["\(path): not UTF-8 text; ignored"], writable: false)
        }
        let settings = ExplorerSettings(document: TOMLDocument(parsing: text))
        let warnings = settings.problems.map { "\(path):\($0.line): \($0.message); the line is ignored" }
        return Loaded(settings: settings, warnings: warnings, writable: warnings.isEmpty)
    }

    /// Writes `settings` (creating the folder).
    /// - Throws: `FileSystemError` naming the path.
    public func save(_ settings: ExplorerSettings) throws {
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw FileSystemError(path: folder, operation: "create the folder", message: error.localizedDescription)
        }
        let writer = try AtomicFileWriter(path: path)
        try writer.write(settings.tomlText())
        try writer.commit()
    }

    /// Reads the file again, applies `change`, and writes it, unless the file has problems.
    /// - Returns: a warning when nothing was written, or nil.
    @discardableResult
    public func update(_ change: (inout ExplorerSettings) -> Void) -> String? {
        let loaded = load()
        guard loaded.writable else { return "\(path) has lines vectui cannot read; settings not saved (fix or remove it)" }
        var settings = loaded.settings
        change(&settings)
        guard settings != loaded.settings else { return nil }
        do {
            try save(settings)
            return nil
        } catch {
            return "settings not saved: \(error)"
        }
    }
}
