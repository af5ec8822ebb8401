import Core
import Foundation
import TUI

/// The UI loop: reads a key with a short timeout, drains what jobs reported, runs `update`,
/// carries out the effects, renders the model and lets `Terminal` send only changed cells.
/// Every curses call happens here, on the thread that calls `run()`.
final class ExplorerRuntime {
    /// The model as of the last frame.
    private(set) var model: ExplorerModel
    /// Timings, when measuring.
    private(set) var measurements: ExplorerMeasurements?
    /// The theme last chosen with `:theme` (as typed), to keep in the settings.
    private(set) var chosenTheme: String?
    private let session: ExplorerSession
    private let terminal: Terminal
    private let themeSearchPaths: [String]
    /// What `update` asked for before the first frame (loading the text model).
    private var initialEffects: [ExplorerEffect]
    /// Bytes for the terminal itself (OSC 52 clipboard sequences), sent after the next frame.
    private var pendingRawWrites: [[UInt8]] = []

    /// How long to wait for a key when nothing is pending, and while a search or filter is (ms).
    static let idleTimeout = 30
    static let busyTimeout = 1
    /// Seconds between device memory samples, and between frames when nothing happens.
    static let sampleInterval = 0.5
    static let idleFrameInterval = 0.25
    /// Seconds to wait, after quitting, for cancelled jobs to stop.
    static let shutdownWait = 5.0

    /// A runtime drawing `model` on `backend`, with jobs run by `session`.
    init(model: ExplorerModel, session: ExplorerSession, backend: TerminalBackend, themeSearchPaths: [String],
         measure: Bool, initialEffects: [ExplorerEffect] = []) {
        self.model = model
        self.initialEffects = initialEffects
        self.session = session
        self.terminal = Terminal(backend: backend)
        self.themeSearchPaths = themeSearchPaths
        measurements = measure ? ExplorerMeasurements() : nil
    }

    /// Runs until the user quits or a termination signal arrives; then cancels running jobs and
    /// waits briefly for them to stop (so a cancelled save removes its temporary file).
    func run() {
        var lastSample = monotonicSeconds()
        var lastFrame = lastSample
        var quitting = false
        for effect in initialEffects { quitting = perform(effect) || quitting }
        initialEffects = []
        terminal.present(ExplorerView.render(model))
        while !quitting && terminal.backend.terminationSignal == nil {
            let busy = model.similar.isSearching || model.products.isFiltering
            let timeout = busy ? ExplorerRuntime.busyTimeout : ExplorerRuntime.idleTimeout
            let key = terminal.backend.readKey(timeoutMilliseconds: timeout)
            let keyTime = monotonicSeconds()
            var messages: [ExplorerMessage] = []
            if key == .resize {
                terminal.invalidate()
                messages.append(.resize(terminal.size))
            } else if let key {
                messages.append(.key(key))
            }
            if keyTime - lastSample >= ExplorerRuntime.sampleInterval {
                messages.append(.devicesSampled(session.sampleDevices()))
                lastSample = keyTime
            }
            messages += session.queue.drain()
            if messages.isEmpty && keyTime - lastFrame < ExplorerRuntime.idleFrameInterval { continue }

            var keyOnlyChangedUI = key != nil && key != .resize
            var shownSearches: [(tag: Int, milliseconds: Double)] = []
            var shownFilters: [(tag: Int, query: String, milliseconds: Double)] = []
            var shownAsks: [(tag: Int, embed: Double, search: Double)] = []
            // Effects may answer at once (a path check): handle those before drawing.
            for _ in 0..<8 where !messages.isEmpty {
                for message in [.tick(now: monotonicSeconds())] + messages {
                    let effects = ExplorerUpdate.update(&model, message)
                    switch message {
                    case .key:
                        if !effects.isEmpty { keyOnlyChangedUI = false }
                    case let .searched(tag, _, milliseconds, _) where tag == model.similar.shownTag:
                        shownSearches.append((tag, milliseconds))
                    case let .filtered(tag, _, milliseconds) where tag == model.products.shownTag:
                        shownFilters.append((tag, model.products.shownQuery, milliseconds))
                    case let .asked(tag, _, embed, search, _) where tag == model.similar.shownTag:
                        shownAsks.append((tag, embed, search))
                    default:
                        break
                    }
                    for effect in effects {
                        if case .key = message { noteAsked(effect, at: keyTime) }
                        quitting = perform(effect) || quitting
                    }
                }
                messages = session.queue.drain()
            }
            terminal.present(ExplorerView.render(model))
            for bytes in pendingRawWrites { terminal.backend.writeRaw(bytes) }
            pendingRawWrites = []
            lastFrame = monotonicSeconds()
            record(keyTime: keyTime, keyOnlyChangedUI: keyOnlyChangedUI, searches: shownSearches, filters: shownFilters, asks: shownAsks)
        }
        session.cancelAll()
        guard session.hasActiveJobs else { return }
        model.message = .warning("Stopping the running job before quitting…")
        terminal.present(ExplorerView.render(model))
        let deadline = monotonicSeconds() + ExplorerRuntime.shutdownWait
        while session.hasActiveJobs && monotonicSeconds() < deadline {
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    /// Carries out one effect.
    /// - Returns: whether it was `.quit`.
    private func perform(_ effect: ExplorerEffect) -> Bool {
        switch effect {
        case .quit:
            return true
        case let .copyToClipboard(text):
            pendingRawWrites.append(OSC52.sequence(copying: text))
            return false
        case let .setTheme(name):
            do {
                let theme = try Theme.select(requested: name, colorCount: terminal.backend.colorCount,
                                             searchPaths: themeSearchPaths)
                terminal.theme = theme
                session.queue.post(.themeChanged(name: theme.name))
                chosenTheme = name
            } catch {
                session.queue.post(.themeFailed(message: "\(error)"))
            }
            return false
        default:
            session.perform(effect)
            return false
        }
    }

    // MARK: - Measuring

    private func noteAsked(_ effect: ExplorerEffect, at time: Double) {
        switch effect {
        case let .search(tag, _, _), let .filter(tag, _), let .ask(tag, _, _): measurements?.askedAt[tag] = time
        default: break
        }
    }

    private func record(keyTime: Double, keyOnlyChangedUI: Bool, searches: [(tag: Int, milliseconds: Double)],
                        filters: [(tag: Int, query: String, milliseconds: Double)], asks: [(tag: Int, embed: Double, search: Double)]) {
        guard measurements != nil else { return }
        let now = monotonicSeconds()
        if keyOnlyChangedUI { measurements!.redraws.append((now - keyTime) * 1000) }
        for search in searches {
            measurements!.searches.append(search.milliseconds)
            if let asked = measurements!.askedAt.removeValue(forKey: search.tag) {
                measurements!.queriesShown.append((now - asked) * 1000)
            }
        }
        for ask in asks {
            measurements!.askEmbeds.append(ask.embed)
            measurements!.askSearches.append(ask.search)
            if let asked = measurements!.askedAt.removeValue(forKey: ask.tag) {
                measurements!.asksShown.append((now - asked) * 1000)
            }
        }
        for filter in filters {
            measurements!.filters.append((filter.query, filter.milliseconds))
            if let asked = measurements!.askedAt.removeValue(forKey: filter.tag) {
                measurements!.filtersShown.append((now - asked) * 1000)
            }
        }
    }
}
