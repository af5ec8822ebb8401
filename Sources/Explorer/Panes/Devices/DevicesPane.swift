import Core
import TUI

/// Pane 2: every device's memory split by kind (index data, scratch, other, free), the rows it
/// holds, and, after a move, the prediction next to what was measured.
struct DevicesPane: Widget {
    let model: ExplorerModel

    /// Draws the pane into `area`.
    func render(into buffer: inout CellBuffer, area: Rect) {
        let box = ExplorerView.paneBox(.devices, model: model, note: "\(model.devices.count) devices")
        box.render(into: &buffer, area: area)
        let inner = box.inner(area)
        guard !inner.isEmpty, !model.devices.isEmpty else { return }

        let count = model.devices.count
        let (linesPerDevice, visible) = DevicesPane.rowsShown(height: inner.height, count: count)
        let showsTotals = inner.height >= count * linesPerDevice + 1
        let offset = model.devicesTable.visibleOffset(visibleRows: visible, rowCount: count)
        var y = inner.y
        for position in offset..<min(count, offset + visible) {
            renderDevice(position, lines: linesPerDevice, into: &buffer, area: Rect(x: inner.x, y: y, width: inner.width,
                                                                                    height: linesPerDevice))
            y += linesPerDevice
        }
        if showsTotals {
            let index = model.devices.reduce(0) { $0 + $1.indexBytes }
            let scratch = model.devices.reduce(0) { $0 + $1.scratchBytes }
            let text = "total: index data \(ByteSize.format(index)) · scratch \(ByteSize.format(scratch)) · "
                + model.index.placementSummary
            TextLine(text, style: Style(role: Role.dim), charset: model.charset)
                .render(into: &buffer, area: Rect(x: inner.x, y: inner.maxY - 1, width: inner.width, height: 1))
        }
    }

    /// Lines per device (three when they fit, else two, else one; a line is left for the
    /// totals if possible) and devices shown at once, in a pane `height` lines high inside.
    static func rowsShown(height: Int, count: Int) -> (linesPerDevice: Int, visible: Int) {
        let linesPerDevice = height >= count * 3 ? 3 : height >= count * 2 ? 2 : 1
        return (linesPerDevice, max(1, min(count, height / linesPerDevice)))
    }

    /// One device: name and memory bar, then what it holds, then predicted against measured.
    private func renderDevice(_ position: Int, lines: Int, into buffer: inout CellBuffer, area: Rect) {
        let status = model.devices[position]
        let isSelected = model.focus == .devices && model.overlay == nil && model.devicesTable.selected == position
        let nameWidth = min(max(18, area.width / 3), area.width / 2)
        let name = "\(status.label) \(status.device.displayName)"
        let nameStyle = isSelected ? Style(role: Role.selection) : Style(role: Role.device(position), bold: true)
        if isSelected { buffer.fill(Rect(x: area.x, y: area.y, width: nameWidth, height: 1), style: nameStyle) }
        buffer.put(truncate(name, toWidth: nameWidth - 1, ellipsis: model.charset.ellipsis), x: area.x, y: area.y,
                   style: nameStyle, maxWidth: nameWidth - 1)
        let used = status.indexBytes + status.scratchBytes + status.otherBytes
        let gauge = MemoryGauge(segments: [.index(Double(status.indexBytes)), .scratch(Double(status.scratchBytes)),
                                           .other(Double(status.otherBytes))],
                                total: Double(status.totalBytes),
                                label: ViewFormat.usage(used, of: status.totalBytes),
                                charset: model.charset)
        gauge.render(into: &buffer, area: Rect(x: area.x + nameWidth, y: area.y, width: area.width - nameWidth, height: 1))
        guard lines >= 2 else { return }

        let detail = "  index \(ByteSize.format(status.indexBytes)) · scratch \(ByteSize.format(status.scratchBytes))"
            + " · other \(ByteSize.format(status.otherBytes)) · holds \(holdings(of: status.device.name))"
        TextLine(detail, style: Style(role: Role.dim), charset: model.charset)
            .render(into: &buffer, area: area.row(1))
        guard lines >= 3, let predicted = model.lastPrediction.first(where: { $0.device == status.device.name }) else { return }
        let comparison = "  predicted \(ByteSize.format(predicted.residentBytes)), peak \(ByteSize.format(predicted.peakBytes))"
            + " · measured \(ByteSize.format(status.indexBytes)), peak \(ByteSize.format(status.peakBytes))"
        TextLine(comparison, style: Style(role: Role.dim), charset: model.charset).render(into: &buffer, area: area.row(2))
    }

    /// What of the index a device holds: its rows (and the ids, on the host).
    private func holdings(of device: String) -> String {
        let index = model.index
        var parts = index.shards.filter { $0.device == device }.map { shard in
            ViewFormat.rows(shard.rows, of: index.count) + " (\(ByteSize.format(shard.bytes))"
                + (index.layout == .replicate ? ", a replica)" : ")")
        }
        if device == MemoryLedger.hostDevice && index.hasIDs { parts.append("the ids") }
        return parts.isEmpty ? "nothing of this index" : parts.joined(separator: ", ")
    }
}
