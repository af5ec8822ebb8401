import Foundation

/// An index opened in the explorer, for `vectui open` without an argument: the files and the
/// text model it was opened with, and when.
public struct RecentIndex: Equatable, Sendable {
    /// The index file's absolute, standardised path.
    public var index: String
    /// The catalog's absolute path, if one was given.
    public var catalog: String?
    /// `--id-field` and `--title-field`, if given.
    public var idField: String?
    public var titleField: String?
    /// The built-in text model (`--model`), if one was used.
    public var model: String?
    /// The embedding server and its model (`--embed-url`, `--embed-model`), if used.
    public var embedURL: String?
    public var embedModel: String?
    /// When it was opened, ISO 8601 in UTC ("2026-12-02T05:06:07Z").
    public var openedAt: String

    public init(index: String, catalog: String? = nil, idField: String? = nil, titleField: String? = nil,
                model: String? = nil, embedURL: String? = nil, embedModel: String? = nil, openedAt: String) {
        self.index = index
        self.catalog = catalog
        self.idField = idField
        self.titleField = titleField
        self.model = model
        self.embedURL = embedURL
        self.embedModel = embedModel
        self.openedAt = openedAt
    }

    /// The text model as the list shows it ("all-MiniLM-L6-v2", "http://host/v1 (bge-m3)"), or nil.
    public var modelLabel: String? {
        if let embedURL { return "\(embedURL) (\(embedModel ?? "?"))" }
        return model
    }
}

/// What the explorer keeps between runs (`config.toml`): the theme, k, the visible catalog
/// fields, whether to use the mouse, and the recent indexes, most recent first. Command-line
/// options win over these.
public struct ExplorerSettings: Equatable, Sendable {
    /// `theme = "light"`: a built-in name or a theme file.
    public var theme: String?
    /// `k = 20`: neighbours to show.
    public var k: Int?
    /// `columns = ["price", "brand"]`: the catalog fields shown, in order.
    public var columns: [String]?
    /// `mouse = false`: leave the terminal's own selection alone.
    public var mouse: Bool?
    /// `[[recent]]` tables, most recent first, at most `maximumRecent`.
    public var recent: [RecentIndex] = []

    /// k when neither `-k` nor the settings give one.
    public static let defaultK = 10

    /// Recent indexes kept.
    public static let maximumRecent = 20

    public init(theme: String? = nil, k: Int? = nil, columns: [String]? = nil, mouse: Bool? = nil, recent: [RecentIndex] = []) {
        self.theme = theme
        self.k = k
        self.columns = columns
        self.mouse = mouse
        self.recent = recent
    }

    /// `index` put first in the recent list (an older entry for the same index file dropped),
    /// the list cut at `maximumRecent`.
    public func recording(_ index: RecentIndex) -> ExplorerSettings {
        var settings = self
        settings.recent = [index] + recent.filter { $0.index != index.index }
        settings.recent = Array(settings.recent.prefix(ExplorerSettings.maximumRecent))
        return settings
    }

    // MARK: - TOML

    /// The settings in a TOML document, and what was wrong with it (problems of the subset,
    /// unknown keys, values of the wrong type or range): those lines are ignored.
    init(document: TOMLDocument) {
        var problems = document.problems
        func complain(_ entry: TOMLDocument.Entry, _ message: String) {
            problems.append(TOMLDocument.Problem(line: entry.line, message: message))
        }
        for entry in document.entries {
            switch (entry.key, entry.value) {
            case let ("theme", .string(name)) where !name.isEmpty: theme = name
            case let ("k", .integer(k)) where (1...ExplorerUpdate.maximumK).contains(k): self.k = k
            case ("k", .integer): complain(entry, "k must be between 1 and \(ExplorerUpdate.maximumK)")
            case let ("columns", .strings(names)): columns = names
            case let ("mouse", .boolean(on)): mouse = on
            case ("theme", _): complain(entry, "theme must be a non-empty string")
            case ("k", _): complain(entry, "k must be an integer")
            case ("columns", _): complain(entry, "columns must be an array of field names")
            case ("mouse", _): complain(entry, "mouse must be true or false")
            default: complain(entry, "unknown setting '\(entry.key)' (known: theme, k, columns, mouse, [[recent]])")
            }
        }
        for table in document.tables {
            guard table.name == "recent" else {
                problems.append(TOMLDocument.Problem(line: table.line, message: "unknown table [[\(table.name)]] (known: [[recent]])"))
                continue
            }
            var strings: [String: String] = [:]
            for entry in table.entries {
                let known = ["index", "catalog", "id_field", "title_field", "model", "embed_url", "embed_model", "opened_at"]
                guard known.contains(entry.key) else {
                    complain(entry, "unknown key '\(entry.key)' in [[recent]] (known: \(known.joined(separator: ", ")))")
                    continue
                }
                guard case let .string(value) = entry.value else {
                    complain(entry, "\(entry.key) must be a string")
                    continue
                }
                strings[entry.key] = value
            }
            guard let index = strings["index"], !index.isEmpty else {
                problems.append(TOMLDocument.Problem(line: table.line, message: "[[recent]] without an index path is ignored"))
                continue
            }
            guard recent.count < ExplorerSettings.maximumRecent else { continue }
            recent.append(RecentIndex(index: index, catalog: strings["catalog"], idField: strings["id_field"],
                                      titleField: strings["title_field"], model: strings["model"],
                                      embedURL: strings["embed_url"], embedModel: strings["embed_model"],
                                      openedAt: strings["opened_at"] ?? ""))
        }
        self.problems = problems
    }

    /// The lines that were ignored when these settings were read (empty when written by vectui).
    var problems: [TOMLDocument.Problem] = []

    /// The settings as the file's text: a comment, the keys that are set, then the recent indexes.
    func tomlText() -> String {
        var lines = ["# vectui explorer settings (vectui rewrites this file; comments other than this one are not kept).",
                     "# Command-line options win over these."]
        if let theme { lines.append(TOMLDocument.line("theme", .string(theme))) }
        if let k { lines.append(TOMLDocument.line("k", .integer(k))) }
        if let columns { lines.append(TOMLDocument.line("columns", .strings(columns))) }
        if let mouse { lines.append(TOMLDocument.line("mouse", .boolean(mouse))) }
        for entry in recent {
            lines += ["", "[[recent]]", TOMLDocument.line("index", .string(entry.index))]
            let optional: [(String, String?)] = [("catalog", entry.catalog), ("id_field", entry.idField), ("title_field", entry.titleField),
                                                 ("model", entry.model), ("embed_url", entry.embedURL), ("embed_model", entry.embedModel)]
            for case let (key, value?) in optional { lines.append(TOMLDocument.line(key, .string(value))) }
            lines.append(TOMLDocument.line("opened_at", .string(entry.openedAt)))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
