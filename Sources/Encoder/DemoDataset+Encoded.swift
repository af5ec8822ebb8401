import Core

extension DemoDataset {
    /// The text model `vectui demo` embeds its titles with when it is installed.
    public static let encodedModel = "all-MiniLM-L6-v2"

    /// The encoded demo's embedding: `lazy` names it (to check the cache without loading the
    /// model), `load()` maps the model and embeds with it.
    public static func encodedEmbedding(name: String, folder: String)
        -> (lazy: DemoDataset.Embedding, load: () throws -> DemoDataset.Embedding) {
        let dimension = (try? ModelFolder(path: folder)).map { $0.config.hidden * $0.pooling.count } ?? 0
        let lazy = DemoDataset.Embedding.encoded(model: name, dimension: dimension) { _ in
            throw EmbeddingError("\(name): not loaded")
        }
        return (lazy, {
            let encoder = try SentenceEncoder(folder: ModelFolder(path: folder), name: name)
            guard encoder.normalizes else {
                throw EmbeddingError("\(name) does not normalise its vectors; the demo's inner-product index needs unit vectors")
            }
            return .encoded(model: name, dimension: encoder.dimension) { titles in
                try encoder.embedDocuments(titles)
            }
        })
    }
}
