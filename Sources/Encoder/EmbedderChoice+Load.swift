import Foundation

extension EmbedderChoice {
    /// Makes the embedder: maps the model (`SentenceEncoder`), or connects to the server and
    /// learns its dimension (`EmbeddingServerClient`).
    /// - Throws: `EmbeddingError` naming the model file or the host.
    public func load() throws -> any TextEmbedder {
        if let url {
            guard let serverModel, !serverModel.isEmpty else {
                throw EmbeddingError("\(url): --embed-url needs --embed-model (the model name the server serves)")
            }
            return try EmbeddingServerClient.connect(url: url, model: serverModel, timeout: timeout ?? 30, batchSize: batchSize ?? 64,
                                                     queryPrefix: queryPrefix ?? "")
        }
        guard let model else { throw EmbeddingError("no model chosen: give --model (a folder or a name) or --embed-url") }
        return try SentenceEncoder(model: model, queryPrefix: queryPrefix)
    }
}
