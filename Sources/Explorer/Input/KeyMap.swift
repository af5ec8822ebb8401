import TUI

/// What a key on the main screen does, by name. The key map binds keys to actions; the update
/// performs them (`ExplorerUpdate.perform`); the footer and the help overlay describe them
/// from the same bindings, so a key is written down once.
enum ExplorerAction: Hashable, Sendable {
    case help, commandLine, nextPane, previousPane, focus(Pane), quit
    case filter, ask, move, save, convert
    /// Esc: clear the filter (in Products) or the message.
    case back
    /// Enter in a list: similar items, the selection as query, move to a device.
    case activate
    /// Products and Similar: the selected item's whole record.
    case details
    case moreNeighbours, fewerNeighbours, raiseTuning, lowerTuning
    case cancelJob
    /// Products and Similar: copy the selected id, or all of Similar's results as TSV (OSC 52).
    case copyID, copyResults
}

/// Where a binding works: everywhere on the main screen, or only in one pane (a pane's own
/// bindings are looked up first).
enum KeyScope: Hashable, Sendable {
    case global
    case pane(Pane)
    /// Moving in lists; `TableState` handles these keys itself, so they appear in help only.
    case lists
}

/// One row of the key map: the keys and the actions they trigger, the key as shown ("+/-"),
/// the line in help, and the footer hint when there is one.
struct KeyBinding: Sendable {
    let scope: KeyScope
    /// The keys and the action each triggers (several keys, or a pair such as + and −).
    let keys: [(key: Key, action: ExplorerAction)]
    /// The key as help shows it ("q  Ctrl-C").
    let label: String
    /// The key as the footer shows it ("q"): the label's first key.
    var footerLabel: String { label.components(separatedBy: "  ").first ?? label }
    /// The help line.
    let help: String
    /// The footer's short text for the current model; nil leaves the binding out of the footer.
    let hint: @Sendable (ExplorerModel) -> String?
    /// Where the hint stands in the footer, lower first (a pane's own keys default to 0, before
    /// the global ones).
    let footerOrder: Int

    init(_ scope: KeyScope, _ keys: [(key: Key, action: ExplorerAction)], label: String, help: String,
         footerOrder: Int = 0, hint: @escaping @Sendable (ExplorerModel) -> String? = { _ in nil }) {
        self.scope = scope
        self.keys = keys
        self.label = label
        self.help = help
        self.footerOrder = footerOrder
        self.hint = hint
    }

    /// A binding of one or more keys to one action.
    init(_ scope: KeyScope, _ keys: [Key], _ action: ExplorerAction, label: String, help: String,
         footerOrder: Int = 0, hint: @escaping @Sendable (ExplorerModel) -> String? = { _ in nil }) {
        self.init(scope, keys.map { ($0, action) }, label: label, help: help, footerOrder: footerOrder, hint: hint)
    }

    /// A binding with a fixed footer hint.
    init(_ scope: KeyScope, _ keys: [Key], _ action: ExplorerAction, label: String, help: String,
         footerOrder: Int = 0, hint: String) {
        self.init(scope, keys, action, label: label, help: help, footerOrder: footerOrder, hint: { _ in hint })
    }
}

