import Core
import Foundation
import TUI

/// The explorer's pure update: the model changes in answer to a message, and what must happen
/// outside (jobs, theme, quitting) comes back as effects. No clock, no files, no devices.
enum ExplorerUpdate {
    /// Applies `message` to `model`.
    /// - Returns: the effects the runtime must carry out, in order.
    static func update(_ model: inout ExplorerModel, _ message: ExplorerMessage) -> [ExplorerEffect] {
        switch message {
        case let .key(key):
            return handleKey(&model, key)
        case let .resize(size):
            model.size = size
            return []
        case let .tick(now):
            model.now = now
            return []
        case let .devicesSampled(devices):
            model.devices = devices
            if let selected = model.devicesTable.selected, selected >= devices.count {
                model.devicesTable.select(selected, rowCount: devices.count)
            }
            return []
        case let .filtered(tag, matches, _):
            guard tag == model.products.requestedTag else { return [] }  // a newer keystroke wins
            model.products.matches = matches.indices
            model.products.wordPrefixCount = matches.count(atLeast: .wordStart)
            model.products.shownTag = tag
            model.products.shownQuery = model.products.filter.text
            model.products.table = TableState(selected: matches.indices.isEmpty ? nil : 0)
            return []
        case let .searched(tag, neighbours, milliseconds, ranOn):
            guard tag == model.similar.requestedTag else { return [] }
            model.similar.shownTag = tag
            model.similar.neighbours = neighbours
            model.similar.latencyMilliseconds = milliseconds
            model.similar.ranOn = ranOn
            model.similar.table = TableState(selected: neighbours.isEmpty ? nil : 0)
            return []
        case let .searchFailed(tag, text):
            guard tag == model.similar.requestedTag else { return [] }
            model.similar.shownTag = tag
            model.similar.neighbours = []
            model.message = .error("search failed: \(text)")
            return []
        case let .asked(tag, neighbours, embedMilliseconds, searchMilliseconds, ranOn):
            return asked(&model, tag: tag, neighbours: neighbours, embedMilliseconds: embedMilliseconds,
                         searchMilliseconds: searchMilliseconds, ranOn: ranOn)
        case let .askFailed(tag, text):
            guard tag == model.similar.requestedTag else { return [] }
            model.similar.shownTag = tag
            model.similar.neighbours = []
            model.message = .error("ask failed: \(text)")
            return []
        case let .embedderLoaded(job, info):
            return embedderLoaded(&model, job: job, info)
        case let .rememberFailed(text):
            model.message = .warning("The text model was not remembered for this index: \(text)")
            return []
        case let .jobProgress(job, done, total, phase):
            updateJob(&model, job) {
                $0.done = done
                $0.total = total
                $0.phase = phase
            }
            return []
        case let .moved(job, index):
            finishJob(&model, job, status: .finished)
            model.index = index
            model.movedSinceSave = true
            let seconds = model.jobs.first { $0.id == job }.map { ($0.endedAt ?? model.now) - $0.startedAt } ?? 0
            model.message = .success("Moved the index: \(index.placementSummary) in \(formatSeconds(seconds)). "
                                     + "Save it with s.")
            // Search again where the index lives now, so latency and device are current.
            return repeatQuery(&model)
        case let .saved(job, path):
            finishJob(&model, job, status: .finished)
            model.movedSinceSave = false
            model.message = .success("Saved \(ByteSize.format(model.index.bytes)) to \(path) (FAISS format, "
                                     + "from \(model.index.placementSummary)).")
            return []
        case let .converted(summary):
            return conversionFinished(&model, summary)
        case let .switchedIndex(index):
            return indexSwitched(&model, index)
        case let .tuned(index):
            return tuned(&model, index)
        case let .filesChanged(notices):
            return filesChanged(&model, notices)
        case let .reloaded(job, index, catalog, message):
            return reloaded(&model, job: job, index: index, catalog: catalog, message: message)
        case let .jobCancelled(job):
            finishJob(&model, job, status: .cancelled)
            let title = model.jobs.first { $0.id == job }?.title ?? "The job"
            model.message = .warning("\(title): cancelled; nothing changed.")
            embedderFailed(&model, job: job, reason: "loading was cancelled")
            return []
        case let .jobFailed(job, text):
            finishJob(&model, job, status: .failed(text))
            let title = model.jobs.first { $0.id == job }?.title ?? "The job"
            model.message = .error("\(title) failed: \(text)")
            embedderFailed(&model, job: job, reason: text)
            return []
        case let .savePathChecked(path, exists):
            return savePathChecked(&model, path: path, exists: exists)
        case let .themeChanged(name):
            model.themeName = name
            model.message = .info("Theme: \(name).")
            return []
        case let .themeFailed(text):
            model.message = .error(text)
            return []
        }
    }

