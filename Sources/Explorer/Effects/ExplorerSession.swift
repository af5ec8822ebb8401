import Core
import Dispatch
import Encoder
import Foundation

/// The explorer's live state and its jobs: the index (replaced after a move or by a
/// conversion's result), the product list, and the threads that filter, search, move, save and
/// convert off the UI thread. Every result comes back as a message on `queue`.
///
/// Threads: filters run on one queue, searches on another, moves and saves on a third, so a
/// long move never delays a filter; asks embed their text on a fourth (a slow embedding
/// server never holds up a product search) and then search on the search queue, and text
/// models load on a fifth. Work on an index that lives on OpenCL devices (searching
/// it, moving it, saving or converting it) holds `deviceLock`, so two jobs never drive one device's buffers
/// at once; host-only work does not wait. Searches take the session's `SearchParameters` with
/// them (`:tune` changes those, never the index), so no job ever changes an index another reads.
// @unchecked: indexes are not Sendable (they can grow), and the session hands them between its
// queues. Every mutable field is behind `lock`; the indexes it holds are only read once they are
// here (searched, reconstructed, saved, moved or converted from, each making a new index), and a
// replaced index is let go, never changed.
final class ExplorerSession: @unchecked Sendable {
    /// Opens an index file again with its catalog (`:reload`): the index, its products, and a
    /// message about the catalog when there is something to say.
    typealias Reopen = @Sendable (String) throws -> (index: any VectorIndex, catalog: ProductList, message: StatusMessage?)

    /// The devices moves may use.
    let registry: DeviceRegistry
    /// Where results go.
    let queue: MessageQueue

    private let lock = NSLock()
    private var currentIndex: any VectorIndex
    private var currentPath: String
    private var currentCatalog: ProductList
    private let reopen: Reopen?
    /// The index and catalog files as opened (or last saved/reloaded), to tell when another
    /// process replaces, rewrites or deletes them; and the changes last reported.
    private var watchedFiles: [(path: String, identity: FileIdentity?)]
    private var reportedChanges: [FileChangeNotice] = []
    private let catalogPath: String?
    /// What searches of the current index are run with (`:tune`, `--nprobe`, `--ef-search`).
    private var parameters: SearchParameters
    /// Conversion results waiting for the user to explore or drop them, by job.
    private var convertedIndexes: [Int: (index: any VectorIndex, path: String)] = [:]
    private var latestFilterTag = 0
    private var latestSearchTag = 0
    /// The predicates of the newest filter text (`FilterText.restriction`), which product
    /// searches and asks are restricted by, and the catalog filters evaluated for them.
    private var activeRestriction = ""
    private var catalogFilters: [String: CatalogFilter] = [:]
    /// The field product matches are ordered by (`:sort` in Products), and each field's order
    /// of every catalog position, computed once (an `Int` per product).
    private var productOrder: FieldOrder?
    private var fieldOrders: [FieldOrder: [Int]] = [:]
    private var cancelledJobs = Set<Int>()
    private var runningJobs = Set<Int>()
    private let deviceLock = NSLock()
    private let filterQueue = DispatchQueue(label: "vectui.explorer.filter", qos: .userInteractive)
    private let searchQueue = DispatchQueue(label: "vectui.explorer.search", qos: .userInteractive)
    private let jobQueue = DispatchQueue(label: "vectui.explorer.jobs", qos: .userInitiated)
    private let embedQueue = DispatchQueue(label: "vectui.explorer.embed", qos: .userInteractive)
    private let modelQueue = DispatchQueue(label: "vectui.explorer.model", qos: .userInitiated)
    private let exportQueue = DispatchQueue(label: "vectui.explorer.export", qos: .userInitiated)
    /// The loaded text model (asks use it), and the newest load job (only its model is kept).
    private var embedder: (any TextEmbedder)?
    private var latestEmbedderJob = 0
    /// Where text models are remembered per index.
    let memory: EmbedderMemory

    /// Progress messages are sent at most this often per job (plus the last one).
    static let progressInterval = 0.05

