import ArgumentParser
import Core
import Explorer

/// `vectui open INDEX`: the terminal explorer on an index and its product catalog; without
/// INDEX, a list of the recent indexes (config.toml) to pick from; `--recent` prints that list.
struct OpenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "open", abstract: "Explore an index: find products, see similar ones, move and save it.",
        discussion: "Without INDEX, pick one of the recently opened indexes (kept in $XDG_CONFIG_HOME/vectui/config.toml "
            + "with theme, k and columns; options given here win over the file).")

    @Argument(help: "The FAISS index file (omit it to pick a recent one).") var index: String?
    @Option(help: "Product metadata for the index's ids (JSONL, or CSV with a header).") var meta: String?
    @Option(name: .customLong("id-field"),
            help: "The catalog field holding index ids (default: id for IDMap indexes, else the row number).")
    var idField: String?
    @Option(name: .customLong("title-field"), help: "The catalog field shown as the name (default: title, else name).")
    var titleField: String?
    @Option(name: .customLong("name-field"),
            help: "The catalog field holding each product's exact name, ranked first when typed (default: the title up to \" — \", \" - \", \":\" or \"|\").")
    var nameField: String?
    @Option(help: "Colour theme: dark (default), light, monochrome, or a .theme file; NO_COLOR picks monochrome.")
    var theme: String?
    @Option(name: [.customShort("k"), .long], help: "How many similar products to show (default: k in config.toml, else 10).")
    var k: Int?
    @OptionGroup var tuning: SearchTuningOptions
    @OptionGroup(title: "Asking by meaning (a, :ask); the choice is remembered for the index")
    var embedder: EmbedderOptions
    @Flag(name: .customLong("no-mouse"), help: "Leave the mouse to the terminal (its own text selection) instead of clicking and scrolling in the explorer.")
    var noMouse = false
    @Flag(help: "Print the recent indexes (index, catalog, model, opened) instead of exploring.") var recent = false
    @Flag(help: "With --recent: print them as JSON.") var json = false
    @Flag(help: .hidden) var measure = false

    func validate() throws {
        if json && !recent { throw ValidationError("--json goes with --recent") }
        if recent && index != nil { throw ValidationError("--recent lists the recent indexes; give no INDEX with it") }
    }

    func run() throws {
        if recent { return try reportingErrors("listing recent indexes") { printRecent() } }
        try reportingErrors("exploring \(index ?? "a recent index")") {
            var options = ExplorerOptions(indexPath: index ?? "", catalogPath: meta, idField: idField, titleField: titleField,
                                          theme: theme, k: k, measure: measure, nprobe: tuning.nprobe, efSearch: tuning.efSearch,
                                          embedder: try embedder.choice())
            if noMouse { options.mouse = false }
            options.nameField = nameField
            if index == nil {
                try ExplorerLauncher.runRecent(options)
            } else {
                try ExplorerLauncher.run(options)
            }
        }
    }

    /// The recent list: tab-separated with a header, or a JSON array; problems in the file on stderr.
    private func printRecent() {
        let file = SettingsFile()
        let loaded = file.load()
        for warning in loaded.warnings { printToStderr("vectui: warning: \(warning)") }
        let entries = loaded.settings.recent
        if json {
            let items = entries.map { entry -> JSONValue in
                func optional(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
                return .object([("index", .string(entry.index)), ("catalog", optional(entry.catalog)),
                                ("model", optional(entry.modelLabel)), ("opened_at", .string(entry.openedAt))])
            }
            print(JSONValue.array(items).text)
            return
        }
        guard !entries.isEmpty else {
            print("No recent indexes in \(file.path) yet: open one with vectui open INDEX [--meta CATALOG].")
            return
        }
        print(["index", "catalog", "model", "opened_at"].joined(separator: "\t"))
        for entry in entries {
            print([entry.index, entry.catalog ?? "-", entry.modelLabel ?? "-", entry.openedAt].joined(separator: "\t"))
        }
    }
}
