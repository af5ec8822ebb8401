import Foundation

/// How the user asked for text to be embedded: a built-in model (`--model`) or an
/// OpenAI-compatible server (`--embed-url` with `--embed-model`). Codable, so the explorer can
/// remember the choice for an index; `load()` (in EmbedderChoice+Load.swift) makes the embedder.
public struct EmbedderChoice: Codable, Equatable, Sendable {
    /// A model folder or a name found in the Hugging Face cache or an installed package.
    public var model: String?
    /// An embedding server's URL.
    public var url: String?
    /// The model name the server is asked for.
    public var serverModel: String?
    /// Prepended to queries; nil means the model's own query prompt (or none).
    public var queryPrefix: String?
    /// Seconds each request to the server may take (nil: 30).
    public var timeout: Double?
    /// Texts per request to the server (nil: 64).
    public var batchSize: Int?

    public init(model: String? = nil, url: String? = nil, serverModel: String? = nil, queryPrefix: String? = nil,
                timeout: Double? = nil, batchSize: Int? = nil) {
        self.model = model
        self.url = url
        self.serverModel = serverModel
        self.queryPrefix = queryPrefix
        self.timeout = timeout
        self.batchSize = batchSize
    }

    /// What to show in headers and job names.
    public var label: String {
        if let url { return "\(url) (\(serverModel ?? "?"))" }
        return model ?? "none"
    }
}
