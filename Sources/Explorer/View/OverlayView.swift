import Core
import TUI

/// The open dialog, centred over the panes: help, the device picker, the save prompt, the
/// convert dialogs (`ConvertView`), or the quit question.
struct OverlayView: Widget {
    let model: ExplorerModel
    let overlay: Overlay

    /// Draws the dialog centred in `area`.
    func render(into buffer: inout CellBuffer, area: Rect) {
        switch overlay {
        case .help: renderHelp(into: &buffer, area: area)
        case let .picker(picker): renderPicker(picker, into: &buffer, area: area)
        case let .save(prompt): renderSave(prompt, into: &buffer, area: area)
        case let .convert(prompt): ConvertView(model: model).renderPrompt(prompt, into: &buffer, area: area)
        case let .converted(summary): ConvertView(model: model).renderResult(summary, into: &buffer, area: area)
        case let .confirmQuit(reason): renderConfirmQuit(reason, into: &buffer, area: area)
        }
    }

    // MARK: - Help

    /// Every key and command, in the order a newcomer needs them.
    static let helpLines: [(key: String, text: String)] = [
        ("", "Everywhere"),
        ("Tab  Shift-Tab", "next / previous pane (1–5 go straight to one)"),
        ("/", "filter products by name (Enter shows the similar ones)"),
        ("a", "ask by meaning: the products nearest a text (needs --model)"),
        ("m", "move the index: pick devices, see the memory each needs"),
        ("s", "save the index (FAISS format, from wherever it is)"),
        ("c", "convert to IVF, PQ, SQ or HNSW: predicted size, then recall"),
        (":", "command line"),
        ("Esc", "close, go back, clear the filter or the message"),
        ("q  Ctrl-C", "quit (asks while a job runs or a move is unsaved)"),
        ("", "In lists"),
        ("↑ ↓  j k", "select (PgUp PgDn Home End too)"),
        ("Enter", "Products: similar · Similar: as query · Devices: move there"),
        ("+  -", "Similar: one more / fewer neighbour (k)"),
        ("<  >", "Similar: halve / double nprobe (IVF) or efSearch (HNSW)"),
        ("x  y  Y", "Jobs: cancel · y copy the selected id · Y copy all (TSV)"),
        ("", "Commands"),
        (":k 20", "show 20 neighbours · :ask TEXT · :model NAME loads a model"),
        (":move gpu0", "also :move cl0,cl1 shard fp16 · :move cpu"),
        (":save PATH", "save to PATH (asks first) · :export F.csv or F.jsonl"),
        (":convert HNSW32", "build another index type · :nprobe 16 · :ef 64 · :reload"),
        (":theme light", "dark, light or monochrome · :q quits · :q! without asking"),
    ]

    private func renderHelp(into buffer: inout CellBuffer, area: Rect) {
        let lines = OverlayView.helpLines
        let rect = area.centered(width: 80, height: lines.count + 2)
        let box = Box(title: "Keys", trailingTitle: "Esc closes", focused: true, charset: model.charset)
        box.render(into: &buffer, area: rect)
        let inner = box.inner(rect).inset(left: 1, right: 1)
        for (row, line) in lines.enumerated() where row < inner.height {
            let y = inner.y + row
            if line.key.isEmpty && ["Everywhere", "In lists", "Commands"].contains(line.text) {
                buffer.put(line.text, x: inner.x, y: y, style: Style(role: Role.header), maxWidth: inner.width)
                continue
            }
            buffer.put(line.key, x: inner.x + 1, y: y, style: Style(role: Role.footerKey), maxWidth: 15)
            let textWidth = inner.width - 17
            buffer.put(truncate(line.text, toWidth: textWidth, ellipsis: model.charset.ellipsis), x: inner.x + 17, y: y,
                       maxWidth: textWidth)
        }
    }

    // MARK: - Picker

