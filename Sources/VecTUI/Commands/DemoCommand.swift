import ArgumentParser
import Core
import Foundation

/// `vectui demo`: the built-in demo catalog and index, generated once into the cache folder.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Open the built-in demo products (generated on first run).")

    @Option(help: "Where the demo lives (default: $XDG_CACHE_HOME/vectui/demo).") var folder: String?
    @Option(help: "How many products to generate.") var products: Int = DemoDataset.defaultProductCount
    @Flag(help: "Generate the demo again even if it exists.") var regenerate = false
    @Flag(name: .customLong("print"), help: "Print a few products and their neighbours instead of opening the explorer.")
    var printOnly = false
    @Option(help: "Colour theme: dark (default), light, monochrome, or a .theme file; NO_COLOR picks monochrome.")
    var theme: String?
    @Option(name: [.customShort("k"), .long], help: "How many similar products to show.") var k: Int = 10
    @Flag(help: .hidden) var measure = false

    func run() throws {
        try reportingErrors {
            guard products >= 1 else { throw UsageError(description: "--products must be at least 1") }
            let demo = DemoDataset(folder: folder)
            if regenerate || !demo.isReady(productCount: products) {
                let start = monotonicSeconds()
                // One line rewritten in place on a terminal; a line per 10% in logs.
                let onTerminal = isatty(STDERR_FILENO) == 1
                var lastPercent = -1
                try demo.generate(productCount: products) { done, total in
                    let percent = done * 100 / total
                    if onTerminal && percent != lastPercent {
                        FileHandle.standardError.write(Data("\rgenerating demo products: \(percent)%".utf8))
                    } else if !onTerminal && percent / 10 != lastPercent / 10 {
                        printToStderr("generating demo products: \(percent)%")
                    }
                    lastPercent = percent
                    return true
                }
                printToStderr(String(format: "%@generated %d products in %@ (%.1f s)", onTerminal ? "\r" : "", products,
                                     demo.folder, monotonicSeconds() - start))
            }
            if printOnly {
                try showDemo(demo)
            } else {
                try ExplorerLauncher.run(ExplorerOptions(indexPath: demo.indexPath, catalogPath: demo.catalogPath, idField: "id",
                                                         titleField: nil, theme: theme, k: k, measure: measure))
            }
        }
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
            for (id, score) in zip(result.ids, result.scores) where id >= 0 && id != product.id {
                print("  \(String(format: "%.3f", score))  \(catalog.product(id: id)?.title ?? "#\(id)")")
            }
            print("")
        }
    }
}