    /// A session over `index` (opened from `path`) and its products.
    init(index: any VectorIndex, path: String, catalog: ProductList, registry: DeviceRegistry, queue: MessageQueue,
         memory: EmbedderMemory = EmbedderMemory(), parameters: SearchParameters = SearchParameters(),
         catalogPath: String? = nil, reopen: Reopen? = nil) {
        currentIndex = index
        currentPath = path
        self.parameters = parameters
        currentCatalog = catalog
        self.catalogPath = catalogPath
        self.reopen = reopen
        watchedFiles = ([path] + (catalogPath.map { [$0] } ?? [])).map { ($0, FileIdentity(path: ExplorerSession.expand($0))) }
        self.registry = registry
        self.queue = queue
        self.memory = memory
    }

    /// The index as it is now.
    var index: any VectorIndex {
        lock.lock()
        defer { lock.unlock() }
        return currentIndex
    }

    /// The products (or ids) of the index.
    var catalog: ProductList {
        lock.lock()
        defer { lock.unlock() }
        return currentCatalog
    }

    /// The file the index was opened from (or the conversion it was replaced by).
    var path: String {
        lock.lock()
        defer { lock.unlock() }
        return currentPath
    }

    /// The parameters searches run with now.
    var searchParameters: SearchParameters {
        lock.lock()
        defer { lock.unlock() }
        return parameters
    }

    /// A summary of the index as it is now, with the session's parameters.
    var summary: IndexSummary {
        lock.lock()
        defer { lock.unlock() }
        return IndexSummary(index: currentIndex, path: currentPath, parameters: parameters)
    }

    /// Every device's memory now.
    func sampleDevices() -> [DeviceStatus] {
        DeviceSampler.sample(registry: registry)
    }

    /// Whether a move or save is still running (after `quit`, the runtime waits for them).
    var hasActiveJobs: Bool {
        lock.lock()
        defer { lock.unlock() }
        return !runningJobs.isEmpty
    }

    /// Starts what `effect` asks for. Theme changes and quitting are the runtime's.
    func perform(_ effect: ExplorerEffect) {
        switch effect {
        case .filter, .search, .ask, .move, .save, .convert: reportFileChanges()
        default: break
        }
        switch effect {
        case let .filter(tag, query): filter(tag: tag, query: query)
        case let .search(tag, id, k): search(tag: tag, id: id, k: k)
        case let .ask(tag, text, k): ask(tag: tag, text: text, k: k)
        case let .locate(tag, id): locate(tag: tag, id: id)
        case let .loadEmbedder(job, choice): loadEmbedder(job: job, choice: choice)
        case let .rememberEmbedder(choice, indexPath):
            modelQueue.async { [self] in
                do {
                    try memory.remember(choice, for: indexPath)
                } catch {
                    queue.post(.rememberFailed(message: "\(error)"))
                }
            }
        case let .move(job, request): move(job: job, request: request)
        case let .checkSavePath(path):
            queue.post(.savePathChecked(path: path, exists: FileManager.default.fileExists(atPath: expand(path))))
        case let .save(job, path): save(job: job, path: path)
        case let .cancel(job): cancel(job)
        case let .convert(job, factory, path, predictedBytes):
            convert(job: job, factory: factory, path: path, predictedBytes: predictedBytes)
        case let .exploreConverted(job): exploreConverted(job)
        case let .discardConverted(job):
            lock.lock()
            convertedIndexes[job] = nil
            lock.unlock()
        case let .tune(tuning): tune(tuning)
        case let .reload(job): reload(job: job)
        case let .export(path, contents, rows, overwrite):
            exportQueue.async { [self] in
                queue.post(ExplorerSession.export(contents, rows: rows, to: expand(path), shownAs: path, overwrite: overwrite))
            }
        case let .sortProducts(order):
            lock.lock()
            productOrder = order
            lock.unlock()
        case .copyToClipboard, .setTheme, .quit: break
        }
    }

    /// Asks every running job to stop.
    func cancelAll() {
        lock.lock()
        cancelledJobs.formUnion(runningJobs)
        lock.unlock()
    }

    // MARK: - Filter and search