    // MARK: - Keys

    /// A key, routed to the open dialog, the command line, the filter box, or the panes.
    static func handleKey(_ model: inout ExplorerModel, _ key: Key) -> [ExplorerEffect] {
        if key == .resize { return [] }
        if model.isTooSmall {
            return key == .character("q") || key == .ctrl("c") ? requestQuit(&model) : []
        }
        if let overlay = model.overlay { return handleOverlayKey(&model, overlay, key) }
        if model.commandLine != nil { return handleCommandLineKey(&model, key) }
        if model.ask.box != nil { return handleAskKey(&model, key) }
        if model.products.isEditing { return handleFilterKey(&model, key) }

        switch key {
        case .character("?"):
            model.overlay = .help
        case .character(":"):
            model.commandLine = TextInputState()
        case .tab:
            model.focus = Pane(rawValue: (model.focus.rawValue + 1) % Pane.allCases.count)!
        case .backTab:
            model.focus = Pane(rawValue: (model.focus.rawValue + Pane.allCases.count - 1) % Pane.allCases.count)!
        case .character(let character) where character.wholeNumberValue.map { (1...Pane.allCases.count).contains($0) } ?? false:
            model.focus = Pane(rawValue: character.wholeNumberValue! - 1)!
        case .character("q"), .ctrl("c"):
            return requestQuit(&model)
        case .character("/"):
            model.focus = .products
            model.products.isEditing = true
        case .character("m"):
            openPicker(&model, request: defaultPlacement(model))
        case .character("s"):
            openSavePrompt(&model, path: model.index.path)
        case .character("c"):
            openConvertPrompt(&model)
        case .character("a"):
            openAsk(&model)
        case .escape:
            if model.focus == .products && !model.products.filter.text.isEmpty {
                model.products.filter = TextInputState()
                return requestFilter(&model)
            }
            model.message = nil
        default:
            return handlePaneKey(&model, key)
        }
        return []
    }

    /// Keys for the focused pane: lists move with the usual keys; Enter acts on the selection.
    static func handlePaneKey(_ model: inout ExplorerModel, _ key: Key) -> [ExplorerEffect] {
        let layout = ExplorerLayout(model)
        switch model.focus {
        case .index:
            return []
        case .devices:
            if model.devicesTable.handle(key, rowCount: model.devices.count, visibleRows: layout.devicesPage) { return [] }
            if key == .enter, let row = model.devicesTable.selected, row < model.devices.count {
                let name = model.devices[row].device.name
                openPicker(&model, request: PlacementRequest(devices: [name], layout: .single, precision: .fp32))
            }
            return []
        case .products:
            if model.products.table.handle(key, rowCount: model.products.matches.count, visibleRows: layout.productsPage) {
                return []
            }
            if key == .enter, let position = model.products.selectedPosition {
                return startSimilar(&model, id: model.catalog.id(at: position))
            }
            if key == .enter, offersAskForFilter(model) {
                return requestAsk(&model, text: model.products.shownQuery.trimmingCharacters(in: .whitespaces))
            }
            return []
        case .similar:
            if model.similar.table.handle(key, rowCount: model.similar.neighbours.count, visibleRows: layout.similarPage) {
                return []
            }
            switch key {
            case .enter:
                guard let row = model.similar.table.selected, row < model.similar.neighbours.count else { return [] }
                return startSimilar(&model, id: model.similar.neighbours[row].id)
            case .character("+"), .character("="):
                return setK(&model, model.similar.k + 1)
            case .character("-"):
                return setK(&model, model.similar.k - 1)
            case .character(">"):
                return scaleTuning(&model, up: true)
            case .character("<"):
                return scaleTuning(&model, up: false)
            default:
                return []
            }
        case .jobs:
            if model.jobsTable.handle(key, rowCount: model.jobs.count, visibleRows: layout.jobsPage) { return [] }
            if key == .character("x"), let row = model.jobsTable.selected, row < model.jobs.count {
                return cancelJob(&model, model.jobs[row].id)
            }
            return []
        }
    }

