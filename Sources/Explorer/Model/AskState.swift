import Encoder
import TUI

/// Asking by meaning: the text model (chosen with `--model`/`--embed-url` or remembered for
/// the index), whether it is loaded, and the ask box while it is typed.
struct AskState: Equatable, Sendable {
    /// Where the text model is.
    enum Embedder: Equatable, Sendable {
        /// No model was chosen for this index.
        case none
        /// Job `job` is loading `choice`.
        case loading(job: Int, choice: EmbedderChoice)
        /// Loaded and checked against the index: asks can run.
        case ready(EmbedderInfo)
        /// Loading or the dimension check failed; the explorer works on without it.
        case failed(choice: EmbedderChoice, message: String)
    }

    var embedder: Embedder = .none
    /// The ask box (after `a`), while typed.
    var box: TextInputState?
    /// A text asked while the model was still loading: asked once it is ready.
    var pending: String?
    /// Whether a successful load should be remembered for the index (a choice given on the
    /// command line; a remembered or preselected one is not written again).
    var remembersOnLoad = false

    /// Whether a model is set (loading or loaded), so asking will work.
    var hasModel: Bool {
        switch embedder {
        case .loading, .ready: return true
        case .none, .failed: return false
        }
    }

    /// The loading job's number, while one runs.
    var loadingJob: Int? {
        if case let .loading(job, _) = embedder { return job }
        return nil
    }
}

/// What the explorer knows of a loaded text model.
struct EmbedderInfo: Equatable, Sendable {
    /// The user's choice ("all-MiniLM-L6-v2", "http://… (model)").
    var choice: EmbedderChoice
    /// The embedder's own name for headers.
    var name: String
    var dimension: Int
    var normalizes: Bool
    /// Set when the model does not normalise and the index ranks by inner product.
    var warning: String?
}
