import Foundation

/// The built-in sentence encoder: a sentence-transformers BERT model folder run in-process —
/// WordPiece, the BERT forward pass on BLAS over mapped weights, pooling and normalisation as
/// the folder configures them — giving the vectors sentence-transformers gives.
public final class SentenceEncoder: TextEmbedder {
    public let folder: ModelFolder
    public let model: BertModel
    public let name: String
    public let queryPrefix: String
    public let documentPrefix: String
    public var dimension: Int { folder.config.hidden * folder.pooling.count }
    public var normalizes: Bool { folder.normalizes }
    public var tokenizer: WordPieceTokenizer { folder.tokenizer }
    /// Tokens per forward pass when embedding many texts (sequences packed without padding).
    public let tokensPerBatch: Int

    /// Loads a model folder, or a model name found by `ModelLocator` (never downloads).
    /// - Parameters:
    ///   - queryPrefix: prepended to queries; nil takes the model's query prompt.
    ///   - documentPrefix: prepended to catalog texts; nil takes the model's document prompt.
    public convenience init(model: String, queryPrefix: String? = nil, documentPrefix: String? = nil) throws {
        try self.init(folder: ModelFolder(path: ModelLocator.locate(model)), name: model,
                      queryPrefix: queryPrefix, documentPrefix: documentPrefix)
    }

    public init(folder: ModelFolder, name: String? = nil, queryPrefix: String? = nil, documentPrefix: String? = nil,
                tokensPerBatch: Int = 4096) throws {
        self.tokensPerBatch = max(1, tokensPerBatch)
        self.folder = folder
        self.model = try BertModel(weightsAt: folder.weightsPath, config: folder.config)
        self.name = name ?? folder.path
        self.queryPrefix = queryPrefix ?? folder.queryPrompt
        self.documentPrefix = documentPrefix ?? folder.documentPrompt
    }

    /// Token ids for `text`, [CLS] and [SEP] included.
    /// - Throws: `EmbeddingError` for an empty (or all-whitespace) text.
    public func tokenize(_ text: String) throws -> [Int32] {
        guard text.unicodeScalars.contains(where: { !WordPieceTokenizer.isWhitespace($0) }) else {
            throw EmbeddingError("cannot embed an empty text")
        }
        return tokenizer.encode(text)
    }

    public func embed(_ texts: [String], progress: ((Int) -> Bool)?) throws -> [Float] {
        let sequences = try texts.map(tokenize)
        // Similar lengths together keep each pass's attention work even; results go back in order.
        let order = sequences.indices.sorted { sequences[$0].count < sequences[$1].count }
        let d = dimension
        var result = [Float](repeating: 0, count: texts.count * d)
        var start = 0
        while start < order.count {
            var end = start, tokens = 0
            while end < order.count, end == start || tokens + sequences[order[end]].count <= tokensPerBatch {
                tokens += sequences[order[end]].count
                end += 1
            }
            let batch = order[start..<end].map { sequences[$0] }
            let pooled = pool(model.forward(batch), lengths: batch.map(\.count))
            for (slot, text) in order[start..<end].enumerated() {
                result.replaceSubrange(text * d..<(text + 1) * d, with: pooled[slot * d..<(slot + 1) * d])
            }
            start = end
            if let progress, !progress(end) { throw EmbeddingError.cancelled }
        }
        return result
    }

    /// One vector per sequence from its token vectors, then L2 normalisation when configured.
    private func pool(_ tokens: [Float], lengths: [Int]) -> [Float] {
        let h = folder.config.hidden, d = dimension
        var pooled = [Float](repeating: 0, count: lengths.count * d)
        var row = 0
        for (s, length) in lengths.enumerated() {
            for (m, mode) in folder.pooling.enumerated() {
                let out = s * d + m * h
                switch mode {
                case .cls:
                    for c in 0..<h { pooled[out + c] = tokens[row * h + c] }
                case .max:
                    for c in 0..<h {
                        var best = -Float.greatestFiniteMagnitude
                        for t in 0..<length { best = max(best, tokens[(row + t) * h + c]) }
                        pooled[out + c] = best
                    }
                case .mean, .meanSqrtLength:
                    for t in 0..<length { for c in 0..<h { pooled[out + c] += tokens[(row + t) * h + c] } }
                    let divisor = mode == .mean ? Float(length) : Float(length).squareRoot()
                    for c in 0..<h { pooled[out + c] /= divisor }
                }
            }
            if folder.normalizes {
                var norm: Float = 0
                for c in 0..<d { norm += pooled[s * d + c] * pooled[s * d + c] }
                let inverse = 1 / max(norm.squareRoot(), 1e-12)
                for c in 0..<d { pooled[s * d + c] *= inverse }
            }
            row += length
        }
        return pooled
    }
}