    private func filter(tag: Int, query: String) {
        let filterText = FilterText(query, fields: catalog.catalog?.filterableFields ?? [])
        lock.lock()
        latestFilterTag = tag
        activeRestriction = filterText.restriction
        let order = productOrder
        lock.unlock()
        filterQueue.async { [self] in
            guard isLatestFilter(tag) else { return }  // a newer keystroke is already queued
            let job = FatalSignals.enter("filtering the products of \(path)")
            defer { FatalSignals.leave(job) }
            do {
                let start = monotonicSeconds()
                var matches = try catalog.filter.search(filterText.text, isCancelled: { [self] in !self.isLatestFilter(tag) })
                var problem = filterText.problem
                do {
                    if let rows = try catalogFilter(filterText.restriction)?.rows { matches = matches.restricted(to: rows) }
                } catch {
                    problem = "\(error)"
                }
                if let order, let positions = fieldOrder(order) { matches = matches.reordered(by: positions) }
                queue.post(.filterNote(tag: tag, problem))
                queue.post(.filtered(tag: tag, matches: matches, milliseconds: (monotonicSeconds() - start) * 1000))
            } catch {
                // Cancelled by a newer keystroke, whose results will follow.
            }
        }
    }

    /// The catalog filter for `restriction` (predicates as `FilterText.restriction` writes
    /// them), evaluated once and kept; nil without predicates or a catalog.
    /// - Throws: `CatalogFilterError`.
    private func catalogFilter(_ restriction: String) throws -> CatalogFilter? {
        guard !restriction.isEmpty, let products = catalog.catalog else { return nil }
        lock.lock()
        let cached = catalogFilters[restriction]
        lock.unlock()
        if let cached { return cached }
        let filter = try CatalogFilter(parsing: restriction, catalog: products)
        lock.lock()
        if catalogFilters.count >= 64 { catalogFilters.removeAll() }  // masks are 1 bit a product
        catalogFilters[restriction] = filter
        lock.unlock()
        return filter
    }

    /// Every catalog position in `order` (numbers as numbers when every value of the field is
    /// one, else case-folded text; products without the field last; ties in catalog order),
    /// computed once per field and direction; nil without a catalog.
    private func fieldOrder(_ order: FieldOrder) -> [Int]? {
        guard let products = catalog.catalog?.products else { return nil }
        lock.lock()
        let cached = fieldOrders[order]
        lock.unlock()
        if let cached { return cached }
        let titleField = catalog.catalog?.titleField
        let positions = order.sorted(Array(products.indices), value: { position in
            let product = products[position]
            switch order.field {
            case "id": return String(product.id)
            case titleField: return product.title
            default: return product.fields[order.field].flatMap { $0.isEmpty ? nil : $0 }
            }
        }, tiesBy: <)
        lock.lock()
        fieldOrders[order] = positions
        lock.unlock()
        return positions
    }

    /// The restriction searches and asks take now.
    private func currentRestriction() -> String {
        lock.lock()
        defer { lock.unlock() }
        return activeRestriction
    }

