import ArgumentParser
import Core
import Encoder
import Foundation
import TUI

/// What `vectui open` and `vectui demo` ask of the explorer.
public struct ExplorerOptions: Sendable {
    /// The FAISS index file.
    public var indexPath: String
    /// Product metadata (JSONL or CSV), if any.
    public var catalogPath: String?
    /// The catalog field holding index ids; nil: `id` for id-mapped indexes, row numbers otherwise.
    public var idField: String?
    /// The catalog field shown as the name; nil: `title`, else `name`.
    public var titleField: String?
    /// The theme asked for with `--theme`.
    public var theme: String?
    /// Neighbours to show.
    public var k: Int
    /// Whether to print timings after the explorer closes.
    public var measure: Bool
    /// `--nprobe` for an IVF index.
    public var nprobe: Int?
    /// `--ef-search` for an HNSW index.
    public var efSearch: Int? = nil
    /// The text model for asking (`--model`, `--embed-url`); nil: the one remembered for the index.
    public var embedder: EmbedderChoice? = nil
    /// Whether `embedder` is remembered for the index once it loads and fits (the user chose
    /// it; the demo's preselected model is not written).
    public var remembersEmbedder = true
    /// Whether the explorer asks the terminal for mouse reports (`--no-mouse`: no, so the
    /// terminal keeps its own text selection).
    public var mouse = true

    public init(indexPath: String, catalogPath: String?, idField: String?, titleField: String?, theme: String?,
                k: Int, measure: Bool, nprobe: Int? = nil, efSearch: Int? = nil, embedder: EmbedderChoice? = nil,
                remembersEmbedder: Bool = true) {
        self.indexPath = indexPath
        self.catalogPath = catalogPath
        self.idField = idField
        self.titleField = titleField
        self.theme = theme
        self.k = k
        self.measure = measure
        self.nprobe = nprobe
        self.efSearch = efSearch
        self.embedder = embedder
        self.remembersEmbedder = remembersEmbedder
    }
}

/// Opens an index and runs the explorer on the terminal. Everything that can stop the program
/// (a bad theme name, an unreadable index, no terminal) is checked before the screen opens;
/// after that, problems go to the message line.
public enum ExplorerLauncher {
    /// Runs the explorer until the user quits.
    /// - Throws: `UsageError`, `ThemeError`, index file errors, or `TerminalError`, all before
    ///   the screen opens.
    public static func run(_ options: ExplorerOptions) throws {
        guard (1...ExplorerUpdate.maximumK).contains(options.k) else {
            throw UsageError(description: "-k must be between 1 and \(ExplorerUpdate.maximumK)")
        }
        let searchPaths = Theme.defaultSearchPaths()
        if let theme = options.theme { _ = try Theme.load(name: theme, searchPaths: searchPaths) }
        // Only the session keeps the index, so a move can free the original.
        let (session, catalogMessage) = try openSession(options)
        let catalog = session.catalog

        // Load OpenBLAS (and fix its kernels) now, on the main thread before any job runs and
        // before the terminal is taken: a library that cannot load stops here with its message
        // on a normal screen, not inside a convert job under curses.
        _ = BLAS.info
        let backend = try NcursesBackend(mouse: options.mouse)
        defer { backend.shutdown() }
        let theme = try Theme.select(requested: options.theme, colorCount: backend.colorCount, searchPaths: searchPaths)
        backend.theme = theme

        var model = ExplorerModel(size: backend.size, charset: backend.charset, themeName: theme.name, catalog: catalog,
                                  index: session.summary,
                                  devices: session.sampleDevices(), k: options.k)
        // The clock the runtime ticks with, so the model job's time starts now.
        model.now = monotonicSeconds()
        let (choice, remember, memoryNotice) = embedderChoice(options, memory: session.memory)
        let effects = choice.map { ExplorerUpdate.loadEmbedder(&model, $0, remember: remember) } ?? []
        model.message = catalogMessage ?? memoryNotice
            ?? .info(choice == nil ? "Type / to find a product by name, Enter to see similar ones; ? shows every key."
                                   : "Type / to find a product by name or a to ask by meaning; ? shows every key.")
        let runtime = ExplorerRuntime(model: model, session: session, backend: backend, themeSearchPaths: searchPaths,
                                      measure: options.measure, initialEffects: effects)
        runtime.run()
        backend.shutdown()
        if let measurements = runtime.measurements {
            printToStderr(measurements.report(productCount: catalog.count,
                                              size: "\(runtime.model.size.width)×\(runtime.model.size.height)"))
        }
        // Ended by SIGTERM or SIGHUP: exit as the shell expects of a signalled program.
        if let signal = backend.terminationSignal { throw ExitCode(128 + signal) }
    }

