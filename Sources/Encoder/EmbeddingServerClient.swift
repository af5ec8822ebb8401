import Core
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A client for any OpenAI-compatible embedding server (OpenAI, infinity-emb, vLLM, text-
/// embeddings-inference, LocalAI, llama.cpp's server, …): `POST …/embeddings` with
/// `{"input": [texts], "model": NAME, "encoding_format": "float"}`, answered by
/// `{"data": [{"index": i, "embedding": [floats]}, …]}`.
///
/// Calls are synchronous (the caller runs them on a background job); each request waits at
/// most `timeout` seconds. Texts are sent `batchSize` at a time.
///
/// **Which URL is called.** The user may give the server's base, a base with a version
/// prefix, or the endpoint itself (query strings are kept):
/// - a path ending in `/embeddings` is used as given (`http://h:7997/v1/embeddings`);
/// - any other non-empty path gets `/embeddings` appended (`http://h:7997/v1` →
///   `http://h:7997/v1/embeddings`, `https://h/api/v2/` → `https://h/api/v2/embeddings`);
/// - a bare host (no path, or `/`) tries `/v1/embeddings` first, the OpenAI convention, and
///   falls back to `/embeddings` when that answers 404 (infinity-emb serves `/embeddings`
///   unless started with `--url-prefix /v1`). The probe in `connect` settles which one.
///
/// **Errors** are `EmbeddingError`s of one line that name the server as `host:port`:
/// connection refused, host not found, timed out (with the timeout), the HTTP status with the
/// server's own message (OpenAI's `error.message`, FastAPI's `detail`, or the body, cut short),
/// a body that is not an embeddings list, the wrong number of embeddings, a dimension that
/// changes between batches, and numbers that are not finite 32-bit floats.
public final class EmbeddingServerClient: TextEmbedder, Sendable {

    /// "URL (model)", as the user gave the URL.
    public let name: String
    /// Length of the vectors the server returns, learnt from the probe in `connect`.
    public let dimension: Int
    /// Whether the probe's vector was unit length (|‖v‖ − 1| < 1e-3).
    public let normalizes: Bool
    /// Prepended to queries by `embedQueries`.
    public let queryPrefix: String
    /// Prepended to catalog texts by `embedDocuments`.
    public let documentPrefix: String
    /// The endpoint requests go to (after the URL rule and the bare-host fallback).
    public let endpoint: URL
    /// The model name sent with every request.
    public let model: String
    /// Seconds each request may take.
    public let timeout: TimeInterval
    /// Texts per request.
    public let batchSize: Int

    private let apiKey: String?
    private let session: URLSession
    private let ownsSession: Bool
    /// "host:port", for error messages.
    private let server: String

    /// The environment variable holding the API key sent as `Authorization: Bearer KEY`.
    public static let apiKeyVariable = "VECTUI_EMBED_API_KEY"

    /// Checks `url` (http or https, with a host), finds the endpoint by the URL rule above and
    /// embeds one probe text to learn the server's `dimension` and whether it `normalizes`.
    /// - Parameters:
    ///   - url: the server's base, base with a version prefix, or its `/embeddings` endpoint.
    ///   - model: the model name the server is asked for (e.g. infinity's model id).
    ///   - apiKey: sent as a bearer token when non-empty; by default `VECTUI_EMBED_API_KEY`.
    ///   - timeout: seconds each request may take before it fails as timed out.
    ///   - batchSize: texts per request (at least 1).
    ///   - queryPrefix: prepended to queries by `embedQueries` (e5's "query: ").
    ///   - documentPrefix: prepended to catalog texts by `embedDocuments` (e5's "passage: ").
    /// - Throws: `EmbeddingError` when the URL is invalid or the probe fails.
    public static func connect(
        url: String,
        model: String,
        apiKey: String? = ProcessInfo.processInfo.environment[EmbeddingServerClient.apiKeyVariable],
        timeout: TimeInterval = 30,
        batchSize: Int = 64,
        queryPrefix: String = "",
        documentPrefix: String = ""
    ) throws -> EmbeddingServerClient {
        guard !model.isEmpty else { throw EmbeddingError("\(url): no model name given for the embedding server (--embed-model)") }
        guard timeout > 0, timeout.isFinite else { throw EmbeddingError("\(url): timeout \(timeout) s is not a positive number of seconds") }
        guard batchSize >= 1 else { throw EmbeddingError("\(url): batch size \(batchSize) is not at least 1") }
        let candidates = try endpointCandidates(for: url)
        let session = makeSession(timeout: timeout)
        let key = apiKey.flatMap { $0.isEmpty ? nil : $0 }
        var firstNotFound: EmbeddingError?
        for (position, candidate) in candidates.enumerated() {
            let probe = EmbeddingServerClient(
                name: "\(url) (\(model))", dimension: 0, normalizes: false, queryPrefix: queryPrefix,
                documentPrefix: documentPrefix, endpoint: candidate, model: model, timeout: timeout,
                batchSize: batchSize, apiKey: key, session: session, ownsSession: false)
            let vector: [Float]
            do {
                vector = try probe.request(["hello world"]).first ?? []
            } catch let failure as HTTPFailure {
                if failure.status == 404, position + 1 < candidates.count {
                    firstNotFound = firstNotFound ?? failure.error
                    continue
                }
                session.invalidateAndCancel()
                if failure.status == 404, let first = firstNotFound {
                    throw EmbeddingError.remote("\(first.description); \(candidate.path) also answered 404 (give the endpoint's full URL)")
                }
                if failure.status == 404 {
                    throw EmbeddingError.remote("\(failure.error.description) (no such endpoint: check the URL's path)")
                }
                throw failure.error
            } catch {
                session.invalidateAndCancel()
                throw error
            }
            guard !vector.isEmpty else {
                session.invalidateAndCancel()
                throw EmbeddingError.remote("embedding server at \(probe.server) returned an empty embedding (model \(model))")
            }
            var squares: Double = 0
            for value in vector { squares += Double(value) * Double(value) }
            return EmbeddingServerClient(
                name: probe.name, dimension: vector.count, normalizes: abs(squares.squareRoot() - 1) < 1e-3,
                queryPrefix: queryPrefix, documentPrefix: documentPrefix, endpoint: candidate, model: model,
                timeout: timeout, batchSize: batchSize, apiKey: key, session: session, ownsSession: true)
        }
        session.invalidateAndCancel()
        throw EmbeddingError("\(url): no endpoint to try")
    }

    /// The endpoints `url` stands for, in the order they are tried (see the URL rule in the
    /// type's documentation): one URL, or `/v1/embeddings` then `/embeddings` for a bare host.
    /// - Throws: `EmbeddingError` when `url` is not an http(s) URL with a host.
    public static func endpointCandidates(for url: String) throws -> [URL] {
        let trimmed = url.trimmingCharacters(in: .whitespaces)
        guard trimmed.contains("://"), var components = URLComponents(string: trimmed),
              let scheme = components.scheme?.lowercased() else {
            throw EmbeddingError("\(url): not a URL (expected http://HOST:PORT or https://HOST/v1)")
        }
        guard scheme == "http" || scheme == "https" else {
            throw EmbeddingError("\(url): the embedding server's URL must start with http:// or https://, not \(scheme)://")
        }
        guard let host = components.host, !host.isEmpty else {
            throw EmbeddingError("\(url): the URL has no host (expected http://HOST:PORT)")
        }
        components.scheme = scheme
        components.fragment = nil
        var path = components.path
        while path.hasSuffix("/") { path.removeLast() }
        let paths: [String]
        if path.isEmpty {
            paths = ["/v1/embeddings", "/embeddings"]
        } else if path.hasSuffix("/embeddings") {
            paths = [path]
        } else {
            paths = [path + "/embeddings"]
        }
        return try paths.map { candidate in
            var copy = components
            copy.path = candidate
            guard let made = copy.url else { throw EmbeddingError("\(url): not a valid URL") }
            return made
        }
    }

    private init(name: String, dimension: Int, normalizes: Bool, queryPrefix: String, documentPrefix: String,
                 endpoint: URL, model: String, timeout: TimeInterval, batchSize: Int, apiKey: String?,
                 session: URLSession, ownsSession: Bool) {
        self.name = name
        self.dimension = dimension
        self.normalizes = normalizes
        self.queryPrefix = queryPrefix
        self.documentPrefix = documentPrefix
        self.endpoint = endpoint
        self.model = model
        self.timeout = timeout
        self.batchSize = batchSize
        self.apiKey = apiKey
        self.session = session
        self.ownsSession = ownsSession
        self.server = Self.hostAndPort(endpoint)
    }

    deinit {
        // A session lives until invalidated; the probe clients share the returned one's.
        if ownsSession { session.finishTasksAndInvalidate() }
    }

    /// Embeds `texts` in requests of `batchSize`, in order: `texts.count × dimension` floats.
    /// Refuses empty (or all-whitespace) texts before sending anything. `progress(done)` runs after each request;
    /// returning false stops with `EmbeddingError.cancelled`.
    public func embed(_ texts: [String], progress: ((Int) -> Bool)?) throws -> [Float] {
        // As the built-in encoder: a text of only whitespace is empty too (servers differ on it).
        if let empty = texts.firstIndex(where: { $0.allSatisfy(\.isWhitespace) }) {
            throw EmbeddingError("cannot embed an empty text (text \(empty + 1) of \(texts.count))")
        }
        var out: [Float] = []
        out.reserveCapacity(texts.count * dimension)
        var start = 0
        while start < texts.count {
            let end = min(start + batchSize, texts.count)
            let vectors = try request(Array(texts[start..<end]))
            for vector in vectors {
                guard vector.count == dimension else {
                    throw EmbeddingError.remote("embedding server at \(server) returned a vector of \(vector.count) floats for texts \(start + 1)–\(end), after \(dimension) earlier (model \(model))")
                }
                out.append(contentsOf: vector)
            }
            start = end
            if let progress, !progress(end) { throw EmbeddingError.cancelled }
        }
        return out
    }

    // MARK: - One request

    /// An HTTP status other than 2xx, kept apart so that `connect` can fall back on 404.
    private struct HTTPFailure: Error {
        let status: Int
        let error: EmbeddingError
    }

    /// Sends one batch and returns its vectors in the texts' order, checked for count and
    /// finiteness (not yet for dimension, which the caller knows).
    private func request(_ texts: [String]) throws -> [[Float]] {
        var request = URLRequest(url: endpoint, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        if let apiKey { request.setValue("Bearer \(apiKey)", forHTTPHeaderField: "Authorization") }
        let body: [String: Any] = ["input": texts, "model": model, "encoding_format": "float"]
        request.httpBody = try JSONSerialization.data(withJSONObject: body)

        let (data, response) = try send(request)
        let path = endpoint.path
        guard let http = response as? HTTPURLResponse else {
            throw EmbeddingError.remote("embedding server at \(server) sent no HTTP response to POST \(path)")
        }
        guard (200..<300).contains(http.statusCode) else {
            var line = "embedding server at \(server) answered HTTP \(http.statusCode) to POST \(path)"
            if let message = Self.serverMessage(data) { line += ": \(message)" }
            if http.statusCode == 401 || http.statusCode == 403 {
                line += apiKey == nil ? " (no API key was sent: set \(Self.apiKeyVariable))" : " (check \(Self.apiKeyVariable))"
            }
            throw HTTPFailure(status: http.statusCode, error: EmbeddingError.remote(line))
        }
        return try Self.parseEmbeddings(data, expected: texts.count, server: server, model: model)
    }

    /// Runs the request and waits for it, at most the timeout and a margin (URLSession's own
    /// timeout normally fires first); maps transport failures to one-line errors.
    private func send(_ request: URLRequest) throws -> (Data, URLResponse?) {
        // What the completion handler hands over (it may run after a timeout gave up waiting).
        let outcome = Locked<(data: Data?, response: URLResponse?, error: (any Error)?)>((nil, nil, nil))
        let done = DispatchSemaphore(value: 0)
        let task = session.dataTask(with: request) { data, response, error in
            outcome.withLock { $0 = (data, response, error) }
            done.signal()
        }
        task.resume()
        if done.wait(timeout: .now() + timeout + 5) == .timedOut {
            task.cancel()
            _ = done.wait(timeout: .now() + 5)
            throw timedOut()
        }
        let (data, response, error) = outcome.withLock { $0 }
        if let error { throw transportError(error) }
        return (data ?? Data(), response)
    }

    private func timedOut() -> EmbeddingError {
        EmbeddingError.remote("embedding server at \(server) did not answer within \(Self.seconds(timeout)) (timed out)")
    }

    private func transportError(_ error: Error) -> EmbeddingError {
        let code = (error as? URLError)?.code ?? URLError.Code(rawValue: (error as NSError).code)
        switch code {
        case .cannotConnectToHost:
            return EmbeddingError.remote("cannot connect to the embedding server at \(server): connection refused (is it running?)")
        case .cannotFindHost, .dnsLookupFailed:
            return EmbeddingError.remote("cannot connect to the embedding server at \(server): host not found")
        case .timedOut:
            return timedOut()
        case .networkConnectionLost:
            return EmbeddingError.remote("embedding server at \(server) closed the connection before answering")
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
             .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot, .clientCertificateRejected:
            return EmbeddingError.remote("cannot connect to the embedding server at \(server): TLS failed (\(Self.oneLine(error.localizedDescription)))")
        default:
            return EmbeddingError.remote("cannot reach the embedding server at \(server): \(Self.oneLine(error.localizedDescription))")
        }
    }

    // MARK: - Responses

    /// The embeddings in a 2xx response's body, ordered by `index` when the items carry one;
    /// static so that the fuzz target can feed it any bytes.
    /// - Parameters:
    ///   - expected: how many texts were sent.
    ///   - server: "host:port", and `model`, for the error messages.
    /// - Throws: `EmbeddingError` for a body that is not `expected` finite embeddings.
    static func parseEmbeddings(_ data: Data, expected: Int, server: String, model: String) throws -> [[Float]] {
        let notList = { (why: String) in
            EmbeddingError.remote("embedding server at \(server) sent a response that is not an embeddings list (\(why)): \(Self.excerpt(data))")
        }
        guard let json = try? JSONSerialization.jsonObject(with: data) else { throw notList("not JSON") }
        guard let object = json as? [String: Any], let items = object["data"] as? [Any] else {
            throw notList("no \"data\" list")
        }
        guard items.count == expected else {
            throw EmbeddingError.remote("embedding server at \(server) returned \(items.count) embedding\(items.count == 1 ? "" : "s") for \(expected) text\(expected == 1 ? "" : "s") (model \(model))")
        }
        var vectors = [[Float]?](repeating: nil, count: expected)
        for (position, raw) in items.enumerated() {
            guard let item = raw as? [String: Any] else { throw notList("data[\(position)] is not an object") }
            var slot = position
            if let index = item["index"] {
                guard let number = index as? NSNumber, let value = Int(exactly: number.doubleValue),
                      value >= 0, value < expected, vectors[value] == nil else {
                    throw notList("data[\(position)].index \(index) is not a distinct index below \(expected)")
                }
                slot = value
            }
            vectors[slot] = try vector(item["embedding"], at: position, server: server, model: model, notList: notList)
        }
        return vectors.map { $0 ?? [] }
    }

    /// One embedding: a list of numbers, or base64 of little-endian float32 (some servers
    /// answer so even when asked for floats).
    private static func vector(_ raw: Any?, at position: Int, server: String, model: String,
                               notList: (String) -> EmbeddingError) throws -> [Float] {
        var floats: [Float]
        if let numbers = raw as? [Any] {
            floats = []
            floats.reserveCapacity(numbers.count)
            for value in numbers {
                guard let number = value as? NSNumber else {
                    throw notList("data[\(position)].embedding holds \(value), not a number")
                }
                // JSON true/false come back as Bool or as an NSNumber of type "c".
                guard type(of: value) != Bool.self, String(cString: number.objCType) != "c" else {
                    throw notList("data[\(position)].embedding holds \(number.boolValue), not a number")
                }
                floats.append(Float(number.doubleValue))
            }
        } else if let text = raw as? String, let bytes = Data(base64Encoded: text), bytes.count % 4 == 0 {
            floats = bytes.withUnsafeBytes { buffer in
                (0..<(bytes.count / 4)).map { Float(bitPattern: UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
            }
        } else {
            throw notList("data[\(position)].embedding is not a list of numbers")
        }
        if let bad = floats.firstIndex(where: { !$0.isFinite }) {
            throw EmbeddingError.remote("embedding server at \(server) returned a number that is not a finite 32-bit float (data[\(position)].embedding[\(bad)] = \(floats[bad]), model \(model))")
        }
        return floats
    }

    /// The server's own error message: OpenAI's `{"error": {"message"}}` (or `"error": "…"`),
    /// FastAPI's `{"detail": "…"}` or validation list, a top-level `message`, else the body.
    static func serverMessage(_ data: Data) -> String? {
        guard !data.isEmpty else { return nil }
        if let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] {
            var found: String?
            if let error = object["error"] as? [String: Any], let message = error["message"] as? String {
                found = message
            } else if let error = object["error"] as? String {
                found = error
            } else if let detail = object["detail"] as? String {
                found = detail
            } else if let details = object["detail"] as? [Any] {
                found = details.map { item -> String in
                    guard let entry = item as? [String: Any], let message = entry["msg"] as? String else { return "\(item)" }
                    let location = (entry["loc"] as? [Any])?.map { "\($0)" }.joined(separator: ".")
                    return location.map { "\($0): \(message)" } ?? message
                }.joined(separator: "; ")
            } else if let message = object["message"] as? String {
                found = message
            }
            if let found, !found.isEmpty { return truncate(oneLine(found)) }
        }
        return excerpt(data)
    }

    /// The body as one line of at most 300 characters.
    static func excerpt(_ data: Data) -> String {
        let text = String(decoding: data.prefix(4096), as: UTF8.self)
        let line = oneLine(text)
        return line.isEmpty ? "(empty body)" : truncate(line)
    }

    private static func truncate(_ text: String, to limit: Int = 300) -> String {
        text.count <= limit ? text : String(text.prefix(limit)) + "…"
    }

    private static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    private static func seconds(_ value: TimeInterval) -> String {
        value == value.rounded() ? "\(Int(value)) s" : String(format: "%.1f s", value)
    }

    private static func hostAndPort(_ url: URL) -> String {
        let components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        let host = components?.host ?? "?"
        let shown = host.contains(":") ? "[\(host)]" : host
        let port = components?.port ?? (components?.scheme == "https" ? 443 : 80)
        return "\(shown):\(port)"
    }

    private static func makeSession(timeout: TimeInterval) -> URLSession {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        return URLSession(configuration: configuration)
    }
}
