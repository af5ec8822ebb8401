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
    /// The catalog field holding each product's exact name for the ranking (`--name-field`);
    /// nil: the title's leading name (before " — ", " - ", ":" or "|").
    public var nameField: String? = nil
    /// The theme asked for with `--theme`.
    public var theme: String?
    /// Neighbours to show (`-k`); nil: `k` in config.toml, else 10.
    public var k: Int?
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
    /// terminal keeps its own text selection); nil: `mouse` in the settings, else yes.
    public var mouse: Bool? = nil
    /// The settings file (theme, k, columns, recent indexes); nil: none read or written.
    public var settings: SettingsFile? = SettingsFile()
    /// The catalog fields to show, in order (from the settings); nil: the default order.
    public var columns: [String]? = nil

    public init(indexPath: String, catalogPath: String?, idField: String?, titleField: String?, theme: String?,
                k: Int?, measure: Bool, nprobe: Int? = nil, efSearch: Int? = nil, embedder: EmbedderChoice? = nil,
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
    public static func run(_ given: ExplorerOptions) throws {
        if let k = given.k, !(1...ExplorerUpdate.maximumK).contains(k) {
            throw UsageError(description: "-k must be between 1 and \(ExplorerUpdate.maximumK)")
        }
        let searchPaths = Theme.defaultSearchPaths()
        if let theme = given.theme { _ = try Theme.load(name: theme, searchPaths: searchPaths) }
        let loaded = given.settings?.load()
        var (options, settingsNotices) = applying(loaded?.settings ?? ExplorerSettings(), to: given, themeSearchPaths: searchPaths)
        settingsNotices = (loaded?.warnings ?? []) + settingsNotices
        let k = options.k ?? ExplorerSettings.defaultK
        // Only the session keeps the index, so a move can free the original.
        let (session, catalogMessage) = try openSession(options)
        let catalog = session.catalog

        // Load OpenBLAS (and fix its kernels) now, on the main thread before any job runs and
        // before the terminal is taken: a library that cannot load stops here with its message
        // on a normal screen, not inside a convert job under curses.
        _ = BLAS.info
        let backend = try NcursesBackend(mouse: options.mouse ?? true)
        defer { backend.shutdown() }
        let theme = try Theme.select(requested: options.theme, colorCount: backend.colorCount, searchPaths: searchPaths)
        backend.theme = theme

        var model = ExplorerModel(size: backend.size, charset: backend.charset, themeName: theme.name, catalog: catalog,
                                  index: session.summary,
                                  devices: session.sampleDevices(), k: k)
        model.columns = options.columns
        // The clock the runtime ticks with, so the model job's time starts now.
        model.now = monotonicSeconds()
        let (choice, remember, memoryNotice) = embedderChoice(options, memory: session.memory)
        if let file = options.settings, let warning = file.update({ $0 = $0.recording(recentEntry(options, choice: choice)) }) {
            settingsNotices.append(warning)
        }
        let effects = choice.map { ExplorerUpdate.loadEmbedder(&model, $0, remember: remember) } ?? []
        let settingsNotice = settingsNotices.first.map { first in
            StatusMessage.warning(first + (settingsNotices.count > 1 ? " (and \(settingsNotices.count - 1) more)" : ""))
        }
        model.message = catalogMessage ?? memoryNotice ?? settingsNotice
            ?? .info(choice == nil ? "Type / to find a product by name, Enter to see similar ones; ? shows every key."
                                   : "Type / to find a product by name or a to ask by meaning; ? shows every key.")
        let runtime = ExplorerRuntime(model: model, session: session, backend: backend, themeSearchPaths: searchPaths,
                                      measure: options.measure, initialEffects: effects)
        runtime.run()
        backend.shutdown()
        if let file = options.settings,
           let warning = keepChanges(in: file, chosenTheme: runtime.chosenTheme, openedWithK: k, finalK: runtime.model.similar.k,
                                     openedWithColumns: options.columns, finalColumns: runtime.model.columns) {
            printToStderr("vectui: warning: \(warning)")
        }
        if let measurements = runtime.measurements {
            printToStderr(measurements.report(productCount: catalog.count,
                                              size: "\(runtime.model.size.width)×\(runtime.model.size.height)"))
        }
        // Ended by SIGTERM or SIGHUP: exit as the shell expects of a signalled program.
        if let signal = backend.terminationSignal { throw ExitCode(128 + signal) }
    }

    // MARK: - Settings

    /// `options` with what the settings add where the command line left it open (theme, k,
    /// columns), and a notice for each setting that cannot be used (it is ignored).
    static func applying(_ settings: ExplorerSettings, to given: ExplorerOptions, themeSearchPaths: [String])
        -> (ExplorerOptions, [String]) {
        var options = given
        var notices: [String] = []
        let file = given.settings?.path ?? "config.toml"
        if options.theme == nil, let theme = settings.theme {
            do {
                _ = try Theme.load(name: theme, searchPaths: themeSearchPaths)
                options.theme = theme
            } catch {
                notices.append("\(file): theme: \(error); the default theme is used")
            }
        }
        if options.k == nil { options.k = settings.k }
        if options.columns == nil { options.columns = settings.columns }
        if options.mouse == nil { options.mouse = settings.mouse }
        return (options, notices)
    }

    /// What the recent list records for this opening: absolute paths, the text model used.
    static func recentEntry(_ options: ExplorerOptions, choice: EmbedderChoice?, now: Date = Date()) -> RecentIndex {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return RecentIndex(index: EmbedderMemory.key(for: options.indexPath), catalog: options.catalogPath.map(EmbedderMemory.key),
                           idField: options.idField, titleField: options.titleField, model: choice?.model,
                           embedURL: choice?.url, embedModel: choice?.serverModel, openedAt: formatter.string(from: now))
    }

    /// Keeps what was changed in the explorer for next time — a theme chosen with `:theme`, k
    /// changed with `+`/`-` or `:k`, fields chosen with `:columns` — and nothing given on the
    /// command line.
    /// - Returns: a warning when the settings could not be written, or nil.
    static func keepChanges(in file: SettingsFile, chosenTheme: String?, openedWithK: Int, finalK: Int,
                            openedWithColumns: [String]? = nil, finalColumns: [String]? = nil) -> String? {
        let columnsChanged = finalColumns != openedWithColumns
        guard chosenTheme != nil || finalK != openedWithK || columnsChanged else { return nil }
        return file.update { settings in
            if let chosenTheme { settings.theme = absoluteThemePath(chosenTheme) }
            if finalK != openedWithK { settings.k = finalK }
            if columnsChanged { settings.columns = finalColumns }
        }
    }

    /// A theme file named by a relative path, made absolute so the setting works from any folder.
    static func absoluteThemePath(_ theme: String) -> String {
        guard theme.contains("/"), !theme.hasPrefix("/"), !theme.hasPrefix("~") else { return theme }
        return EmbedderMemory.key(for: theme)
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
            if let field = options.nameField, !catalog.columns.contains(field) {
                let known = catalog.columns.joined(separator: ", ")
                return (ProductList(catalog: catalog, columns: options.columns),
                        .warning("--name-field \(field): \(catalog.path) has no such field (fields: \(known)); names come from the titles."))
            }
            return (ProductList(catalog: catalog, columns: options.columns, nameField: options.nameField), problemMessage(catalog))
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