    /// Keys while the filter box has the keyboard: editing keys change the filter (each change
    /// a new tagged request), arrows move in the list, Enter shows the selection's neighbours.
    static func handleFilterKey(_ model: inout ExplorerModel, _ key: Key) -> [ExplorerEffect] {
        let layout = ExplorerLayout(model)
        switch key {
        case .enter:
            if offersAskForFilter(model) && model.products.shownQuery == model.products.filter.text {
                model.products.isEditing = false
                return requestAsk(&model, text: model.products.shownQuery.trimmingCharacters(in: .whitespaces))
            }
            model.products.isEditing = false
            guard let position = model.products.selectedPosition else { return [] }
            return startSimilar(&model, id: model.catalog.id(at: position))
        case .escape:
            model.products.isEditing = false
            return []
        case .tab, .backTab:
            model.products.isEditing = false
            return handleKey(&model, key)
        case .ctrl("c"):
            return requestQuit(&model)
        case .up, .down, .pageUp, .pageDown:
            _ = model.products.table.handle(key, rowCount: model.products.matches.count, visibleRows: layout.productsPage)
            return []
        default:
            let before = model.products.filter.text
            guard model.products.filter.handle(key), model.products.filter.text != before else { return [] }
            return requestFilter(&model)
        }
    }

    // MARK: - Actions

    /// A new filter request for the current filter text.
    static func requestFilter(_ model: inout ExplorerModel) -> [ExplorerEffect] {
        let tag = model.takeTag()
        model.products.requestedTag = tag
        return [.filter(tag: tag, query: model.products.filter.text)]
    }

    /// Makes the product with index id `id` the query and searches its neighbours.
    static func startSimilar(_ model: inout ExplorerModel, id: Int64) -> [ExplorerEffect] {
        model.similar.queryID = id
        model.similar.askedText = nil
        model.similar.embedMilliseconds = nil
        return searchAgain(&model, id: id)
    }

    /// A new search request for `id` with the current k.
    static func searchAgain(_ model: inout ExplorerModel, id: Int64) -> [ExplorerEffect] {
        let tag = model.takeTag()
        model.similar.requestedTag = tag
        return [.search(tag: tag, id: id, k: model.similar.k)]
    }

    /// The largest k the explorer asks for.
    static let maximumK = 1000

    /// Sets k (1…`maximumK`) and searches again when there is a query.
    static func setK(_ model: inout ExplorerModel, _ k: Int) -> [ExplorerEffect] {
        guard (1...maximumK).contains(k) else {
            model.message = .error("k must be between 1 and \(maximumK)")
            return []
        }
        model.similar.k = k
        model.message = .info("k = \(k)")
        return repeatQuery(&model)
    }

    /// Quits, or asks first when a job runs or a moved index is unsaved.
    static func requestQuit(_ model: inout ExplorerModel) -> [ExplorerEffect] {
        if let job = model.runningJobs.first(where: \.touchesIndex) {
            model.overlay = .confirmQuit(reason: "\(job.title) is running; quitting cancels it.")
        } else if model.movedSinceSave {
            model.overlay = .confirmQuit(reason: "The index was moved (\(model.index.placementSummary)) and not saved.")
        } else {
            return [.quit]
        }
        return []
    }

    /// Cancels every running job, then quits.
    static func quitNow(_ model: inout ExplorerModel) -> [ExplorerEffect] {
        model.overlay = nil
        let cancels = model.runningJobs.flatMap { cancelJob(&model, $0.id) }
        return cancels + [.quit]
    }

