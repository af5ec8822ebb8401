import TUI

// Pictures of an approximate index's structure under the Index pane's lines, where a search's
// speed is decided: for IVF how evenly the vectors spread over the inverted lists (a search
// scans whole lists, so one long list slows every query that probes it), for HNSW how many
// nodes each layer holds. One line on small screens; a histogram under it from 30 rows up.

extension IndexPane {
    /// Terminal rows from which the histogram is shown under the one-line picture.
    static let histogramHeight = 30
    /// Histogram rows at most.
    static let histogramBins = 4

    /// Lines the pictures of `index` take in the Index pane on a terminal `height` rows high
    /// (0 for indexes without lists or layers).
    static func pictureLines(_ index: IndexSummary, height: Int) -> Int {
        let bins = !index.listSizes.isEmpty ? listBins(index.listSizes).count : layerBins(index.nodesPerLayer).count
        guard bins > 0 else { return 0 }
        return height >= histogramHeight ? 1 + bins : 1
    }

    /// Draws the pictures into `area` (as many lines as `pictureLines` gave it).
    func renderPictures(into buffer: inout CellBuffer, area: Rect) {
        let index = model.index
        guard !area.isEmpty, !index.listSizes.isEmpty || !index.nodesPerLayer.isEmpty else { return }
        let labelWidth = 7
        let line = area.row(0)
        let bins: [HistogramBin]
        if !index.listSizes.isEmpty {
            buffer.put("lists", x: line.x, y: line.y, style: Style(role: Role.dim), maxWidth: labelWidth)
            let sizes = index.listSizes
            let mean = Double(sizes.reduce(0, +)) / Double(sizes.count)
            let ratio = mean > 0 ? Double(sizes.max()!) / mean : 1
            let note = String(format: " max/mean %.1f×", ratio)
            let chartWidth = max(0, line.width - labelWidth - displayWidth(of: note))
            let chart = Sparkline(sizes.sorted(by: >).map(Double.init), range: 0...Double(max(1, sizes.max()!)),
                                  charset: model.charset)
            chart.render(into: &buffer, area: Rect(x: line.x + labelWidth, y: line.y, width: chartWidth, height: 1))
            let noteX = line.x + labelWidth + displayWidth(of: chart.text(width: chartWidth))
            // Past 2× the mean, the longest list costs a probing query twice the average scan.
            buffer.put(note, x: noteX, y: line.y, style: Style(role: ratio >= 2 ? Role.warning : Role.dim),
                       maxWidth: line.maxX - noteX)
            bins = IndexPane.listBins(sizes)
        } else {
            let layers = index.nodesPerLayer.map(ViewFormat.count).joined(separator: " · ")
            LabelledLines(lines: [("layers", "\(layers) nodes", Role.text)], labelWidth: labelWidth,
                          charset: model.charset).render(into: &buffer, area: line)
            bins = IndexPane.layerBins(index.nodesPerLayer)
        }
        guard area.height > 1 else { return }
        Histogram(bins, charset: model.charset)
            .render(into: &buffer, area: area.inset(top: 1).inset(left: labelWidth))
    }

    /// Lists by length: up to `histogramBins` equal ranges from the shortest to the longest list.
    static func listBins(_ sizes: [Int]) -> [HistogramBin] {
        guard let low = sizes.min(), let high = sizes.max() else { return [] }
        let span = high - low + 1
        let count = min(histogramBins, span)
        return (0..<count).map { bin in
            let start = low + span * bin / count, end = low + span * (bin + 1) / count - 1
            let lists = sizes.reduce(0) { $0 + ((start...end).contains($1) ? 1 : 0) }
            let label = start == end ? ViewFormat.count(start) : "\(ViewFormat.count(start))–\(ViewFormat.count(end))"
            return HistogramBin(label, count: lists, note: "\(ViewFormat.count(lists)) \(lists == 1 ? "list" : "lists")")
        }
    }

    /// Nodes per HNSW layer, layer 0 first; past `histogramBins` layers the top ones share a bin.
    static func layerBins(_ nodes: [Int]) -> [HistogramBin] {
        nodes.indices.prefix(histogramBins).map { layer in
            // The counts are cumulative (a node on layer n is on every layer below), so the shared
            // top bin is the nodes that reach its lowest layer.
            let shared = layer == histogramBins - 1 && nodes.count > histogramBins
            return HistogramBin(shared ? "layer \(layer)+" : "layer \(layer)", count: nodes[layer],
                                note: ViewFormat.count(nodes[layer]))
        }
    }
}
