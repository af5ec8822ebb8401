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
        case let .filterNote(tag, problem):
            filterNoted(&model, tag: tag, problem)
            return []
        case let .filtered(tag, matches, _):
            return filtered(&model, tag: tag, matches)
        case let .searched(tag, neighbours, milliseconds, ranOn):
            searched(&model, tag: tag, neighbours, milliseconds: milliseconds, ranOn: ranOn)
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
        case let .located(tag, location):
            return located(&model, tag: tag, location)
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
        case let .exported(path, rows, bytes):
            return exported(&model, path: path, rows: rows, bytes: bytes)
        case let .exportFailed(text):
            model.message = .error(text)
            return []
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
        if case let .mouse(event) = key { return handleMouse(&model, event) }
        if model.isTooSmall {
            return key == .character("q") || key == .ctrl("c") ? requestQuit(&model) : []
        }
        if let overlay = model.overlay { return handleOverlayKey(&model, overlay, key) }
        if model.commandLine != nil { return handleCommandLineKey(&model, key) }
        if model.ask.box != nil { return handleAskKey(&model, key) }
        if model.products.isEditing { return handleFilterKey(&model, key) }

        if let action = KeyMap.action(for: key, in: model.focus) { return perform(&model, action) }
        return handleListKey(&model, key)
    }

    /// Moves the focused pane's list with the usual keys (`TableState`).
    static func handleListKey(_ model: inout ExplorerModel, _ key: Key) -> [ExplorerEffect] {
        let layout = ExplorerLayout(model)
        switch model.focus {
        case .index:
            break
        case .devices:
            _ = model.devicesTable.handle(key, rowCount: model.devices.count, visibleRows: layout.devicesPage)
        case .products:
            _ = model.products.table.handle(key, rowCount: model.products.matches.count, visibleRows: layout.productsPage)
        case .similar:
            _ = model.similar.table.handle(key, rowCount: model.similar.neighbours.count, visibleRows: layout.similarPage)
        case .jobs:
            _ = model.jobsTable.handle(key, rowCount: model.jobs.count, visibleRows: layout.jobsPage)
        }
        return []
    }

    /// Carries out a key map action.
    static func perform(_ model: inout ExplorerModel, _ action: ExplorerAction) -> [ExplorerEffect] {
        switch action {
        case .help:
            model.overlay = .help
            model.helpScroll = 0
        case .commandLine:
            model.commandLine = TextInputState()
        case .nextPane:
            model.focus = Pane(rawValue: (model.focus.rawValue + 1) % Pane.allCases.count)!
        case .previousPane:
            model.focus = Pane(rawValue: (model.focus.rawValue + Pane.allCases.count - 1) % Pane.allCases.count)!
        case let .focus(pane):
            model.focus = pane
        case .quit:
            return requestQuit(&model)
        case .filter:
            model.focus = .products
            model.products.isEditing = true
        case .move:
            openPicker(&model, request: defaultPlacement(model))
        case .save:
            openSavePrompt(&model, path: model.index.path)
        case .convert:
            openConvertPrompt(&model)
        case .ask:
            openAsk(&model)
        case .back:
            if model.focus == .products && !model.products.filter.text.isEmpty {
                model.products.filter = TextInputState()
                return requestFilter(&model)
            }
            model.message = nil
        case .activate:
            return activate(&model)
        case .details:
            return openDetails(&model)
        case .moreNeighbours:
            return setK(&model, model.similar.k + 1)
        case .fewerNeighbours:
            return setK(&model, model.similar.k - 1)
        case .raiseTuning:
            return scaleTuning(&model, up: true)
        case .lowerTuning:
            return scaleTuning(&model, up: false)
        case .copyID:
            return copySelectedID(&model)
        case .copyResults:
            return copyResults(&model)
        case .cancelJob:
            if let row = model.jobsTable.selected, row < model.jobs.count { return cancelJob(&model, model.jobs[row].id) }
        }
        return []
    }

    /// Enter in the focused list: a product's similar items (or asking the filter text when it
    /// matched nothing), a neighbour as the new query, the device picker on a device.
    static func activate(_ model: inout ExplorerModel) -> [ExplorerEffect] {
        switch model.focus {
        case .devices:
            if let row = model.devicesTable.selected, row < model.devices.count {
                let name = model.devices[row].device.name
                openPicker(&model, request: PlacementRequest(devices: [name], layout: .single, precision: .fp32))
            }
        case .products:
            if let position = model.products.selectedPosition {
                return startSimilar(&model, id: model.catalog.id(at: position))
            }
            if offersAskForFilter(model) {
                return requestAsk(&model, text: filterText(model).text.trimmingCharacters(in: .whitespaces))
            }
        case .similar:
            if let row = model.similar.table.selected, row < model.similar.neighbours.count {
                return startSimilar(&model, id: model.similar.neighbours[row].id)
            }
        case .index, .jobs:
            break
        }
        return []
    }

    // MARK: - Actions

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

    /// "0.42 s", "12 s", "3 min 05 s".
    static func formatSeconds(_ seconds: Double) -> String {
        if seconds < 10 { return String(format: "%.2f s", max(0, seconds)) }
        if seconds < 120 { return "\(Int(seconds.rounded())) s" }
        let whole = Int(seconds.rounded())
        return String(format: "%d min %02d s", whole / 60, whole % 60)
    }
}