    /// Opens the index and its catalog.
    /// - Throws: the index file's errors (the catalog's become the returned message).
    static func openSession(_ options: ExplorerOptions, memory: EmbedderMemory = EmbedderMemory()) throws
        -> (ExplorerSession, StatusMessage?) {
        // Another process may rewrite the index while it is explored: keep a private copy then.
        MappedFile.changePolicy = .keepPrivateCopy
        let reopen: ExplorerSession.Reopen = { path in
            let index = try FaissIndexFile.read(path: path)
            let (catalog, message) = loadCatalog(options, index: index)
            return (index, catalog, message)
        }
        let (index, catalog, message) = try reopen(options.indexPath)
        let parameters = try SearchParameters.checked(nprobe: options.nprobe, efSearch: options.efSearch,
                                                            for: index, path: options.indexPath)
        let session = ExplorerSession(index: index, path: options.indexPath, catalog: catalog, registry: .shared,
                                      queue: MessageQueue(), memory: memory, parameters: parameters,
                                      catalogPath: options.catalogPath, reopen: reopen)
        return (session, message)
    }

    /// The text model to load: the one given, else the one remembered for the index (a
    /// remembered one is not written again); with a notice when the remembered-model file
    /// cannot be used (it is ignored).
    static func embedderChoice(_ options: ExplorerOptions, memory: EmbedderMemory)
        -> (choice: EmbedderChoice?, remember: Bool, notice: StatusMessage?) {
        if let choice = options.embedder { return (choice, options.remembersEmbedder, nil) }
        do {
            return (try memory.choice(for: options.indexPath), false, nil)
        } catch {
            return (nil, false, .warning("\(error): ignored; no text model remembered for this index."))
        }
    }

    /// Catalogs from this size up get a line on stderr while they load.
    static let largeCatalogBytes = 64 << 20

    /// The product list for `index`, and a message about the catalog when there is something
    /// to say (no catalog, an unusable one, malformed lines). Never fatal: without a catalog the
    /// explorer lists the index's ids.
    static func loadCatalog(_ options: ExplorerOptions, index: any VectorIndex) -> (ProductList, StatusMessage?) {
        let ids = (index as? IDMapIndex)?.ids ?? (0..<Int64(index.count)).map { $0 }
        guard let path = options.catalogPath else {
            return (ProductList(ids: ids), .info("No catalog (--meta FILE): products are listed by id; / filters by id."))
        }
        let join: ProductCatalog.Join
        if let field = options.idField {
            join = .idField(field)
        } else {
            join = index is IDMapIndex ? .idField("id") : .rowNumber
        }
        do {
            // A large catalog takes seconds to read: say so before the screen opens.
            let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            if bytes >= largeCatalogBytes { printToStderr("vectui: reading \(path) (\(ByteSize.format(bytes)))…") }
            let catalog = try ProductCatalog(path: path, join: join, titleField: options.titleField)
            return (ProductList(catalog: catalog), problemMessage(catalog))
        } catch {
            return (ProductList(ids: ids), .warning("Catalog not loaded: \(error). Listing ids instead; / filters by id."))
        }
    }

    /// "products.jsonl: 3 malformed lines skipped (lines 4, 17, 90)", or nil when there were none.
    static func problemMessage(_ catalog: ProductCatalog) -> StatusMessage? {
        guard catalog.problemCount > 0 else { return nil }
        let name = catalog.path.split(separator: "/").last.map(String.init) ?? catalog.path
        let lines = catalog.problems.prefix(3).map { String($0.line) }.joined(separator: ", ")
        let more = catalog.problemCount > 3 ? ", …" : ""
        let first = catalog.problems.first.map { "; first: \($0)" } ?? ""
        let noun = catalog.problemCount == 1 ? "line" : "lines"
        return .warning("\(name): \(catalog.problemCount) malformed \(noun) skipped (\(noun) \(lines)\(more))\(first)")
    }
}
