import Core
import Foundation
import TUI

// Results to take away: `y` copies the selected row's id, `Y` the Similar results as TSV (both
// through the terminal, OSC 52), `:export FILE.csv|.jsonl|.tsv` writes the Similar results
// (`:export! FILE` over an existing file, as vim's `:w!`).

extension ExplorerUpdate {
    /// `y`: the id of the selected row in Products or Similar, onto the clipboard.
    static func copySelectedID(_ model: inout ExplorerModel) -> [ExplorerEffect] {
        let id: Int64?
        switch model.focus {
        case .products:
            id = model.products.selectedPosition.map { model.catalog.id(at: $0) }
        case .similar:
            id = model.similar.table.selected.flatMap { $0 < model.similar.neighbours.count ? model.similar.neighbours[$0].id : nil }
        default:
            model.message = .warning("y copies the selected id in Products or Similar; Y copies the similar results.")
            return []
        }
        guard let id else {
            model.message = .warning("Nothing selected to copy.")
            return []
        }
        model.message = .success("Copied id \(id)")
        return [.copyToClipboard(String(id))]
    }

    /// `Y`: the Similar results as TSV onto the clipboard, unless they are too long for OSC 52.
    static func copyResults(_ model: inout ExplorerModel) -> [ExplorerEffect] {
        guard !model.similar.neighbours.isEmpty else {
            model.message = .warning("No similar results to copy yet: choose a product (Enter) or ask (a).")
            return []
        }
        let table = ResultsTable(similar: model.similar, catalog: model.catalog)
        let text = table.tsv()
        let bytes = text.utf8.count
        let results = table.rows.count == 1 ? "1 result" : "\(table.rows.count) results"
        guard bytes <= OSC52.maximumTextBytes else {
            model.message = .error("Not copied: \(results) as TSV are \(ByteSize.format(bytes)), more than the "
                                   + "\(ByteSize.format(OSC52.maximumTextBytes)) a terminal takes through OSC 52; "
                                   + ":export FILE.tsv writes them.")
            return []
        }
        model.message = .success("Copied \(results) as TSV (\(ByteSize.format(bytes)))")
        return [.copyToClipboard(text)]
    }

    /// The formats `:export` writes, by the file's extension.
    enum ExportFormat: String, CaseIterable, Sendable {
        case csv, jsonl, tsv

        /// The format for `path`'s extension (case ignored), if it is one of them.
        init?(path: String) {
            self.init(rawValue: (path as NSString).pathExtension.lowercased())
        }
    }

    /// `:export FILE` (`overwrite`: `:export! FILE`): the Similar results to `path`.
    static func export(_ model: inout ExplorerModel, path: String, overwrite: Bool) -> [ExplorerEffect] {
        guard !path.isEmpty else {
            model.message = .error("usage: :export FILE.csv, FILE.jsonl or FILE.tsv (:export! FILE overwrites)")
            return []
        }
        guard let format = ExportFormat(path: path) else {
            model.message = .error("\(path): :export writes .csv, .jsonl or .tsv files (by the extension)")
            return []
        }
        guard !model.similar.neighbours.isEmpty else {
            model.message = .warning("No similar results to export yet: choose a product (Enter) or ask (a).")
            return []
        }
        let table = ResultsTable(similar: model.similar, catalog: model.catalog)
        let contents: String
        switch format {
        case .csv: contents = table.csv()
        case .jsonl: contents = table.jsonl()
        case .tsv: contents = table.tsv()
        }
        model.message = .info("Exporting \(table.rows.count) results to \(path)…")
        return [.export(path: path, contents: contents, rows: table.rows.count, overwrite: overwrite)]
    }

    /// The session's answer to `.export`.
    static func exported(_ model: inout ExplorerModel, path: String, rows: Int, bytes: Int) -> [ExplorerEffect] {
        let results = rows == 1 ? "1 result" : "\(rows) results"
        model.message = .success("Exported \(results) to \(path) (\(ByteSize.format(bytes)))")
        return []
    }
}
