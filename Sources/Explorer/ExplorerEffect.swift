import Encoder

/// What `update` asks the runtime to do: data, not actions, so tests can assert on it.
enum ExplorerEffect: Equatable, Sendable {
    /// Filter the product titles; answer with `.filtered(tag:)` (only the newest tag counts).
    case filter(tag: Int, query: String)
    /// Order the product matches of later filters by a field (nil: by how well they match).
    case sortProducts(FieldOrder?)
    /// Find the `k` nearest neighbours of the vector with index id `id`.
    case search(tag: Int, id: Int64, k: Int)
    /// Embed `text` with the loaded model (its query prefix), then find its `k` nearest
    /// neighbours as `.search` does; `.asked`/`.askFailed` answer (the newest tag counts, shared
    /// with `.search`).
    case ask(tag: Int, text: String, k: Int)
    /// Find where the vector with index id `id` lives and its norm (`.located` answers).
    case locate(tag: Int, id: Int64)
    /// Load the text model `choice` and check it against the index, as job `job`
    /// (`.embedderLoaded`, or `.jobFailed` with both dimensions when they differ).
    case loadEmbedder(job: Int, choice: EmbedderChoice)
    /// Remember `choice` as the text model of the index at `indexPath` (`.rememberFailed` on error).
    case rememberEmbedder(EmbedderChoice, indexPath: String)
    /// Move the index to the requested placement, as job `job`.
    case move(job: Int, request: PlacementRequest)
    /// Report whether `path` exists (`.savePathChecked`).
    case checkSavePath(String)
    /// Save the index to `path`, as job `job`.
    case save(job: Int, path: String)
    /// Convert the index to `factory`, written to `path`, as job `job` (`.converted` answers).
    case convert(job: Int, factory: String, path: String, predictedBytes: Int)
    /// Make the result of conversion job `job` the explored index (`.switchedIndex` answers).
    case exploreConverted(job: Int)
    /// Drop the result of conversion job `job` from memory (its file stays).
    case discardConverted(job: Int)
    /// Set the search knob of an approximate index (`.tuned` answers).
    case tune(SearchTuning)
    /// Ask job `job` to stop at its next chunk.
    case cancel(job: Int)
    /// Open the explored file and its catalog again as job `job` (`:reload`).
    case reload(job: Int)
    /// Put `text` on the clipboard: the runtime sends it to the terminal as OSC 52 after the frame.
    case copyToClipboard(String)
    /// Write `contents` (`rows` results) to `path` atomically; an existing file only with
    /// `overwrite` (`.exported`, or `.exportFailed` naming the path).
    case export(path: String, contents: String, rows: Int, overwrite: Bool)
    /// Draw with the named theme from now on.
    case setTheme(String)
    /// Leave the explorer.
    case quit
}
