import Core
import Foundation

/// Turns text into vectors: the built-in sentence encoder (`SentenceEncoder`) or an
/// OpenAI-compatible embedding server (`EmbeddingServerClient`). The explorer, `vectui embed`
/// and `vectui search --text` only see this protocol.
public protocol TextEmbedder: Sendable {
    /// What the user chose, for headers and errors: the model folder or "URL (model)".
    var name: String { get }
    /// Length of every vector `embed` returns.
    var dimension: Int { get }
    /// Whether the vectors come out unit-length (an inner-product index wants them so).
    var normalizes: Bool { get }
    /// Prepended to queries (e5's "query: "); "" when the model has no query prompt.
    var queryPrefix: String { get }
    /// Prepended to catalog texts embedded for an index (e5's "passage: "); often "".
    var documentPrefix: String { get }
    /// Embeds `texts` as given (no prefix added), in order: `texts.count × dimension` floats,
    /// row-major. `progress(done)` is called after each batch with the texts done so far;
    /// returning false stops the work with `EmbeddingError.cancelled`.
    func embed(_ texts: [String], progress: ((Int) -> Bool)?) throws -> [Float]
}

extension TextEmbedder {
    /// Embeds queries with the query prefix.
    public func embedQueries(_ texts: [String]) throws -> [Float] {
        try embed(texts.map { queryPrefix + $0 }, progress: nil)
    }

    /// Embeds catalog texts with the document prefix, reporting progress.
    public func embedDocuments(_ texts: [String], progress: ((Int) -> Bool)? = nil) throws -> [Float] {
        try embed(texts.map { documentPrefix + $0 }, progress: progress)
    }
}

/// Why text could not be embedded. Every case names the file, tensor, field or host at fault.
/// A model folder or text at fault is `.input`; an embedding server that cannot be reached or
/// answers wrongly is `.remote`.
public struct EmbeddingError: VecTUIError, Equatable {
    public let description: String
    public let domain: ErrorDomain
    public init(_ description: String, domain: ErrorDomain = .input) {
        self.description = description
        self.domain = domain
    }
    /// An embedding server's failure (unreachable, timed out, an error status, a wrong answer).
    public static func remote(_ description: String) -> EmbeddingError { EmbeddingError(description, domain: .remote) }
    /// The caller's progress callback asked to stop.
    public static let cancelled = EmbeddingError("embedding cancelled", domain: .interrupted)
}

/// Checks that `embedder`'s vectors fit `index`: the same dimension (else refused with both
/// numbers); for an inner-product index, a warning when the vectors are not unit length.
public func checkEmbedder(_ embedder: any TextEmbedder, fits index: any VectorIndex, path: String) throws -> String? {
    guard embedder.dimension == index.dimension else {
        throw InputMismatchError(description: "\(embedder.name) makes \(embedder.dimension)-dimensional vectors, but \(path) has dimension \(index.dimension)")
    }
    if index.metric == .innerProduct && !embedder.normalizes {
        return "warning: \(embedder.name) does not normalise its vectors, and \(path) ranks by inner product: scores mix length and direction"
    }
    return nil
}
