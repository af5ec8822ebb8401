import Core
import Foundation
import TUI

// Converting the index to another type (`c`, `:convert FACTORY`), the result dialog, and the
// search knob of approximate indexes (`:nprobe N`, `:ef N`, `<` and `>` in Similar).

extension ExplorerUpdate {
    /// Opens the convert dialog on `factory` (or a suggestion for the index's size), unless the
    /// index holds no plain vectors or a job would get in the way.
    static func openConvertPrompt(_ model: inout ExplorerModel, factory: String? = nil) {
        guard model.index.holdsFlatVectors else {
            model.message = .warning("\(model.index.innerClassName ?? model.index.className) holds compressed vectors; "
                                     + "conversions start from a flat index (open its flat file).")
            return
        }
        if refuseWhileAJobRuns(&model) { return }
        let text = factory ?? ConvertPrompt.defaultFactory(count: model.index.count)
        model.overlay = .convert(ConvertPrompt(factory: text, index: model.index))
    }

    /// The convert dialog: typing edits the focused field (Tab switches), Enter checks the
    /// prediction and the path and starts the job (an existing file needs a second Enter).
    static func handleConvertKey(_ model: inout ExplorerModel, _ prompt: inout ConvertPrompt, _ key: Key) -> [ExplorerEffect] {
        switch key {
        case .escape:
            model.overlay = nil
        case .ctrl("c"):
            model.overlay = nil
            return requestQuit(&model)
        case .tab, .backTab, .up, .down:
            prompt.field = prompt.field == .factory ? .path : .factory
        case .enter:
            if let problem = convertProblem(prompt, model: model) {
                model.message = .error(problem.description)
                return []
            }
            let path = prompt.path.text.trimmingCharacters(in: .whitespaces)
            if prompt.confirmingOverwrite { return startConvert(&model, prompt) }
            guard !prompt.isChecking else { return [] }
            prompt.isChecking = true
            return [.checkSavePath(path)]
        default:
            switch prompt.field {
            case .factory:
                let before = prompt.factory.text
                if prompt.factory.handle(key), prompt.factory.text != before { prompt.factoryChanged(index: model.index) }
            case .path:
                let before = prompt.path.text
                if prompt.path.handle(key), prompt.path.text != before {
                    prompt.pathEdited = true
                    prompt.confirmingOverwrite = false
                    prompt.isChecking = false
                }
            }
        }
        return []
    }

    /// Why the convert dialog cannot start as filled in.
    enum ConvertProblem: Error, Equatable, CustomStringConvertible {
        /// The factory string cannot be predicted (or built).
        case prediction(ConvertPrompt.PromptProblem)
        /// No output path was typed.
        case noPath
        /// The output path is the open index's own file.
        case overwritesOpenIndex(path: String)
        /// The job's predicted peak is more than the host's free memory.
        case notEnoughHostMemory(peakBytes: Int, freeBytes: Int)

        var description: String {
            switch self {
            case let .prediction(problem): return problem.description
            case .noPath: return "Type the path of the file to write."
            case let .overwritesOpenIndex(path): return "\(path) is the open index's own file; write the conversion to another path."
            case let .notEnoughHostMemory(peak, free):
                return "Not enough host RAM: the conversion needs about \(ByteSize.format(peak)) at peak, "
                    + "\(ByteSize.format(free)) is free."
            }
        }
    }

    /// Why the dialog cannot start as filled in, or nil.
    static func convertProblem(_ prompt: ConvertPrompt, model: ExplorerModel) -> ConvertProblem? {
        let prediction: IndexConversion.Prediction
        switch prompt.prediction {
        case let .failure(problem): return .prediction(problem)
        case let .success(value): prediction = value
        }
        let path = prompt.path.text.trimmingCharacters(in: .whitespaces)
        guard !path.isEmpty else { return .noPath }
        if standardized(path) == standardized(model.index.path) { return .overwritesOpenIndex(path: path) }
        if let host = model.devices.first(where: { $0.device.isHost }), prediction.peakBytes > host.freeBytes {
            return .notEnoughHostMemory(peakBytes: prediction.peakBytes, freeBytes: host.freeBytes)
        }
        return nil
    }

    /// A path with `~` expanded and `.`/`..` resolved, to compare two spellings of one file.
    static func standardized(_ path: String) -> String {
        URL(fileURLWithPath: (path as NSString).expandingTildeInPath).standardizedFileURL.path
    }

    /// Closes the dialog and starts the conversion job.
    static func startConvert(_ model: inout ExplorerModel, _ prompt: ConvertPrompt) -> [ExplorerEffect] {
        model.overlay = nil
        if refuseWhileAJobRuns(&model) { return [] }
        guard case let .success(prediction) = prompt.prediction else { return [] }
        let factory = prompt.factory.text.trimmingCharacters(in: .whitespaces)
        let path = prompt.path.text.trimmingCharacters(in: .whitespaces)
        let job = addJob(&model, title: "Convert to \(factory)", countsRows: false)
        model.message = .info("Converting to \(factory) (train, add, save, measure recall)…")
        return [.convert(job: job, factory: factory, path: path, predictedBytes: prediction.indexBytes)]
    }

