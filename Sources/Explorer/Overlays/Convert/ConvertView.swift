import Core
import Foundation
import TUI

/// The convert dialog (factory string, file, predicted memory) and the result dialog of a
/// finished conversion (build time, memory, recall).
struct ConvertView {
    let model: ExplorerModel

    /// The factory forms, as a reminder under the fields.
    static let forms = "IVF{n},Flat|SQ8|SQ4|SQfp16|PQ{m}[x{bits}] · SQ8 · PQ{m} · HNSW{M}"

    /// Draws the convert dialog centred in `area`.
    func renderPrompt(_ prompt: ConvertPrompt, into buffer: inout CellBuffer, area: Rect) {
        let componentRows: Int
        if case let .success(prediction) = prompt.prediction { componentRows = prediction.components.count } else { componentRows = 1 }
        let rect = area.centered(width: min(area.width - 4, 96), height: min(area.height - 2, componentRows + 13))
        let box = Box(title: "Convert the index", trailingTitle: "Enter converts · Esc cancels", focused: true, charset: model.charset)
        box.render(into: &buffer, area: rect)
        let inner = box.inner(rect).inset(left: 1, right: 1)
        let index = model.index
        var line = 0
        func put(_ spans: [Span]) {
            guard line < inner.height else { return }
            TextLine(spans: spans, charset: model.charset).render(into: &buffer, area: inner.row(line))
            line += 1
        }
        put([Span("From \(index.className) · \(ViewFormat.count(index.count)) × \(index.dimension) · "
                  + "\(ByteSize.format(index.bytes)) \(index.isOnHost ? "in host RAM" : "on \(index.placementSummary)")",
                  role: Role.dim)])
        guard line < inner.height else { return }
        TextInput(state: prompt.factory, prompt: "factory ", placeholder: "e.g. IVF1024,PQ32", focused: prompt.field == .factory)
            .render(into: &buffer, area: inner.row(line))
        line += 1
        guard line < inner.height else { return }
        TextInput(state: prompt.path, prompt: "file    ", placeholder: "where to write it", focused: prompt.field == .path)
            .render(into: &buffer, area: inner.row(line))
        line += 1
        put([Span(ConvertView.forms, role: Role.dim)])
        line += 1
        switch prompt.prediction {
        case let .failure(problem):
            put([Span(problem.description, role: Role.error)])
        case let .success(prediction):
            put([Span("Predicted memory of \(prediction.className)", role: Role.header)])
            for part in prediction.components {
                put([Span("  " + part.name.padding(toLength: 22, withPad: " ", startingAt: 0), role: Role.dim),
                     Span(ByteSize.format(part.bytes).leftPadded(to: 11))])
            }
            let ratio = index.bytes > 0 ? Double(prediction.indexBytes) / Double(index.bytes) : 0
            put([Span("  " + "total".padding(toLength: 22, withPad: " ", startingAt: 0), role: Role.dim),
                 Span(ByteSize.format(prediction.indexBytes).leftPadded(to: 11)),
                 Span(String(format: "   %.2f× the index now (%@)", ratio, ByteSize.format(index.bytes)), role: Role.dim)])
            let caches = prediction.searchCaches.reduce(0) { $0 + $1.bytes }
            let cacheText = caches > 0 ? ", + \(ByteSize.format(caches)) caches" : ""
            put([Span("  job peak ≈ \(ByteSize.format(prediction.peakBytes)) (+ sample or add chunk\(cacheText))", role: Role.dim)])
            if let problem = ExplorerUpdate.convertProblem(prompt, model: model) {
                put([Span(problem.description, role: Role.error)])
            } else if let host = model.devices.first(where: { $0.device.isHost }) {
                put([Span("Fits: host RAM has \(ByteSize.format(host.freeBytes)) free.", role: Role.success)])
            }
        }
        let note = OverlayView.pathNote(confirmingOverwrite: prompt.confirmingOverwrite, isChecking: prompt.isChecking,
                                        otherwise: "Trains on a sample, adds all, saves atomically, then measures recall@1/10.")
        guard inner.height > 0 else { return }
        TextLine(spans: [note], charset: model.charset).render(into: &buffer, area: inner.row(inner.height - 1))
    }

    /// Draws what a finished conversion measured, centred in `area`.
    func renderResult(_ summary: ConversionSummary, into buffer: inout CellBuffer, area: Rect) {
        let rect = area.centered(width: min(area.width - 4, 96), height: min(area.height - 2, 12))
        let box = Box(title: "Converted to \(summary.factory)", trailingTitle: "Enter explores it · Esc keeps this one",
                      focused: true, charset: model.charset)
        box.render(into: &buffer, area: rect)
        let inner = box.inner(rect).inset(left: 1, right: 1)
        let build = summary.trainSeconds + summary.addSeconds + summary.saveSeconds
        let training = summary.trainVectors > 0
            ? "train \(ExplorerUpdate.formatSeconds(summary.trainSeconds)) on \(ViewFormat.count(summary.trainVectors)) vectors · "
            : ""
        let lines: [LabelledLines.Line] = [
            ("file", "\(summary.path) (\(ByteSize.format(summary.fileBytes)))", Role.text),
            ("type", summary.structure.isEmpty ? summary.className : "\(summary.className) · \(summary.structure)", Role.text),
            ("build", "\(training)add \(ExplorerUpdate.formatSeconds(summary.addSeconds)) · save "
                + "\(ExplorerUpdate.formatSeconds(summary.saveSeconds)) · \(ExplorerUpdate.formatSeconds(build)) in all", Role.text),
            ("memory", "\(ByteSize.format(summary.sourceBytes)) → \(ByteSize.format(summary.targetBytes)) "
                + "(predicted \(ByteSize.format(summary.predictedBytes)))", Role.text),
            ("recall", String(format: "@1 %.3f · @10 %.3f", summary.recallAt1, summary.recallAt10)
                + " on \(ViewFormat.count(summary.queryCount)) queries sampled from the index (k = 10)",
             summary.recallAt10 >= 0.9 ? Role.success : Role.warning),
            ("search", "those queries: exact \(ViewFormat.milliseconds(summary.exactSearchSeconds * 1000)) · "
                + "new index \(ViewFormat.milliseconds(summary.targetSearchSeconds * 1000))", Role.text),
        ]
        LabelledLines(lines: lines, labelWidth: 8, charset: model.charset).render(into: &buffer, area: inner)
        guard inner.height > lines.count + 1 else { return }
        KeyHints([KeyHint("Enter", "explore the new index"), KeyHint("Esc", "keep exploring this one")], charset: model.charset)
            .render(into: &buffer, area: inner.row(lines.count + 1))
    }
}

extension String {
    /// The string right-aligned in `width` characters (longer strings unchanged).
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