    /// Asks a running job to stop.
    static func cancelJob(_ model: inout ExplorerModel, _ id: Int) -> [ExplorerEffect] {
        guard let position = model.jobs.firstIndex(where: { $0.id == id }), model.jobs[position].status == .running else {
            return []
        }
        model.jobs[position].status = .cancelling
        return [.cancel(job: id)]
    }

    /// Where `m` proposes to move the index: the selected device when the Devices pane has the
    /// focus, else the first OpenCL device from the host, or back to the host from a device.
    static func defaultPlacement(_ model: ExplorerModel) -> PlacementRequest {
        if model.focus == .devices, let row = model.devicesTable.selected, row < model.devices.count {
            return PlacementRequest(devices: [model.devices[row].device.name], layout: .single, precision: .fp32)
        }
        let accelerator = model.devices.first { !$0.device.isHost }?.device.name
        if model.index.isOnHost, let accelerator {
            return PlacementRequest(devices: [accelerator], layout: .single, precision: .fp32)
        }
        return PlacementRequest(devices: [MemoryLedger.hostDevice], layout: .single, precision: .fp32)
    }

    /// Opens the device picker on `request`, unless a job would get in the way or the index
    /// cannot move.
    static func openPicker(_ model: inout ExplorerModel, request: PlacementRequest) {
        guard model.index.holdsFlatVectors else {
            model.message = .warning("\(model.index.className) stays on the CPU: only flat indexes (with or without an IDMap) "
                                     + "move to OpenCL devices.")
            return
        }
        if refuseWhileAJobRuns(&model) { return }
        model.overlay = .picker(PlacementPicker(choices: model.devices.map(\.device.name), request: request))
    }

    /// Opens the save dialog with `path`, unless a job would get in the way.
    static func openSavePrompt(_ model: inout ExplorerModel, path: String) {
        if refuseWhileAJobRuns(&model) { return }
        model.overlay = .save(SavePrompt(path: path))
    }

    /// Says so and answers true when a job is running (one job at a time: a move, save or
    /// conversion would race the running one for the index).
    static func refuseWhileAJobRuns(_ model: inout ExplorerModel) -> Bool {
        guard let job = model.runningJobs.first(where: \.touchesIndex) else { return false }
        model.message = .warning("\(job.title) is running; wait for it or cancel it in Jobs (x).")
        return true
    }

    /// Adds a running job and returns its number.
    static func addJob(_ model: inout ExplorerModel, title: String, countsRows: Bool = true,
                       touchesIndex: Bool = true) -> Int {
        let id = model.takeTag()
        var job = JobState(id: id, title: title, total: model.index.count, rowBytes: model.index.dimension * 4,
                           startedAt: model.now)
        job.countsRows = countsRows
        job.touchesIndex = touchesIndex
        model.jobs.append(job)
        if model.jobs.count > maximumJobsKept {
            model.jobs.removeFirst(model.jobs.count - maximumJobsKept)
        }
        model.jobsTable.select(model.jobs.count - 1, rowCount: model.jobs.count)
        return id
    }

    /// Finished jobs are dropped from the front past this many.
    static let maximumJobsKept = 20

    /// Applies `change` to job `id`, if it is still listed.
    static func updateJob(_ model: inout ExplorerModel, _ id: Int, _ change: (inout JobState) -> Void) {
        guard let position = model.jobs.firstIndex(where: { $0.id == id }) else { return }
        change(&model.jobs[position])
    }

    /// Marks job `id` as over.
    static func finishJob(_ model: inout ExplorerModel, _ id: Int, status: JobState.Status) {
        let now = model.now
        updateJob(&model, id) {
            $0.status = status
            $0.endedAt = now
            if status == .finished { $0.done = $0.total }
        }
    }

    /// "0.42 s", "12 s", "3 min 05 s".
    static func formatSeconds(_ seconds: Double) -> String {
        if seconds < 10 { return String(format: "%.2f s", max(0, seconds)) }
        if seconds < 120 { return "\(Int(seconds.rounded())) s" }
        let whole = Int(seconds.rounded())
        return String(format: "%d min %02d s", whole / 60, whole % 60)
    }
}