    private func isLatestFilter(_ tag: Int) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return latestFilterTag == tag
    }

    private func search(tag: Int, id: Int64, k: Int) {
        lock.lock()
        latestSearchTag = tag
        lock.unlock()
        let restriction = currentRestriction()
        searchQueue.async { [self] in
            let job = FatalSignals.enter("searching \(path) for the neighbours of id \(id)")
            defer { FatalSignals.leave(job) }
            searchLatest(tag: tag, restriction: restriction) { index, parameters in
                do {
                    let (neighbours, milliseconds) = try ExplorerSession.neighbours(of: id, k: k, in: index,
                                                                                    parameters: parameters)
                    try MappedFile.checkAllUnchanged()
                    return .searched(tag: tag, neighbours: neighbours, milliseconds: milliseconds,
                                     ranOn: ExplorerSession.whereItRuns(index))
                } catch {
                    return .searchFailed(tag: tag, message: "\(error)")
                }
            }
        }
    }

    /// Where the vector with id `id` lives, looked up on the search queue where the index is
    /// now (under the device lock for an index on devices: its vector is read back).
    private func locate(tag: Int, id: Int64) {
        searchQueue.async { [self] in
            var (index, _) = current()
            let onDevice = !ExplorerSession.isOnHost(index)
            if onDevice { deviceLock.lock() }
            defer { if onDevice { deviceLock.unlock() } }
            if onDevice { (index, _) = current() }
            do {
                queue.post(.located(tag: tag, .found(try VectorLocation.locate(id: id, in: index))))
            } catch {
                queue.post(.located(tag: tag, .failed("\(error)")))
            }
        }
    }

    /// On the search queue: unless a newer search or ask came, runs `body` on the index where
    /// it is now, with the session's parameters (holding the device lock for an index on OpenCL
    /// devices), and posts its answer.
    private func searchLatest(tag: Int, restriction: String,
                              _ body: (any VectorIndex, SearchParameters) -> ExplorerMessage) {
        guard isLatestSearch(tag) else { return }
        let selector: IDSelector?
        do {
            selector = try catalogFilter(restriction)?.selector
        } catch {
            queue.post(.searchFailed(tag: tag, message: "\(error)"))
            return
        }
        var (index, parameters) = current()
        let onDevice = !ExplorerSession.isOnHost(index)
        if onDevice { deviceLock.lock() }
        defer { if onDevice { deviceLock.unlock() } }
        guard isLatestSearch(tag) else { return }
        // A move may have finished while this waited for the device: search where the index is now
        // (a device lock is held, so a host index is searched under it, which is harmless).
        if onDevice { (index, parameters) = current() }
        parameters.selector = selector
        queue.post(body(index, parameters))
    }

    /// The index and the parameters to search it with, read together.
    private func current() -> (any VectorIndex, SearchParameters) {
        lock.lock()
        defer { lock.unlock() }
        return (currentIndex, parameters)
    }

    // MARK: - Asking by meaning

    /// Embeds `text` (with the model's query prefix) on the embed queue, then searches its
    /// neighbours on the search queue as a product search does: same index, placement and knob.
    private func ask(tag: Int, text: String, k: Int) {
        lock.lock()
        latestSearchTag = tag
        let embedder = self.embedder
        let restriction = activeRestriction
        lock.unlock()
        embedQueue.async { [self] in
            guard isLatestSearch(tag) else { return }
            guard let embedder else {
                queue.post(.askFailed(tag: tag, message: "no text model is loaded"))
                return
            }
            let job = FatalSignals.enter("embedding a question with \(embedder.name)")
            defer { FatalSignals.leave(job) }
            let start = monotonicSeconds()
            let vector: [Float]
            do {
                vector = try embedder.embedQueries([text])
            } catch {
                queue.post(.askFailed(tag: tag, message: "embedding with \(embedder.name): \(error)"))
                return
            }
            let embedMilliseconds = (monotonicSeconds() - start) * 1000
            searchQueue.async { [self] in
                let job = FatalSignals.enter("searching \(path) for a question's neighbours")
                defer { FatalSignals.leave(job) }
                searchLatest(tag: tag, restriction: restriction) { index, parameters in
                    do {
                        let (neighbours, milliseconds) = try ExplorerSession.neighbours(of: vector, k: k, in: index,
                                                                                        parameters: parameters)
                        try MappedFile.checkAllUnchanged()
                        return .asked(tag: tag, neighbours: neighbours, embedMilliseconds: embedMilliseconds,
                                      searchMilliseconds: milliseconds, ranOn: ExplorerSession.whereItRuns(index))
                    } catch {
                        return .askFailed(tag: tag, message: "search: \(error)")
                    }
                }
            }
        }
    }

    /// Loads the text model `choice` as job `job` and checks it against the index (the same
    /// dimension, else refused with both numbers; a warning for an inner-product index when
    /// the model does not normalise). The explorer keeps working meanwhile and after a failure.
    private func loadEmbedder(job: Int, choice: EmbedderChoice) {
        startJob(job)
        lock.lock()
        latestEmbedderJob = job
        lock.unlock()
        modelQueue.async { [self] in
            defer { endJob(job) }
            let context = FatalSignals.enter("loading the text model \(choice.label)")
            defer { FatalSignals.leave(context) }
            let report = progressReporter(job: job)
            do {
                guard report(0, 100, "loading the model") else { throw EmbeddingError.cancelled }
                // Mapping the weights (or asking a server its dimension) is one step: cancelling
                // takes effect once it returns.
                let loaded = try choice.load()
                guard report(100, 100, "checking it against the index") else { throw EmbeddingError.cancelled }
                let warning = try checkEmbedder(loaded, fits: index, path: path)
                lock.lock()
                let isLatest = latestEmbedderJob == job
                if isLatest { embedder = loaded }
                lock.unlock()
                guard isLatest else { throw EmbeddingError.cancelled }
                queue.post(.embedderLoaded(job: job, EmbedderInfo(choice: choice, name: loaded.name, dimension: loaded.dimension,
                                                                  normalizes: loaded.normalizes, warning: warning)))
            } catch let error as EmbeddingError where error == .cancelled {
                queue.post(.jobCancelled(job: job))
            } catch {
                queue.post(.jobFailed(job: job, message: "\(error)"))
            }
        }
    }

    private func isLatestSearch(_ tag: Int) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return latestSearchTag == tag
    }

    // MARK: - Move and save

    private func move(job: Int, request: PlacementRequest) {
        startJob(job)
        jobQueue.async { [self] in
            defer { endJob(job) }
            let context = FatalSignals.enter("moving \(self.path) to \(request.devices.joined(separator: ","))")
            defer { FatalSignals.leave(context) }
            let source = self.index
            do {
                let devices = try registry.resolve(request.devices.joined(separator: ","))
                let target = PlacementTarget(devices: devices, layout: request.layout, precision: request.precision)
                let touchesDevices = !ExplorerSession.isOnHost(source) || !target.isHost
                if touchesDevices { deviceLock.lock() }
                defer { if touchesDevices { deviceLock.unlock() } }
                MemoryLedger.shared.resetPeaks()
                let report = progressReporter(job: job)
                let moved = try IndexMover.move(source, to: target, candidates: registry.accelerators,
                                                registry: registry) { progress in
                    report(progress.rowsDone, progress.rowsTotal, progress.phase)
                }
                lock.lock()
                currentIndex = moved
                lock.unlock()
                queue.post(.moved(job: job, index: summary))
            } catch is CancellationError {
                queue.post(.jobCancelled(job: job))
            } catch {
                queue.post(.jobFailed(job: job, message: "\(error)"))
            }
            queue.post(.devicesSampled(sampleDevices()))
        }
    }

    private func save(job: Int, path: String) {
        startJob(job)
        jobQueue.async { [self] in
            defer { endJob(job) }
            let context = FatalSignals.enter("saving \(self.path) to \(path)")
            defer { FatalSignals.leave(context) }
            let index = self.index
            let onDevice = !ExplorerSession.isOnHost(index)
            if onDevice { deviceLock.lock() }
            defer { if onDevice { deviceLock.unlock() } }
            let report = progressReporter(job: job)
            do {
                try FaissIndexFile.write(index, to: expand(path)) { done, total in report(done, total, "writing vectors") }
                watch(path)  // our own save is not a change on disk
                queue.post(.saved(job: job, path: path))
            } catch is CancellationError {
                queue.post(.jobCancelled(job: job))
            } catch {
                queue.post(.jobFailed(job: job, message: "\(error)"))
            }
        }
    }

    /// Converts the index to `factory` with the CLI's job (`IndexConversion`), writing `path`; the
    /// result stays in memory until the user explores it or lets it go.
    private func convert(job: Int, factory: String, path: String, predictedBytes: Int) {
        startJob(job)
        jobQueue.async { [self] in
            defer { endJob(job) }
            let context = FatalSignals.enter("converting \(self.path) to \(factory)")
            defer { FatalSignals.leave(context) }
            let source = self.index
            let onDevice = !ExplorerSession.isOnHost(source)
            if onDevice { deviceLock.lock() }
            defer { if onDevice { deviceLock.unlock() } }
            let report = progressReporter(job: job)
            do {
                let conversion = IndexConversion(options: IndexConversion.Options(factory: factory))
                let (converted, measured) = try conversion.run(source: source, writingTo: expand(path)) { phase, done, total in
                    report(done, total, phase.rawValue)
                }
                lock.lock()
                convertedIndexes[job] = (converted, path)
                lock.unlock()
                queue.post(.converted(ConversionSummary(job: job, factory: factory, path: path, report: measured,
                                                        predictedBytes: predictedBytes)))
            } catch is CancellationError {
                queue.post(.jobCancelled(job: job))
            } catch {
                queue.post(.jobFailed(job: job, message: "\(error)"))
            }
            queue.post(.devicesSampled(sampleDevices()))
        }
    }

    /// Makes conversion `job`'s result the explored index (the old one is let go).
    private func exploreConverted(_ job: Int) {
        // On the job queue, after anything still using the old index there.
        jobQueue.async { [self] in
            lock.lock()
            guard let converted = convertedIndexes.removeValue(forKey: job) else {
                lock.unlock()
                return
            }
            currentIndex = converted.index
            currentPath = converted.path
            parameters = SearchParameters()  // the new index's own, as saved
            lock.unlock()
            queue.post(.switchedIndex(IndexSummary(index: converted.index, path: converted.path)))
            queue.post(.devicesSampled(sampleDevices()))
        }
    }

    // MARK: - Files changed on disk

    /// What other processes did to the files being explored: the mapped files whose bytes may
    /// have changed, and the index and catalog paths replaced, rewritten or deleted.
    func fileChanges() -> [FileChangeNotice] {
        var notices = MappedFile.changedFiles().filter { $0.change.affectsMapping }.map {
            FileChangeNotice(path: $0.path, change: $0.change, keptCopy: $0.privateCopy)
        }
        lock.lock()
        let watched = watchedFiles
        lock.unlock()
        for (path, identity) in watched where !notices.contains(where: { $0.path == expand(path) }) {
            guard let identity else { continue }
            if let change = identity.change(at: expand(path)) {
                // What the explorer holds of a replaced or deleted file is intact; a catalog is read whole.
                notices.append(FileChangeNotice(path: expand(path), change: change, keptCopy: true))
            }
        }
        return notices
    }

    /// Posts the changes on disk when they differ from those last posted.
    func reportFileChanges() {
        let notices = fileChanges()
        lock.lock()
        let isNew = notices != reportedChanges
        reportedChanges = notices
        lock.unlock()
        if isNew { queue.post(.filesChanged(notices)) }
    }

    /// Takes `path` as it is now as the version being explored.
    private func watch(_ path: String) {
        lock.lock()
        watchedFiles = watchedFiles.map { $0.path == path ? (path, FileIdentity(path: expand(path))) : $0 }
        lock.unlock()
    }

    /// Opens the explored file and its catalog again (`:reload`), on the job queue after
    /// anything still using the old index; the old index is let go once the new one is in.
    private func reload(job: Int) {
        startJob(job)
        jobQueue.async { [self] in
            defer { endJob(job) }
            let context = FatalSignals.enter("reloading \(self.path)")
            defer { FatalSignals.leave(context) }
            guard let reopen else {
                queue.post(.jobFailed(job: job, message: "this session was not opened from a file"))
                return
            }
            let path = self.path
            do {
                let opened = try reopen(expand(path))
                lock.lock()
                currentIndex = opened.index
                currentCatalog = opened.catalog
                watchedFiles = ([path] + (catalogPath.map { [$0] } ?? [])).map { ($0, FileIdentity(path: expand($0))) }
                lock.unlock()
                // The session's nprobe/efSearch stay: the file is the same index, rebuilt.
                queue.post(.reloaded(job: job, index: summary, catalog: opened.catalog,
                                     message: opened.message))
            } catch {
                queue.post(.jobFailed(job: job, message: "\(error)"))
            }
            reportFileChanges()
            queue.post(.devicesSampled(sampleDevices()))
        }
    }

    /// Sets the nprobe or efSearch the following searches run with (the index keeps its own).
    private func tune(_ tuning: SearchTuning) {
        lock.lock()
        switch tuning {
        case let .nprobe(nprobe, _): parameters.nprobe = nprobe
        case let .efSearch(ef): parameters.efSearch = ef
        }
        lock.unlock()
        queue.post(.tuned(summary))
    }

    /// A progress callback for job `job`: posts progress (at most every `progressInterval`,
    /// and always the last step) and answers false once the job is cancelled.
    private func progressReporter(job: Int) -> (Int, Int, String) -> Bool {
        var lastPost = 0.0
        return { [self] done, total, phase in
            let now = monotonicSeconds()
            if now - lastPost >= ExplorerSession.progressInterval || done == total {
                lastPost = now
                queue.post(.jobProgress(job: job, done: done, total: total, phase: phase))
            }
            lock.lock()
            defer { lock.unlock() }
            return !cancelledJobs.contains(job)
        }
    }

    private func cancel(_ job: Int) {
        lock.lock()
        cancelledJobs.insert(job)
        lock.unlock()
    }

    private func startJob(_ job: Int) {
        lock.lock()
        runningJobs.insert(job)
        lock.unlock()
    }

    private func endJob(_ job: Int) {
        lock.lock()
        runningJobs.remove(job)
        cancelledJobs.remove(job)
        lock.unlock()
    }

    // MARK: - Helpers

    /// The `k` nearest neighbours of the vector with id `id` (itself left out), and the
    /// milliseconds the search took.
    /// - Throws: `IndexError.idNotFound`, or a device error from the search.
    static func neighbours(of id: Int64, k: Int, in index: any VectorIndex, parameters: SearchParameters = SearchParameters())
        throws -> (neighbours: [SimilarState.Neighbour], milliseconds: Double) {
        let query = try index.reconstruct(id: id)
        let start = monotonicSeconds()
        // One extra result, since the query finds itself first.
        let result = try index.search(VectorMatrix(vector: query), k: min(index.count, k + 1), parameters: parameters)
        let milliseconds = (monotonicSeconds() - start) * 1000
        let neighbours = zip(result.ids, result.scores).filter { $0.0 != SearchResult.paddingID && $0.0 != id }.prefix(k).enumerated()
            .map { SimilarState.Neighbour(id: $1.0, score: $1.1, rank: $0 + 1) }
        return (Array(neighbours), milliseconds)
    }

    /// The `k` nearest neighbours of the query vector `vector` (a text's embedding), and the
    /// milliseconds the search took.
    /// - Throws: a device error from the search.
    static func neighbours(of vector: [Float], k: Int, in index: any VectorIndex, parameters: SearchParameters = SearchParameters())
        throws -> (neighbours: [SimilarState.Neighbour], milliseconds: Double) {
        let start = monotonicSeconds()
        let result = try index.search(VectorMatrix(vector: vector), k: min(index.count, k), parameters: parameters)
        let milliseconds = (monotonicSeconds() - start) * 1000
        let neighbours = zip(result.ids, result.scores).filter { $0.0 != SearchResult.paddingID }.prefix(k).enumerated()
            .map { SimilarState.Neighbour(id: $1.0, score: $1.1, rank: $0 + 1) }
        return (Array(neighbours), milliseconds)
    }

    /// Writes an export with `AtomicFileWriter` (temporary file, fsync, rename), refusing an
    /// existing file unless `overwrite`.
    /// - Returns: `.exported`, or `.exportFailed` naming `shownAs` (the path as typed).
    static func export(_ contents: String, rows: Int, to path: String, shownAs: String, overwrite: Bool) -> ExplorerMessage {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
            if isFolder.boolValue { return .exportFailed(message: "\(shownAs) is a folder; :export needs a file name") }
            if !overwrite { return .exportFailed(message: "\(shownAs) exists; :export! \(shownAs) overwrites it") }
        }
        do {
            let writer = try AtomicFileWriter(path: path)
            try writer.write(contents)
            try writer.commit()
            return .exported(path: shownAs, rows: rows, bytes: writer.bytesWritten)
        } catch {
            return .exportFailed(message: "Export not written: \(error)")
        }
    }

    /// `~` expanded; other paths as given (relative ones from the current folder).
    private func expand(_ path: String) -> String { ExplorerSession.expand(path) }

    private static func expand(_ path: String) -> String {
        (path as NSString).expandingTildeInPath
    }

    /// Whether the vectors of `index` are in host memory.
    static func isOnHost(_ index: any VectorIndex) -> Bool {
        let rows = (index as? IDMapIndex)?.inner ?? index
        return !(rows is DeviceFlatIndex)
    }

    /// Where a search on `index` runs, briefly: "cpu", "cl0 (fp16)", "cl0+cl1 (fp32, sharded)".
    static func whereItRuns(_ index: any VectorIndex) -> String {
        let rows = (index as? IDMapIndex)?.inner ?? index
        guard let device = rows as? DeviceFlatIndex else { return MemoryLedger.hostDevice }
        let names = device.shards.map(\.device.name).joined(separator: "+")
        switch device.layout {
        case .single: return "\(names) (\(device.precision))"
        case .shard: return "\(names) (\(device.precision), sharded)"
        case .replicate: return "\(names) (\(device.precision), replicated)"
        }
    }
}
