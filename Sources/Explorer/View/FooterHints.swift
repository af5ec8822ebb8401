import TUI

/// The footer: the keys that work now, for the open dialog or the focused pane.
enum FooterHints {
    /// The hints for the model's current state, most useful first.
    static func hints(for model: ExplorerModel) -> [KeyHint] {
        if let overlay = model.overlay {
            switch overlay {
            case .help:
                return [KeyHint("Esc", "close help")]
            case .picker:
                return [KeyHint("↑↓", "device"), KeyHint("Space", "choose"), KeyHint("l", "shard/replicate"),
                        KeyHint("p", "fp32/fp16"), KeyHint("Enter", "move"), KeyHint("Esc", "cancel")]
            case let .save(prompt):
                return [KeyHint("Enter", prompt.confirmingOverwrite ? "overwrite" : "save"), KeyHint("Esc", "cancel")]
            case let .convert(prompt):
                return [KeyHint("Enter", prompt.confirmingOverwrite ? "overwrite" : "convert"),
                        KeyHint("Tab", prompt.field == .factory ? "edit the file" : "edit the factory"), KeyHint("Esc", "cancel")]
            case .converted:
                return [KeyHint("Enter", "explore the new index"), KeyHint("Esc", "keep this one")]
            case .confirmQuit:
                return [KeyHint("y", "quit"), KeyHint("n", "stay")]
            }
        }
        if model.commandLine != nil {
            return [KeyHint("Enter", "run"), KeyHint("Esc", "cancel"), KeyHint("k 20", "set k"), KeyHint("ask TEXT", "ask"),
                    KeyHint("move gpu0", "move"), KeyHint("save PATH", "save"), KeyHint("theme light", "theme")]
        }
        if model.ask.box != nil {
            return [KeyHint("Enter", "ask by meaning"), KeyHint("Esc", "cancel"), KeyHint("Ctrl-U", "clear")]
        }
        if model.products.isEditing {
            if ExplorerUpdate.offersAskForFilter(model) {
                return [KeyHint("Enter", "ask by meaning"), KeyHint("Esc", "done"), KeyHint("Ctrl-U", "clear")]
            }
            return [KeyHint("Enter", "similar"), KeyHint("↑↓", "select"), KeyHint("Esc", "done"),
                    KeyHint("Ctrl-U", "clear")]
        }
        // The pane's own keys, then the ones that always work (help and quit never cut off at 80 columns).
        let pane: [KeyHint]
        switch model.focus {
        case .index: pane = []
        case .devices: pane = [KeyHint("Enter", "move here")]
        case .products:
            pane = [KeyHint("/", "filter"), KeyHint("Enter", ExplorerUpdate.offersAskForFilter(model) ? "ask by meaning" : "similar")]
        case .similar:
            pane = [KeyHint("Enter", "use as query"), KeyHint("+/-", "k")]
                + (model.index.tuning == nil ? [] : [KeyHint("</>", model.index.tuningName)])
        case .jobs: pane = [KeyHint("x", "cancel job")]
        }
        return pane + [KeyHint("a", "ask"), KeyHint("m", "move"), KeyHint("s", "save"), KeyHint("?", "help"), KeyHint("q", "quit"),
                       KeyHint("c", "convert"), KeyHint("Tab", "pane"), KeyHint(":", "command"), KeyHint("↑↓", "select")]
            + (model.focus == .products || model.focus == .similar ? [KeyHint("y/Y", "copy id/all")] : [])
    }
}
