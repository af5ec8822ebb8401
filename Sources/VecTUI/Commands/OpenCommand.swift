import ArgumentParser
import Core
import Explorer

/// `vectui open INDEX`: the terminal explorer on an index and its product catalog.
struct OpenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "open", abstract: "Explore an index: find products, see similar ones, move and save it.")

    @Argument(help: "The FAISS index file.") var index: String
    @Option(help: "Product metadata for the index's ids (JSONL, or CSV with a header).") var meta: String?
    @Option(name: .customLong("id-field"),
            help: "The catalog field holding index ids (default: id for IDMap indexes, else the row number).")
    var idField: String?
    @Option(name: .customLong("title-field"), help: "The catalog field shown as the name (default: title, else name).")
    var titleField: String?
    @Option(help: "Colour theme: dark (default), light, monochrome, or a .theme file; NO_COLOR picks monochrome.")
    var theme: String?
    @Option(name: [.customShort("k"), .long], help: "How many similar products to show.") var k: Int = 10
    @OptionGroup var tuning: SearchTuningOptions
    @OptionGroup(title: "Asking by meaning (a, :ask); the choice is remembered for the index")
    var embedder: EmbedderOptions
    @Flag(name: .customLong("no-mouse"), help: "Leave the mouse to the terminal (its own text selection) instead of clicking and scrolling in the explorer.")
    var noMouse = false
    @Flag(help: .hidden) var measure = false

    func run() throws {
        try reportingErrors("exploring \(index)") {
            var options = ExplorerOptions(indexPath: index, catalogPath: meta, idField: idField, titleField: titleField,
                                          theme: theme, k: k, measure: measure, nprobe: tuning.nprobe,
                                          efSearch: tuning.efSearch, embedder: try embedder.choice())
            options.mouse = !noMouse
            try ExplorerLauncher.run(options)
        }
    }
}
