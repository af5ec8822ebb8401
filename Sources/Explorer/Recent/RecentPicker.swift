import Foundation
import TUI

/// `vectui open` without an index: the recent indexes (from config.toml) in a list to pick
/// from, with their catalog, text model and when they were opened. Enter opens the selected
/// one, Esc or q leaves. An index whose file is gone is marked and cannot be opened.
struct RecentPicker: Equatable {
    /// The indexes, most recent first.
    let entries: [RecentIndex]
    /// Which entries' index files exist.
    let exists: [Bool]
    /// The selected row.
    var table = TableState()
    /// A note under the list (why Enter did nothing).
    var note: String?

    /// What a key led to.
    enum Outcome: Equatable {
        case stay
        case open(RecentIndex)
        case leave
    }

    init(entries: [RecentIndex], exists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }) {
        self.entries = entries
        self.exists = entries.map { exists($0.index) }
    }

    /// Applies a key.
    mutating func handle(_ key: Key, visibleRows: Int) -> Outcome {
        if table.handle(key, rowCount: entries.count, visibleRows: visibleRows) {
            note = nil
            return .stay
        }
        switch key {
        case .enter:
            guard let row = table.selected, row < entries.count else { return .stay }
            guard exists[row] else {
                note = "\(entries[row].index) is gone; choose another index."
                return .stay
            }
            return .open(entries[row])
        case .escape, .character("q"), .ctrl("c"):
            return .leave
        default:
            return .stay
        }
    }

    /// Rows of the list that fit a screen of `size`.
    static func visibleRows(_ size: Size) -> Int { max(1, size.height - 5) }

    /// The whole screen.
    func render(size: Size, charset: Charset) -> CellBuffer {
        var buffer = CellBuffer(size: size)
        let area = Rect(x: 0, y: 0, width: size.width, height: size.height)
        let box = Box(title: "Recent indexes", trailingTitle: "Enter opens · Esc quits", focused: true, charset: charset)
        let listArea = area.inset(bottom: 2)
        box.render(into: &buffer, area: listArea)
        let inner = box.inner(listArea).inset(left: 1, right: 1)
        let home = ProcessInfo.processInfo.environment["HOME"].flatMap { $0.isEmpty || $0 == "/" ? nil : $0 }
        func short(_ path: String?) -> String {
            guard let path else { return "" }
            if let home, path.hasPrefix(home + "/") { return "~" + path.dropFirst(home.count) }
            return path
        }
        let columns = [TableColumn("INDEX", width: .fill(3), truncation: .head), TableColumn("CATALOG", width: .fill(2), truncation: .head),
                       TableColumn("MODEL", width: .fill(2)), TableColumn("OPENED", width: .fixed(20))]
        let visible = Table.visibleRowCount(in: inner)
        let offset = table.visibleOffset(visibleRows: visible, rowCount: entries.count)
        let rows = entries.indices.dropFirst(offset).prefix(visible).map { row -> TableRow in
            let entry = entries[row]
            let opened = entry.openedAt.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: "")
            let index = exists[row] ? short(entry.index) : short(entry.index) + " (gone)"
            return TableRow([index, short(entry.catalog), entry.modelLabel ?? "", opened],
                            style: Style(role: exists[row] ? Role.text : Role.dim))
        }
        Table(columns: columns, rows: rows, state: TableState(selected: table.selected.map { $0 - offset }, offset: 0),
              focused: true, emptyText: "no recent indexes", charset: charset)
            .render(into: &buffer, area: inner)
        if let note {
            TextLine(note, style: Style(role: Role.warning), charset: charset).render(into: &buffer, area: area.row(size.height - 2))
        }
        KeyHints([KeyHint("↑↓", "select"), KeyHint("Enter", "open"), KeyHint("Esc", "quit")], charset: charset)
            .render(into: &buffer, area: area.row(size.height - 1))
        return buffer
    }

    /// Shows the picker on `backend` until an index is chosen or the user leaves.
    /// - Returns: the chosen index, or nil.
    static func run(_ entries: [RecentIndex], backend: TerminalBackend) -> RecentIndex? {
        let terminal = Terminal(backend: backend)
        var picker = RecentPicker(entries: entries)
        terminal.present(picker.render(size: terminal.size, charset: backend.charset))
        while backend.terminationSignal == nil {
            guard let key = backend.readKey(timeoutMilliseconds: -1) else { continue }
            if key == .resize {
                terminal.invalidate()
            } else {
                switch picker.handle(key, visibleRows: visibleRows(terminal.size)) {
                case .stay: break
                case let .open(entry): return entry
                case .leave: return nil
                }
            }
            terminal.present(picker.render(size: terminal.size, charset: backend.charset))
        }
        return nil
    }
}
