import Core
import TUI

/// Everything that can change the model: keys, the terminal, the clock, and what jobs report.
enum ExplorerMessage: Sendable {
    /// A key press.
    case key(Key)
    /// The terminal's new size.
    case resize(Size)
    /// The clock (runtime seconds), sent every loop turn that has something to show.
    case tick(now: Double)
    /// A fresh sample of every device's memory.
    case devicesSampled([DeviceStatus])
    /// A filter request's matches, and the milliseconds the filter took.
    case filtered(tag: Int, matches: TitleFilter.Matches, milliseconds: Double)
    /// What the filter text of request `tag` could not be read as (nil: nothing to say),
    /// sent just before its `.filtered`.
    case filterNote(tag: Int, String?)
    /// A search request's neighbours.
    case searched(tag: Int, neighbours: [SimilarState.Neighbour], milliseconds: Double, ranOn: String)
    /// A search request failed.
    case searchFailed(tag: Int, message: String)
    /// An ask's neighbours, with the milliseconds embedding and searching took.
    case asked(tag: Int, neighbours: [SimilarState.Neighbour], embedMilliseconds: Double, searchMilliseconds: Double,
               ranOn: String)
    /// An ask failed (embedding or searching); the message says which.
    case askFailed(tag: Int, message: String)
    /// Where the vector of a `.locate` request lives, or why that could not be found.
    case located(tag: Int, ItemDetails.Location)
    /// Text model job `job` loaded its model and it fits the index.
    case embedderLoaded(job: Int, EmbedderInfo)
    /// The text model could not be remembered for the index.
    case rememberFailed(message: String)
    /// A job's progress.
    case jobProgress(job: Int, done: Int, total: Int, phase: String)
    /// A move finished: the index now looks like this.
    case moved(job: Int, index: IndexSummary)
    /// A save finished.
    case saved(job: Int, path: String)
    /// A conversion finished: its file is written and its result waits in memory.
    case converted(ConversionSummary)
    /// The explored index was replaced (by a conversion's result): it now looks like this.
    case switchedIndex(IndexSummary)
    /// The search knob was set: the index now looks like this.
    case tuned(IndexSummary)
    /// What other processes did to the explored files since they were opened (empty: nothing).
    case filesChanged([FileChangeNotice])
    /// `:reload` opened the file again: the new index and products.
    case reloaded(job: Int, index: IndexSummary, catalog: ProductList, message: StatusMessage?)
    /// A job stopped because it was cancelled; nothing changed.
    case jobCancelled(job: Int)
    /// A job failed; nothing changed.
    case jobFailed(job: Int, message: String)
    /// Whether a file to save to exists already.
    case savePathChecked(path: String, exists: Bool)
    /// An export was written: `rows` results, `bytes` bytes.
    case exported(path: String, rows: Int, bytes: Int)
    /// An export was not written; the message names the path.
    case exportFailed(message: String)
    /// The theme was switched.
    case themeChanged(name: String)
    /// The theme could not be switched.
    case themeFailed(message: String)
}