    /// A conversion finished: show its result dialog (where it can become the explored index),
    /// or, when another dialog is open, say what it measured and let its result go.
    static func conversionFinished(_ model: inout ExplorerModel, _ summary: ConversionSummary) -> [ExplorerEffect] {
        finishJob(&model, summary.job, status: .finished)
        let text = "Converted to \(summary.factory) in \(formatSeconds(summary.trainSeconds + summary.addSeconds + summary.saveSeconds)): "
            + "recall@10 \(String(format: "%.3f", summary.recallAt10)), "
            + "\(ByteSize.format(summary.sourceBytes)) → \(ByteSize.format(summary.targetBytes)); written to \(summary.path)."
        model.message = .success(text)
        if model.overlay == nil || model.overlay == .help {
            model.overlay = .converted(summary)
            return []
        }
        return [.discardConverted(job: summary.job)]
    }

    /// The result dialog: Enter explores the new index, Esc keeps the current one.
    static func handleConvertedKey(_ model: inout ExplorerModel, _ summary: ConversionSummary, _ key: Key) -> [ExplorerEffect] {
        switch key {
        case .enter, .character("o"):
            model.overlay = nil
            model.message = .info("Opening \(summary.path)…")
            return [.exploreConverted(job: summary.job)]
        case .escape, .character("n"):
            model.overlay = nil
            model.message = .info("Kept \(model.index.path); the conversion is saved in \(summary.path).")
            return [.discardConverted(job: summary.job)]
        case .ctrl("c"):
            model.overlay = nil
            return [.discardConverted(job: summary.job)] + requestQuit(&model)
        default:
            return []
        }
    }

    /// The explored index was replaced: show it, and search the query product again in it.
    static func indexSwitched(_ model: inout ExplorerModel, _ index: IndexSummary) -> [ExplorerEffect] {
        model.index = index
        model.movedSinceSave = false
        let knob = index.tuningSummary.map { " (\($0); :nprobe or :ef changes it)" } ?? ""
        model.message = .success("Now exploring \(index.path), \(index.innerClassName ?? index.className)\(knob).")
        return repeatQuery(&model)
    }

    // MARK: - Search knob

    /// `:nprobe N`: lists scanned per query (1…nlist).
    static func setNprobe(_ model: inout ExplorerModel, _ argument: String?) -> [ExplorerEffect] {
        guard case let .nprobe(_, nlist)? = model.index.tuning else {
            model.message = .error("nprobe applies to IVF indexes; this one is \(model.index.innerClassName ?? model.index.className)")
            return []
        }
        guard let text = argument, let nprobe = Int(text), (1...nlist).contains(nprobe) else {
            model.message = .error("usage: :nprobe N (1…\(nlist), the lists scanned per query)")
            return []
        }
        return [.tune(.nprobe(nprobe, nlist: nlist))]
    }

    /// The largest efSearch the explorer sets.
    static let maximumEfSearch = 100_000

    /// `:ef N`: HNSW's candidate list size.
    static func setEfSearch(_ model: inout ExplorerModel, _ argument: String?) -> [ExplorerEffect] {
        guard case .efSearch? = model.index.tuning else {
            model.message = .error("efSearch applies to HNSW indexes; this one is \(model.index.innerClassName ?? model.index.className)")
            return []
        }
        guard let text = argument, let ef = Int(text), (1...maximumEfSearch).contains(ef) else {
            model.message = .error("usage: :ef N (1…\(maximumEfSearch), HNSW's candidate list; at least k is used)")
            return []
        }
        return [.tune(.efSearch(ef))]
    }

    /// `>` doubles and `<` halves the knob (nprobe within 1…nlist, efSearch from 1).
    static func scaleTuning(_ model: inout ExplorerModel, up: Bool) -> [ExplorerEffect] {
        switch model.index.tuning {
        case let .nprobe(nprobe, nlist)?:
            let next = up ? min(nlist, nprobe * 2) : max(1, nprobe / 2)
            return next == nprobe ? [] : [.tune(.nprobe(next, nlist: nlist))]
        case let .efSearch(ef)?:
            let next = up ? min(maximumEfSearch, ef * 2) : max(1, ef / 2)
            return next == ef ? [] : [.tune(.efSearch(next))]
        case nil:
            model.message = .info("\(model.index.innerClassName ?? model.index.className) searches exactly: nothing to tune.")
            return []
        }
    }

    /// The knob was set: show it and search the query product again.
    static func tuned(_ model: inout ExplorerModel, _ index: IndexSummary) -> [ExplorerEffect] {
        model.index = index
        if let knob = index.tuningSummary { model.message = .info("\(knob).") }
        return repeatQuery(&model)
    }
}