/// The main screen's keys, in the order help lists them. Dialogs, the command line, the ask
/// box and the filter box own their keys (they take every key while open).
enum KeyMap {
    static let bindings: [KeyBinding] = [
        // Everywhere
        KeyBinding(.global, [(.tab, .nextPane), (.backTab, .previousPane)]
                   + Pane.allCases.map { (Key.character(Character(String($0.number))), ExplorerAction.focus($0)) },
                   label: "Tab  Shift-Tab", help: "next / previous pane (1–5 go straight to one)",
                   footerOrder: 70, hint: { _ in "pane" }),
        KeyBinding(.global, [.character("/")], .filter, label: "/",
                   help: "filter products by name (Enter shows the similar ones)",
                   footerOrder: -1, hint: { $0.focus == .products ? "filter" : nil }),
        KeyBinding(.global, [.character("a")], .ask, label: "a",
                   help: "ask by meaning: the products nearest a text (needs --model)", footerOrder: 10, hint: "ask"),
        KeyBinding(.global, [.character("m")], .move, label: "m",
                   help: "move the index: pick devices, see the memory each needs", footerOrder: 20, hint: "move"),
        KeyBinding(.global, [.character("s")], .save, label: "s",
                   help: "save the index (FAISS format, from wherever it is)", footerOrder: 30, hint: "save"),
        KeyBinding(.global, [.character("c")], .convert, label: "c",
                   help: "convert to IVF, PQ, SQ or HNSW: predicted size, then recall", footerOrder: 60, hint: "convert"),
        KeyBinding(.global, [.character(":")], .commandLine, label: ":", help: "command line",
                   footerOrder: 80, hint: "command"),
        KeyBinding(.global, [.escape], .back, label: "Esc", help: "close, go back, clear the filter or the message"),
        KeyBinding(.global, [.character("?")], .help, label: "?", help: "", footerOrder: 40, hint: "help"),
        KeyBinding(.global, [.character("q"), .ctrl("c")], .quit, label: "q  Ctrl-C",
                   help: "quit (asks while a job runs or a move is unsaved)", footerOrder: 50, hint: { _ in "quit" }),
        // In lists
        KeyBinding(.lists, [], label: "↑↓  j k", help: "select (PgUp PgDn Home End, or a click; the wheel scrolls)",
                   footerOrder: 90, hint: { _ in "select" }),
        KeyBinding(.pane(.products), [.enter], .activate, label: "Enter  2×click",
                   help: "Products: similar · Similar: as query · Devices: move there",
                   hint: { ExplorerUpdate.offersAskForFilter($0) ? "ask by meaning" : "similar" }),
        KeyBinding(.pane(.similar), [.enter], .activate, label: "Enter", help: "", hint: "use as query"),
        KeyBinding(.pane(.devices), [.enter], .activate, label: "Enter", help: "", hint: "move here"),
        KeyBinding(.pane(.products), [.character("i"), .character(" ")], .details, label: "i  Space",
                   help: "Products, Similar: the whole record, where the vector is",
                   footerOrder: 55, hint: "details"),
        KeyBinding(.pane(.similar), [.character("i"), .character(" ")], .details, label: "i  Space", help: "",
                   footerOrder: 55, hint: "details"),
        KeyBinding(.pane(.similar), [(.character("+"), .moreNeighbours), (.character("="), .moreNeighbours),
                                     (.character("-"), .fewerNeighbours)],
                   label: "+/-", help: "Similar: k ± 1 · </> halve / double nprobe or efSearch",
                   hint: { _ in "k" }),
        KeyBinding(.pane(.similar), [(.character(">"), .raiseTuning), (.character("<"), .lowerTuning)],
                   label: "</>", help: "",
                   hint: { $0.index.tuning == nil ? nil : $0.index.tuningName }),
        KeyBinding(.global, [(.character("y"), .copyID), (.character("Y"), .copyResults)], label: "y  Y",
                   help: "copy the selected id · Y all results as TSV (OSC 52: over ssh and tmux too)",
                   footerOrder: 85, hint: { $0.focus == .products || $0.focus == .similar ? "copy id" : nil }),
        KeyBinding(.pane(.jobs), [.character("x")], .cancelJob, label: "x",
                   help: "Jobs: cancel the selected move or save", hint: "cancel job"),
    ]

    /// Commands for the `:` line, listed in help after the keys.
    static let commands: [(command: String, help: String)] = [
        (":k 20", "show 20 neighbours · :ask TEXT · :model NAME loads a model"),
        (":move gpu0", "also :move cl0,cl1 shard fp16 · :move cpu"),
        (":save PATH", "save to PATH (asks before overwriting) · :reload reopens"),
        (":export F.csv", "the results with every field (.jsonl, .tsv too; :export!)"),
        (":convert HNSW32", "build another index type · :nprobe 16 · :ef 64"),
        (":columns a,b", "catalog fields as columns · :columns default resets"),
        (":sort -price", "order Similar or Products by a field (- largest first)"),
        (":theme light", "dark, light or monochrome · :q quits · :q! without asking"),
    ]

    /// The action `key` triggers with `pane` focused: the pane's own binding, else a global one.
    static func action(for key: Key, in pane: Pane) -> ExplorerAction? {
        for scope in [KeyScope.pane(pane), .global] {
            for binding in bindings where binding.scope == scope {
                if let entry = binding.keys.first(where: { $0.key == key }) { return entry.action }
            }
        }
        return nil
    }

    /// The footer for the main screen, by `footerOrder` (ties in table order): mostly the
    /// focused pane's keys, then the ones that work everywhere, help and quit early so that 80
    /// columns never cut them off.
    static func hints(for model: ExplorerModel) -> [KeyHint] {
        let shown = bindings.enumerated().filter { $0.element.scope == .pane(model.focus) || !isPaneScope($0.element.scope) }
        return shown.sorted { ($0.element.footerOrder, $0.offset) < ($1.element.footerOrder, $1.offset) }
            .compactMap { _, binding in binding.hint(model).map { KeyHint(binding.footerLabel, $0) } }
    }

    private static func isPaneScope(_ scope: KeyScope) -> Bool {
        if case .pane = scope { return true }
        return false
    }

    /// How many lines help has, section titles included.
    static var helpLineCount: Int { helpSections.reduce(0) { $0 + 1 + $1.lines.count } }

    /// Help's sections: a title, then (key, text) lines; bindings with no help text of their
    /// own are described by the line before them.
    static var helpSections: [(title: String, lines: [(key: String, text: String)])] {
        let described = bindings.filter { !$0.help.isEmpty }
        return [
            ("Everywhere", described.filter { $0.scope == .global }.map { ($0.label, $0.help) }),
            ("In lists", described.filter { $0.scope != .global }.map { ($0.label, $0.help) }),
            ("Commands", commands.map { ($0.command, $0.help) }),
        ]
    }
}
