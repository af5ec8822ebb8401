import Core
import Encoder
import Foundation
import TUI

// Asking by meaning: `a` (or `:ask TEXT`) embeds a text with the index's text model and shows
// its nearest products in the Similar pane. The model is loaded as a job when the explorer
// opens (`--model`, `--embed-url`, or the one remembered for the index) or with `:model NAME`.

extension ExplorerUpdate {
    /// What `a` says when no model is set.
    static let noModelMessage = "No text model for asking: open with --model NAME (e.g. all-MiniLM-L6-v2) "
        + "or --embed-url URL --embed-model NAME, or type :model NAME."

    /// Starts loading `choice` as a job; `remember` writes it to the index's remembered
    /// choice once it loads and fits.
    static func loadEmbedder(_ model: inout ExplorerModel, _ choice: EmbedderChoice, remember: Bool) -> [ExplorerEffect] {
        // A model still loading is replaced: its job is cancelled.
        var cancels: [ExplorerEffect] = []
        if let loading = model.ask.loadingJob { cancels = cancelJob(&model, loading) }
        let job = addJob(&model, title: "Load \(choice.label)", countsRows: false, touchesIndex: false)
        if let position = model.jobs.firstIndex(where: { $0.id == job }) {
            model.jobs[position].total = 100
            model.jobs[position].rowBytes = 0
            model.jobs[position].phase = "loading the model"
        }
        model.ask.embedder = .loading(job: job, choice: choice)
        model.ask.remembersOnLoad = remember
        return cancels + [.loadEmbedder(job: job, choice: choice)]
    }

    /// The model loaded and fits the index: asks can run (a text typed meanwhile is asked now).
    static func embedderLoaded(_ model: inout ExplorerModel, job: Int, _ info: EmbedderInfo) -> [ExplorerEffect] {
        guard model.ask.loadingJob == job else { return [] }  // replaced by a newer choice
        finishJob(&model, job, status: .finished)
        model.ask.embedder = .ready(info)
        var effects: [ExplorerEffect] = []
        if model.ask.remembersOnLoad {
            effects.append(.rememberEmbedder(info.choice, indexPath: model.index.path))
        }
        if let warning = info.warning {
            model.message = .warning(warning)
        } else {
            model.message = .success("\(info.name) is ready (\(info.dimension)-d): press a to ask by meaning.")
        }
        if let pending = model.ask.pending {
            model.ask.pending = nil
            effects += requestAsk(&model, text: pending)
        }
        return effects
    }

    /// The model job failed (or was cancelled): asking says why; everything else works on.
    static func embedderFailed(_ model: inout ExplorerModel, job: Int, reason: String) {
        guard case let .loading(loading, choice) = model.ask.embedder, loading == job else { return }
        model.ask.embedder = .failed(choice: choice, message: reason)
        model.ask.pending = nil
        model.message = .error("Cannot ask with \(choice.label): \(reason)")
    }

    /// `a`: opens the ask box, or says why asking cannot work.
    static func openAsk(_ model: inout ExplorerModel, text: String = "") {
        switch model.ask.embedder {
        case .none:
            model.message = .warning(noModelMessage)
        case let .failed(choice, reason):
            model.message = .error("Cannot ask with \(choice.label): \(reason)")
        case .loading, .ready:
            model.ask.box = TextInputState(text: text)
        }
    }

    /// Keys while the ask box is open: Enter asks, Esc (or Backspace on nothing) closes it.
    static func handleAskKey(_ model: inout ExplorerModel, _ key: Key) -> [ExplorerEffect] {
        guard var box = model.ask.box else { return [] }
        switch key {
        case .enter:
            let text = box.text.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else {
                model.message = .warning("Type what you look for, e.g. cosy wool blanket; Esc closes.")
                return []
            }
            model.ask.box = nil
            return requestAsk(&model, text: text)
        case .escape, .ctrl("c"):
            model.ask.box = nil
        case .backspace where box.text.isEmpty:
            model.ask.box = nil
        default:
            _ = box.handle(key)
            model.ask.box = box
        }
        return []
    }

    /// Makes `text` the Similar pane's query: asked now when the model is ready, else once it is.
    static func requestAsk(_ model: inout ExplorerModel, text: String) -> [ExplorerEffect] {
        switch model.ask.embedder {
        case .none:
            model.message = .warning(noModelMessage)
            return []
        case let .failed(choice, reason):
            model.message = .error("Cannot ask with \(choice.label): \(reason)")
            return []
        case let .loading(job, choice):
            model.ask.pending = text
            let percent = model.jobs.first { $0.id == job }.map { Int($0.fraction * 100) } ?? 0
            model.message = .info("Loading \(choice.label) (\(percent)%); “\(text)” is asked once it is ready.")
            return []
        case .ready:
            model.similar.queryID = nil
            model.similar.askedText = text
            model.similar.embedMilliseconds = nil
            model.message = nil
            return askAgain(&model)
        }
    }

    /// A new ask request for the shown text with the current k.
    static func askAgain(_ model: inout ExplorerModel) -> [ExplorerEffect] {
        guard let text = model.similar.askedText else { return [] }
        model.similar.restriction = filterText(model).restriction
        let tag = model.takeTag()
        model.similar.requestedTag = tag
        return [.ask(tag: tag, text: text, k: model.similar.k)]
    }

    /// Searches the Similar pane's query again (after k, the knob, a move or a new index changed).
    static func repeatQuery(_ model: inout ExplorerModel) -> [ExplorerEffect] {
        if model.similar.askedText != nil { return askAgain(&model) }
        return model.similar.queryID.map { searchAgain(&model, id: $0) } ?? []
    }

    /// An ask's neighbours arrived.
    static func asked(_ model: inout ExplorerModel, tag: Int, neighbours: [SimilarState.Neighbour],
                      embedMilliseconds: Double, searchMilliseconds: Double, ranOn: String) -> [ExplorerEffect] {
        guard tag == model.similar.requestedTag else { return [] }  // a newer query wins
        model.similar.embedMilliseconds = embedMilliseconds
        searched(&model, tag: tag, neighbours, milliseconds: searchMilliseconds, ranOn: ranOn)
        return []
    }

    /// Whether Enter in Products should ask the filter text by meaning: the filter matched
    /// nothing (and is done filtering) and a model is set.
    static func offersAskForFilter(_ model: ExplorerModel) -> Bool {
        model.ask.hasModel && !model.products.isFiltering && model.products.matches.isEmpty
            && !filterText(model).text.trimmingCharacters(in: .whitespaces).isEmpty
    }

    /// `:model NAME`: loads a built-in model for this index (and remembers it once it fits).
    static func chooseModel(_ model: inout ExplorerModel, _ name: String) -> [ExplorerEffect] {
        guard !name.isEmpty else {
            switch model.ask.embedder {
            case .none: model.message = .info("usage: :model NAME (a folder or a name such as all-MiniLM-L6-v2)")
            case let .loading(_, choice): model.message = .info("Loading \(choice.label)…")
            case let .ready(info): model.message = .info("Text model: \(info.name), \(info.dimension)-d.")
            case let .failed(choice, reason): model.message = .error("Cannot ask with \(choice.label): \(reason)")
            }
            return []
        }
        return loadEmbedder(&model, EmbedderChoice(model: name), remember: true)
    }
}