    private func renderPicker(_ picker: PlacementPicker, into buffer: inout CellBuffer, area: Rect) {
        let request = picker.request
        let preview = PlacementPreview(request: request, index: model.index, devices: model.devices)
        let rect = area.centered(width: min(area.width - 4, 96), height: picker.choices.count + 11)
        let box = Box(title: "Move the index", trailingTitle: "Enter moves · Esc cancels", focused: true,
                      charset: model.charset)
        box.render(into: &buffer, area: rect)
        let inner = box.inner(rect).inset(left: 1, right: 1)
        let index = model.index
        TextLine("\(index.className) · \(ViewFormat.count(index.count)) × \(index.dimension) · now \(index.placementSummary)",
                 style: Style(role: Role.dim), charset: model.charset).render(into: &buffer, area: inner.row(0))

        let columns = [TableColumn("", width: .fixed(3)), TableColumn("DEVICE", width: .fill(1)),
                       TableColumn("RESIDENT", width: .fixed(10), alignment: .right),
                       TableColumn("PEAK", width: .fixed(10), alignment: .right),
                       TableColumn("AVAILABLE", width: .fixed(10), alignment: .right),
                       TableColumn("VERDICT", width: .fixed(13))]
        let rows = picker.choices.map { name -> TableRow in
            let status = model.devices.first { $0.device.name == name }
            let label = status.map { "\($0.label) \($0.device.displayName)" } ?? name
            let mark = model.charset == .unicode ? (picker.selected.contains(name) ? "[✓]" : "[ ]")
                                                 : (picker.selected.contains(name) ? "[x]" : "[ ]")
            guard let row = preview.rows.first(where: { $0.device == name }) else {
                return TableRow(spans: [Span(mark), Span(label), Span(""), Span(""), Span(""), Span("")])
            }
            return TableRow(spans: [Span(mark), Span(label),
                                    Span(ByteSize.format(row.residentBytes)), Span(ByteSize.format(row.peakBytes)),
                                    Span(ByteSize.format(row.availableBytes)),
                                    row.fits ? Span("fits", role: Role.success) : Span("doesn't fit", role: Role.error)])
        }
        Table(columns: columns, rows: rows, state: TableState(selected: picker.cursor), focused: true, charset: model.charset)
            .render(into: &buffer, area: Rect(x: inner.x, y: inner.y + 2, width: inner.width, height: rows.count + 1))

        let choicesY = inner.y + 4 + rows.count
        let several = picker.selected.count > 1
        let layoutText = several ? (picker.layout == .shard ? "shard (rows split)" : "replicate (a copy each)")
                                 : "single device"
        let precisionText = request.devices == [MemoryLedger.hostDevice] ? "fp32 (the CPU keeps fp32)"
            : picker.precision == .fp16 ? "fp16 (half the memory, computed in fp32)" : "fp32 (exact)"
        TextLine(spans: [Span("layout ", role: Role.dim), Span(layoutText + "  "), Span("precision ", role: Role.dim),
                         Span(precisionText)], charset: model.charset)
            .render(into: &buffer, area: Rect(x: inner.x, y: choicesY, width: inner.width, height: 1))

        let verdict: Span
        switch preview.verdict {
        case let .fits(summary): verdict = Span("Fits: \(summary).", role: Role.success)
        case let .doesNotFit(reason): verdict = Span("Doesn't fit: \(reason).", role: Role.error)
        case .nothingChosen: verdict = Span("Choose one or more devices with Space.", role: Role.warning)
        case .alreadyThere: verdict = Span("The index is already there.", role: Role.dim)
        }
        TextLine(spans: [verdict], charset: model.charset)
            .render(into: &buffer, area: Rect(x: inner.x, y: choicesY + 2, width: inner.width, height: 1))
        TextLine("Peak = vectors + one upload chunk + search scratch; available = memory not yet in use.",
                 style: Style(role: Role.dim), charset: model.charset)
            .render(into: &buffer, area: Rect(x: inner.x, y: choicesY + 3, width: inner.width, height: 1))
    }

    // MARK: - Save and quit

    private func renderSave(_ prompt: SavePrompt, into buffer: inout CellBuffer, area: Rect) {
        let rect = area.centered(width: min(area.width - 4, 90), height: 6)
        let box = Box(title: "Save the index", trailingTitle: "Enter saves · Esc cancels", focused: true,
                      charset: model.charset)
        box.render(into: &buffer, area: rect)
        let inner = box.inner(rect).inset(left: 1, right: 1)
        TextLine("FAISS format, written atomically from \(model.index.placementSummary) (\(ByteSize.format(model.index.bytes))).",
                 style: Style(role: Role.dim), charset: model.charset).render(into: &buffer, area: inner.row(0))
        TextInput(state: prompt.path, prompt: "path ", placeholder: "where to save", focused: true)
            .render(into: &buffer, area: inner.row(1))
        let note = OverlayView.pathNote(confirmingOverwrite: prompt.confirmingOverwrite, isChecking: prompt.isChecking,
                                        otherwise: "The old file stays whole until the new one is complete.")
        TextLine(spans: [note], charset: model.charset).render(into: &buffer, area: inner.row(3))
    }

    /// The line under a path being chosen for writing: the overwrite question, the check in
    /// progress, or `otherwise`.
    static func pathNote(confirmingOverwrite: Bool, isChecking: Bool, otherwise: String) -> Span {
        if confirmingOverwrite { return Span("That file exists: Enter again overwrites it, Esc keeps it.", role: Role.warning) }
        if isChecking { return Span("Checking the path…", role: Role.dim) }
        return Span(otherwise, role: Role.dim)
    }

    private func renderConfirmQuit(_ reason: String, into buffer: inout CellBuffer, area: Rect) {
        let width = min(area.width - 4, max(40, displayWidth(of: reason) + 4))
        let rect = area.centered(width: width, height: 5)
        let box = Box(title: "Quit?", focused: true, charset: model.charset)
        box.render(into: &buffer, area: rect)
        let inner = box.inner(rect).inset(left: 1, right: 1)
        TextLine(reason, style: Style(role: Role.warning), charset: model.charset).render(into: &buffer, area: inner.row(0))
        KeyHints([KeyHint("y", "quit"), KeyHint("n", "stay")], charset: model.charset).render(into: &buffer, area: inner.row(2))
    }
}
