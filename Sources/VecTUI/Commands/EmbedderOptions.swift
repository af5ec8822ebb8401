import ArgumentParser
import Core
import Encoder

/// `--model M` (the built-in encoder) or `--embed-url URL --embed-model NAME` (an
/// OpenAI-compatible server), and `--query-prefix`: how text becomes a vector.
struct EmbedderOptions: ParsableArguments {
    @Option(help: "A sentence-transformers BERT model: a folder, or a name in the Hugging Face cache or an installed package (e.g. all-MiniLM-L6-v2).")
    var model: String?
    @Option(name: .customLong("embed-url"), help: "An OpenAI-compatible embedding server (POST …/embeddings); key from VECTUI_EMBED_API_KEY.")
    var embedURL: String?
    @Option(name: .customLong("embed-model"), help: "The model name to ask the --embed-url server for.")
    var embedModel: String?
    @Option(name: .customLong("query-prefix"), help: "Prepended to each query (e5: \"query: \"); default: the model's query prompt.")
    var queryPrefix: String?
    @Option(name: .customLong("embed-timeout"), help: "Seconds each request to the --embed-url server may take (default 30).")
    var embedTimeout: Double?
    @Option(name: .customLong("embed-batch"), help: "Texts per request to the --embed-url server (default 64).")
    var embedBatch: Int?

    /// The user's choice, or nil when neither --model nor --embed-url was given.
    /// - Throws: `UsageError` for both at once, or --embed-model without --embed-url.
    func choice() throws -> EmbedderChoice? {
        if model != nil && embedURL != nil { throw UsageError(description: "give --model or --embed-url, not both") }
        if embedURL == nil && (embedModel != nil || embedTimeout != nil || embedBatch != nil) {
            throw UsageError(description: "--embed-model, --embed-timeout and --embed-batch need --embed-url")
        }
        if let embedURL {
            guard let embedModel else { throw UsageError(description: "--embed-url needs --embed-model (the model name the server serves)") }
            return EmbedderChoice(url: embedURL, serverModel: embedModel, queryPrefix: queryPrefix, timeout: embedTimeout, batchSize: embedBatch)
        }
        return model.map { EmbedderChoice(model: $0, queryPrefix: queryPrefix) }
    }

    /// The embedder the options name.
    /// - Throws: `UsageError` when none was given.
    func load() throws -> any TextEmbedder {
        guard let choice = try choice() else { throw UsageError(description: "give --model (a folder or a name) or --embed-url with --embed-model") }
        return try choice.load()
    }
}

/// The texts of `--text T` or `--texts FILE` (one a line; empty lines refused by line number).
func readTexts(text: String?, file: String?) throws -> [String] {
    switch (text, file) {
    case let (text?, nil):
        guard !text.allSatisfy(\.isWhitespace) else { throw InputMismatchError(description: "--text is empty: nothing to embed") }
        return [text]
    case let (nil, file?):
        let contents: String
        do {
            contents = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw InputMismatchError(description: "\(file): cannot be read as UTF-8 text")
        }
        var lines = contents.split(separator: "\n", omittingEmptySubsequences: false).map { String($0.hasSuffix("\r") ? $0.dropLast() : $0) }
        if lines.last == "" { lines.removeLast() }
        guard !lines.isEmpty else { throw InputMismatchError(description: "\(file): no texts (one a line)") }
        if let empty = lines.firstIndex(where: { $0.allSatisfy(\.isWhitespace) }) {
            throw InputMismatchError(description: "\(file): line \(empty + 1) is empty (one text a line; nothing to embed there)")
        }
        return lines
    case (nil, nil):
        throw UsageError(description: "give --text T or --texts FILE")
    default:
        throw UsageError(description: "give --text or --texts, not both")
    }
}
