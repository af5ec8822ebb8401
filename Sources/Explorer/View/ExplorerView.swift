import TUI

/// The explorer's pure view: the whole screen drawn from the model into a fresh buffer.
enum ExplorerView {
    /// The screen for `model`.
    static func render(_ model: ExplorerModel) -> CellBuffer {
        var buffer = CellBuffer(size: model.size)
        if model.isTooSmall {
            renderTooSmall(model, into: &buffer)
            return buffer
        }
        let layout = ExplorerLayout(model)
        IndexPane(model: model).render(into: &buffer, area: layout.index)
        DevicesPane(model: model).render(into: &buffer, area: layout.devices)
        ProductsPane(model: model).render(into: &buffer, area: layout.products)
        SimilarPane(model: model).render(into: &buffer, area: layout.similar)
        JobsPane(model: model).render(into: &buffer, area: layout.jobs)
        renderMessageLine(model, into: &buffer, area: layout.message)
        KeyHints(FooterHints.hints(for: model), charset: model.charset).render(into: &buffer, area: layout.footer)
        if let overlay = model.overlay {
            OverlayView(model: model, overlay: overlay).render(into: &buffer, area: buffer.area)
        }
        return buffer
    }

    /// The box around a pane, titled with its number and name.
    static func paneBox(_ pane: Pane, model: ExplorerModel, note: String = "") -> Box {
        Box(title: "\(pane.number) \(pane.name)", trailingTitle: note, focused: model.focus == pane && model.overlay == nil,
            charset: model.charset)
    }

    /// The command line while typed, else the latest message.
    static func renderMessageLine(_ model: ExplorerModel, into buffer: inout CellBuffer, area: Rect) {
        if let line = model.commandLine {
            TextInput(state: line, prompt: ":", placeholder: "k 20 · ask TEXT · move gpu0 · save PATH · theme light · q",
                      focused: true).render(into: &buffer, area: area)
        } else if let box = model.ask.box {
            TextInput(state: box, prompt: "ask › ", placeholder: "what are you looking for? (e.g. cosy wool blanket)",
                      focused: true).render(into: &buffer, area: area)
        } else if let message = model.message {
            TextLine(message.text, style: Style(role: message.severity.role), charset: model.charset)
                .render(into: &buffer, area: area)
        }
    }

    /// A clear message instead of panes that cannot fit.
    static func renderTooSmall(_ model: ExplorerModel, into buffer: inout CellBuffer) {
        let minimum = ExplorerLayout.minimumSize
        let text = "Terminal too small: \(model.size.width)×\(model.size.height). VecTUI needs at least "
            + "\(minimum.width)×\(minimum.height); enlarge the window, or press q to quit."
        let lines = wrap(text, toWidth: max(1, model.size.width - 2))
        let top = max(0, (model.size.height - lines.count) / 2)
        for (offset, line) in lines.enumerated() {
            TextLine(line, style: Style(role: Role.warning), alignment: .center, charset: model.charset)
                .render(into: &buffer, area: Rect(x: 0, y: top + offset, width: model.size.width, height: 1))
        }
    }
}
