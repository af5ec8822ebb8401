import Core
import TUI

/// Pane 5: moves, saves and conversions with a progress bar (throughput and time left where
/// rows are counted) and the phase; `x` cancels.
struct JobsPane: Widget {
    let model: ExplorerModel

    /// Draws the pane into `area`.
    func render(into buffer: inout CellBuffer, area: Rect) {
        let running = model.runningJobs.count
        let box = ExplorerView.paneBox(.jobs, model: model, note: running > 0 ? "\(running) running" : "")
        box.render(into: &buffer, area: area)
        let inner = box.inner(area)
        guard !inner.isEmpty else { return }
        guard !model.jobs.isEmpty else {
            TextLine("No jobs yet: m moves the index to a device, s saves it, c converts it.", style: Style(role: Role.dim),
                     charset: model.charset).render(into: &buffer, area: inner.row(0))
            return
        }
        let offset = model.jobsTable.visibleOffset(visibleRows: inner.height, rowCount: model.jobs.count)
        for (line, position) in (offset..<min(model.jobs.count, offset + inner.height)).enumerated() {
            renderJob(model.jobs[position], selected: position == model.jobsTable.selected,
                      into: &buffer, area: inner.row(line))
        }
    }

    /// One job: title, bar with percentage, then rate, time left and phase (or how it ended).
    private func renderJob(_ job: JobState, selected: Bool, into buffer: inout CellBuffer, area: Rect) {
        let focused = model.focus == .jobs && model.overlay == nil
        let parts = area.columns([.fixed(min(30, area.width / 3)), .fill(1), .percent(40)], spacing: 1)
        let titleStyle = selected && focused ? Style(role: Role.selection) : Style(role: Role.text, bold: job.isRunning)
        if selected && focused { buffer.fill(parts[0], style: titleStyle) }
        buffer.put(truncate(job.title, toWidth: parts[0].width, ellipsis: model.charset.ellipsis), x: parts[0].x,
                   y: area.y, style: titleStyle, maxWidth: parts[0].width)
        ProgressBar(fraction: job.fraction, charset: model.charset).render(into: &buffer, area: parts[1])

        var status: [Span] = []
        if let rate = job.rowsPerSecond(now: model.now) {
            status.append(Span(ViewFormat.rate(bytesPerSecond: rate * Double(job.rowBytes)) + "  ", role: Role.text))
        }
        switch job.status {
        case .running:
            if let left = job.secondsLeft(now: model.now) {
                status.append(Span("ETA \(ExplorerUpdate.formatSeconds(left))  ", role: Role.text))
            }
            status.append(Span(job.phase, role: Role.dim))
        case .cancelling:
            status.append(Span("cancelling…", role: Role.warning))
        case .finished:
            let took = (job.endedAt ?? model.now) - job.startedAt
            status.append(Span("done in \(ExplorerUpdate.formatSeconds(took))", role: Role.success))
        case .cancelled:
            status.append(Span("cancelled", role: Role.warning))
        case let .failed(reason):
            status.append(Span("failed: \(reason)", role: Role.error))
        }
        TextLine(spans: status, charset: model.charset).render(into: &buffer, area: parts[2])
    }
}
