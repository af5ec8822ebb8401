import Core
import Foundation
import TUI

// Keys while a dialog is open: help, the device picker, the save prompt, the quit question
// (the convert dialogs are in ExplorerUpdate+Convert).

extension ExplorerUpdate {
    /// Routes a key to the open dialog.
    static func handleOverlayKey(_ model: inout ExplorerModel, _ overlay: Overlay, _ key: Key) -> [ExplorerEffect] {
        switch overlay {
        case .help:
            if [.escape, .enter, .character("?"), .character("q")].contains(key) { model.overlay = nil }
            switch key {
            case .down, .character("j"): model.helpScroll += 1
            case .up, .character("k"): model.helpScroll = max(0, model.helpScroll - 1)
            case .pageDown, .character(" "): model.helpScroll += 10
            case .pageUp: model.helpScroll = max(0, model.helpScroll - 10)
            case .home: model.helpScroll = 0
            case .end: model.helpScroll = KeyMap.helpLineCount
            default: break
            }
            model.helpScroll = min(model.helpScroll, KeyMap.helpLineCount)  // the view shows the last page
            if key == .ctrl("c") {
                model.overlay = nil
                return requestQuit(&model)
            }
            return []
        case .picker(var picker):
            let effects = handlePickerKey(&model, &picker, key)
            if case .picker = model.overlay { model.overlay = .picker(picker) }
            return effects
        case .save(var prompt):
            let effects = handleSaveKey(&model, &prompt, key)
            if case .save = model.overlay { model.overlay = .save(prompt) }
            return effects
        case .convert(var prompt):
            let effects = handleConvertKey(&model, &prompt, key)
            if case .convert = model.overlay { model.overlay = .convert(prompt) }
            return effects
        case let .converted(summary):
            return handleConvertedKey(&model, summary, key)
        case let .details(details):
            return handleDetailsKey(&model, details, key)
        case .confirmQuit:
            switch key {
            case .character("y"), .character("Y"), .enter, .character("q"), .ctrl("c"):
                return quitNow(&model)
            case .character("n"), .character("N"), .escape:
                model.overlay = nil
            default:
                break
            }
            return []
        }
    }

    /// The device picker: ↑/↓ move, Space chooses, `l` switches shard/replicate, `p` switches
    /// fp32/fp16, Enter moves when the prediction fits, Esc closes.
    static func handlePickerKey(_ model: inout ExplorerModel, _ picker: inout PlacementPicker, _ key: Key) -> [ExplorerEffect] {
        switch key {
        case .up, .character("k"):
            picker.cursor = max(0, picker.cursor - 1)
        case .down, .character("j"):
            picker.cursor = min(picker.choices.count - 1, picker.cursor + 1)
        case .character(" "):
            picker.toggleCursor()
        case .character("l"):
            picker.layout = picker.layout == .shard ? .replicate : .shard
        case .character("p"):
            picker.precision = picker.precision == .fp32 ? .fp16 : .fp32
        case .escape:
            model.overlay = nil
        case .ctrl("c"):
            model.overlay = nil
            return requestQuit(&model)
        case .enter:
            let request = picker.request
            let preview = PlacementPreview(request: request, index: model.index, devices: model.devices)
            switch preview.verdict {
            case .nothingChosen:
                model.message = .warning("Choose at least one device with Space.")
            case .alreadyThere:
                model.overlay = nil
                model.message = .info("The index is already there (\(model.index.placementSummary)).")
            case let .doesNotFit(reason):
                model.message = .error("Does not fit: \(reason).")
            case .fits:
                model.overlay = nil
                model.lastPrediction = preview.rows
                let job = addJob(&model, title: "Move to \(request.description)")
                model.message = .info("Moving the index to \(request.description)…")
                return [.move(job: job, request: request)]
            }
        default:
            break
        }
        return []
    }

    /// The save prompt: editing keys change the path; Enter asks the runtime whether the file
    /// exists, and an existing file needs a second Enter; Esc closes.
    static func handleSaveKey(_ model: inout ExplorerModel, _ prompt: inout SavePrompt, _ key: Key) -> [ExplorerEffect] {
        switch key {
        case .escape:
            model.overlay = nil
            return []
        case .ctrl("c"):
            model.overlay = nil
            return requestQuit(&model)
        case .enter:
            let path = prompt.path.text.trimmingCharacters(in: .whitespaces)
            guard !path.isEmpty else {
                model.message = .warning("Type the path of the file to save to.")
                return []
            }
            if prompt.confirmingOverwrite { return startSave(&model, path: path) }
            guard !prompt.isChecking else { return [] }
            prompt.isChecking = true
            return [.checkSavePath(path)]
        default:
            let before = prompt.path.text
            if prompt.path.handle(key), prompt.path.text != before {
                prompt.confirmingOverwrite = false
                prompt.isChecking = false
            }
            return []
        }
    }

    /// The runtime's answer to `.checkSavePath`: save (or convert), or ask for a second Enter to overwrite.
    static func savePathChecked(_ model: inout ExplorerModel, path: String, exists: Bool) -> [ExplorerEffect] {
        if case .convert(var prompt) = model.overlay {
            guard prompt.isChecking, prompt.path.text.trimmingCharacters(in: .whitespaces) == path else { return [] }
            prompt.isChecking = false
            guard exists else { return startConvert(&model, prompt) }
            prompt.confirmingOverwrite = true
            model.overlay = .convert(prompt)
            return []
        }
        guard case .save(var prompt) = model.overlay, prompt.isChecking,
              prompt.path.text.trimmingCharacters(in: .whitespaces) == path else { return [] }
        prompt.isChecking = false
        guard exists else { return startSave(&model, path: path) }
        prompt.confirmingOverwrite = true
        model.overlay = .save(prompt)
        return []
    }

    /// Closes the prompt and starts saving to `path`.
    static func startSave(_ model: inout ExplorerModel, path: String) -> [ExplorerEffect] {
        model.overlay = nil
        if refuseWhileAJobRuns(&model) { return [] }
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let job = addJob(&model, title: "Save to \(name)")
        model.message = .info("Saving to \(path)…")
        return [.save(job: job, path: path)]
    }
}
