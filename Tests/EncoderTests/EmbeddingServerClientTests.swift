import Foundation
import XCTest
@testable import Encoder
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The embedding-server client's URL rule and its errors, over real TCP connections: a port
/// nothing listens on, and a small HTTP listener in this file that answers each request with
/// a scripted status and body (servers' error shapes and misbehaviour that a real server will
/// not produce on demand). Embeddings from a real server (infinity-emb) are checked by
/// tests/interop/test_embedding_server.py.
final class EmbeddingServerClientTests: XCTestCase {

    // MARK: - URL rule

    func testURLRule() throws {
        func paths(_ url: String) throws -> [String] {
            try EmbeddingServerClient.endpointCandidates(for: url).map(\.absoluteString)
        }
        XCTAssertEqual(try paths("http://localhost:7997"),
                       ["http://localhost:7997/v1/embeddings", "http://localhost:7997/embeddings"])
        XCTAssertEqual(try paths("http://localhost:7997/"),
                       ["http://localhost:7997/v1/embeddings", "http://localhost:7997/embeddings"])
        XCTAssertEqual(try paths("http://localhost:7997/v1"), ["http://localhost:7997/v1/embeddings"])
        XCTAssertEqual(try paths("https://api.example.com/v1/"), ["https://api.example.com/v1/embeddings"])
        XCTAssertEqual(try paths("http://h:1/v1/embeddings"), ["http://h:1/v1/embeddings"])
        XCTAssertEqual(try paths("http://h:1/embeddings/"), ["http://h:1/embeddings"])
        XCTAssertEqual(try paths("HTTP://h/api/openai/v1?api-version=2"), ["http://h/api/openai/v1/embeddings?api-version=2"])
        XCTAssertEqual(try paths(" http://[::1]:8080 ").first, "http://[::1]:8080/v1/embeddings")

        for (bad, expected) in [("ftp://h/v1", "must start with http:// or https://, not ftp://"),
                                ("localhost:7997", "not a URL"),
                                ("http://", "has no host"),
                                ("", "not a URL")] {
            XCTAssertThrowsError(try EmbeddingServerClient.endpointCandidates(for: bad), bad) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(bad): \(error)")
            }
        }
    }

    // MARK: - Transport errors

    func testRefusedConnectionNamesHostAndPort() throws {
        let port = try Self.closedPort()
        let started = Date()
        let message = connectError(url: "http://127.0.0.1:\(port)", timeout: 5)
        XCTAssertEqual(message, "cannot connect to the embedding server at 127.0.0.1:\(port): connection refused (is it running?)")
        XCTAssertLessThan(Date().timeIntervalSince(started), 5, "a refused connection fails at once, not at the timeout")
    }

    func testUnknownHostIsSaidSo() {
        // .invalid never resolves (RFC 2606).
        let message = connectError(url: "http://no-such-host.invalid:7997/v1", timeout: 10)
        XCTAssertEqual(message, "cannot connect to the embedding server at no-such-host.invalid:7997: host not found")
    }

    func testSilentServerTimesOutWithTheTimeout() throws {
        let server = try ScriptedHTTPServer { _ in nil }
        let started = Date()
        let message = connectError(url: "http://127.0.0.1:\(server.port)/v1", timeout: 1)
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertEqual(message, "embedding server at 127.0.0.1:\(server.port) did not answer within 1 s (timed out)")
        XCTAssertGreaterThanOrEqual(elapsed, 0.9)
        XCTAssertLessThan(elapsed, 8)
    }

    // MARK: - HTTP errors carry the server's message

    func testUnauthorizedSurfacesOpenAIMessageAndSendsTheKey() throws {
        let server = try ScriptedHTTPServer { _ in
            (401, #"{"error": {"message": "Incorrect API key provided: sk-wrong.", "type": "invalid_request_error", "code": "invalid_api_key"}}"#)
        }
        let message = connectError(url: "http://127.0.0.1:\(server.port)/v1", model: "text-embedding-3-small", apiKey: "sk-wrong")
        XCTAssertEqual(message, "embedding server at 127.0.0.1:\(server.port) answered HTTP 401 to POST /v1/embeddings: "
                       + "Incorrect API key provided: sk-wrong. (check VECTUI_EMBED_API_KEY)")

        let request = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(request.method, "POST")
        XCTAssertEqual(request.path, "/v1/embeddings")
        XCTAssertEqual(request.headers["authorization"], "Bearer sk-wrong")
        XCTAssertEqual(request.headers["content-type"], "application/json")
        let body = try XCTUnwrap(JSONSerialization.jsonObject(with: request.body) as? [String: Any])
        XCTAssertEqual(body["model"] as? String, "text-embedding-3-small")
        XCTAssertEqual(body["encoding_format"] as? String, "float")
        XCTAssertEqual((body["input"] as? [String])?.count, 1)
    }

    func testNoKeyMeansNoAuthorizationHeader() throws {
        let server = try ScriptedHTTPServer { _ in (403, "Forbidden\n") }
        let message = connectError(url: "http://127.0.0.1:\(server.port)/v1/embeddings", apiKey: nil)
        XCTAssertEqual(message, "embedding server at 127.0.0.1:\(server.port) answered HTTP 403 to POST /v1/embeddings: "
                       + "Forbidden (no API key was sent: set VECTUI_EMBED_API_KEY)")
        XCTAssertNil(try XCTUnwrap(server.requests.first).headers["authorization"])
    }

    func testFastAPIDetailAndRawBodiesAreOneShortLine() throws {
        let detail = #"{"detail": [{"type": "missing", "loc": ["body", "model"], "msg": "Field required"}, {"loc": ["body", "input", 0], "msg": "too long"}]}"#
        var server = try ScriptedHTTPServer { _ in (422, detail) }
        XCTAssertEqual(connectError(url: "http://127.0.0.1:\(server.port)/v1"),
                       "embedding server at 127.0.0.1:\(server.port) answered HTTP 422 to POST /v1/embeddings: body.model: Field required; body.input.0: too long")

        let html = "<html>\n<body>\n" + String(repeating: "Bad gateway. ", count: 100) + "</body></html>"
        server = try ScriptedHTTPServer { _ in (502, html) }
        let message = try XCTUnwrap(connectError(url: "http://127.0.0.1:\(server.port)/v1"))
        XCTAssertTrue(message.hasPrefix("embedding server at 127.0.0.1:\(server.port) answered HTTP 502 to POST /v1/embeddings: <html> <body> Bad gateway."), message)
        XCTAssertFalse(message.contains("\n"))
        XCTAssertTrue(message.hasSuffix("…"), message)
        XCTAssertLessThan(message.count, 400)
    }

    func testBareHostTriesV1ThenEmbeddingsAndSaysBothWhenNeitherExists() throws {
        let server = try ScriptedHTTPServer { _ in (404, #"{"detail": "Not Found"}"#) }
        XCTAssertEqual(connectError(url: "http://127.0.0.1:\(server.port)"),
                       "embedding server at 127.0.0.1:\(server.port) answered HTTP 404 to POST /v1/embeddings: Not Found; "
                       + "/embeddings also answered 404 (give the endpoint's full URL)")
        XCTAssertEqual(server.requests.map(\.path), ["/v1/embeddings", "/embeddings"])

        // A path the user gave is not second-guessed.
        XCTAssertEqual(connectError(url: "http://127.0.0.1:\(server.port)/v1"),
                       "embedding server at 127.0.0.1:\(server.port) answered HTTP 404 to POST /v1/embeddings: Not Found "
                       + "(no such endpoint: check the URL's path)")
        XCTAssertEqual(server.requests.count, 3)
    }

    // MARK: - Responses that are not what was asked for

    func testMalformedResponsesAreRefused() throws {
        let cases: [(String, String)] = [
            ("not json at all", "sent a response that is not an embeddings list (not JSON): not json at all"),
            (#"{"object": "list"}"#, #"sent a response that is not an embeddings list (no "data" list)"#),
            (#"{"data": [{"embedding": [0.6, 0.8]}, {"embedding": [1, 0]}]}"#, "returned 2 embeddings for 1 text (model m)"),
            (#"{"data": [{"embedding": [0.6, "x"]}]}"#, "data[0].embedding holds x, not a number"),
            (#"{"data": [{"embedding": [true, 0]}]}"#, "data[0].embedding holds true, not a number"),
            (#"{"data": [{"embedding": {"0": 1}}]}"#, "data[0].embedding is not a list of numbers"),
            (#"{"data": [{"embedding": [0.6, 1e39]}]}"#, "returned a number that is not a finite 32-bit float (data[0].embedding[1] = inf, model m)"),
            (#"{"data": [{"embedding": []}]}"#, "returned an empty embedding (model m)"),
            (#"{"data": [{"index": 3, "embedding": [1]}]}"#, "data[0].index 3 is not a distinct index below 1"),
        ]
        for (body, expected) in cases {
            let server = try ScriptedHTTPServer { _ in (200, body) }
            let message = try XCTUnwrap(connectError(url: "http://127.0.0.1:\(server.port)/v1"), body)
            XCTAssertTrue(message.hasPrefix("embedding server at 127.0.0.1:\(server.port) "), message)
            XCTAssertTrue(message.contains(expected), "\(body): \(message)")
        }
    }

    /// Batching, `index` ordering, progress and cancellation, the dimension check across
    /// batches and the empty-text refusal, against scripted replies that echo each request.
    func testBatchesAreOrderedByIndexAndChecked() throws {
        // Each text "tN" comes back as [N, 1], listed in reverse order with its index; the
        // text "wide" comes back one float longer.
        let server = try ScriptedHTTPServer { request in
            guard let body = try? JSONSerialization.jsonObject(with: request.body) as? [String: Any],
                  let input = body["input"] as? [String] else { return (400, #"{"error": {"message": "no input"}}"#) }
            let items = input.enumerated().reversed().map { index, text -> String in
                let vector = text == "wide" ? "[1, 2, 3]" : "[\(Int(text.dropFirst()) ?? -1), 1]"
                return #"{"object": "embedding", "index": \#(index), "embedding": \#(vector)}"#
            }
            return (200, #"{"object": "list", "data": [\#(items.joined(separator: ", "))]}"#)
        }
        let client = try EmbeddingServerClient.connect(url: "http://127.0.0.1:\(server.port)/v1", model: "m",
                                                       apiKey: nil, timeout: 5, batchSize: 2)
        XCTAssertEqual(client.dimension, 2)
        XCTAssertFalse(client.normalizes, "[-1, 1] has norm √2")
        XCTAssertEqual(client.name, "http://127.0.0.1:\(server.port)/v1 (m)")
        XCTAssertEqual(client.endpoint.path, "/v1/embeddings")

        var reported: [Int] = []
        let vectors = try client.embed((1...5).map { "t\($0)" }, progress: { reported.append($0); return true })
        XCTAssertEqual(vectors, [1, 1, 2, 1, 3, 1, 4, 1, 5, 1])
        XCTAssertEqual(reported, [2, 4, 5])
        XCTAssertEqual(server.requests.count, 1 + 3)

        XCTAssertThrowsError(try client.embed((1...5).map { "t\($0)" }, progress: { _ in false })) { error in
            XCTAssertEqual(error as? EmbeddingError, .cancelled)
        }
        XCTAssertEqual(server.requests.count, 1 + 3 + 1, "cancelled after the first batch")

        XCTAssertThrowsError(try client.embed(["t1", "t2", "wide"], progress: nil)) { error in
            XCTAssertEqual("\(error)", "embedding server at 127.0.0.1:\(server.port) returned a vector of 3 floats for texts 3–3, after 2 earlier (model m)")
        }

        let sent = server.requests.count
        XCTAssertThrowsError(try client.embed(["t1", "", "t3"], progress: nil)) { error in
            XCTAssertEqual("\(error)", "cannot embed an empty text (text 2 of 3)")
        }
        XCTAssertThrowsError(try client.embed(["t1", "t2", " \t"], progress: nil)) { error in
            XCTAssertEqual("\(error)", "cannot embed an empty text (text 3 of 3)")
        }
        XCTAssertEqual(server.requests.count, sent, "nothing is sent when a text is empty")
    }

    // MARK: - Helpers

    /// `connect`'s error message, or nil (with a failure) when it connected.
    private func connectError(url: String, model: String = "m", apiKey: String? = nil, timeout: TimeInterval = 5,
                              file: StaticString = #filePath, line: UInt = #line) -> String? {
        do {
            let client = try EmbeddingServerClient.connect(url: url, model: model, apiKey: apiKey, timeout: timeout)
            XCTFail("connected to \(url) (dimension \(client.dimension)) where an error was expected", file: file, line: line)
            return nil
        } catch {
            XCTAssertTrue(error is EmbeddingError, "\(type(of: error)): \(error)", file: file, line: line)
            return "\(error)"
        }
    }

    /// A loopback port that nothing listens on: bound by the kernel's choice, then closed.
    static func closedPort() throws -> UInt16 {
        let socket = try ScriptedHTTPServer.boundSocket()
        defer { close(socket.fd) }
        return socket.port
    }
}

/// One HTTP request as the listener read it.
struct RecordedRequest {
    var method: String
    var path: String
    /// Header names lowercased.
    var headers: [String: String]
    var body: Data
}

/// A loopback HTTP/1.1 listener for the tests above: every request is read in full, recorded,
/// and answered with `reply(request)` — a status and a JSON or text body — then the connection
/// is closed. A nil reply holds the connection open without answering until the listener is
/// released (for the timeout test).
// @unchecked: `recorded`, `held` and `closed` are used only under `lock`; the rest are constants.
final class ScriptedHTTPServer: @unchecked Sendable {
    let port: UInt16
    private let fd: Int32
    private let reply: @Sendable (RecordedRequest) -> (Int, String)?
    private let lock = NSLock()
    private var recorded: [RecordedRequest] = []
    private var held: [Int32] = []
    private var closed = false

    var requests: [RecordedRequest] { lock.withLock { recorded } }

    init(reply: @escaping @Sendable (RecordedRequest) -> (Int, String)?) throws {
        let socket = try Self.boundSocket()
        fd = socket.fd
        port = socket.port
        self.reply = reply
        guard listen(fd, 16) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    deinit {
        lock.withLock {
            closed = true
            for connection in held { close(connection) }
        }
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }

    static func boundSocket() throws -> (fd: Int32, port: UInt16) {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw -> Bool in
                bind(fd, raw, length) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        guard bound else { close(fd); throw POSIXError(.EADDRNOTAVAIL) }
        return (fd, UInt16(bigEndian: address.sin_port))
    }

    private func acceptLoop() {
        while true {
            let connection = accept(fd, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                return
            }
            Thread { [self] in serve(connection) }.start()
        }
    }

    private func serve(_ connection: Int32) {
        guard let request = read(connection) else { close(connection); return }
        lock.withLock { recorded.append(request) }
        guard let (status, body) = reply(request) else {
            let keep = lock.withLock { () -> Bool in
                if closed { return false }
                held.append(connection)
                return true
            }
            if !keep { close(connection) }
            return
        }
        let payload = Data(body.utf8)
        let type = body.hasPrefix("{") ? "application/json" : "text/plain"
        var response = Data("HTTP/1.1 \(status) Scripted\r\nContent-Type: \(type)\r\nContent-Length: \(payload.count)\r\nConnection: close\r\n\r\n".utf8)
        response.append(payload)
        response.withUnsafeBytes { buffer in
            var sent = 0
            while sent < buffer.count {
                let n = send(connection, buffer.baseAddress! + sent, buffer.count - sent, Int32(MSG_NOSIGNAL))
                if n <= 0 { break }
                sent += n
            }
        }
        close(connection)
    }

    /// Reads the request line, headers and a Content-Length body (chunked bodies are not sent
    /// by URLSession for a Data body).
    private func read(_ connection: Int32) -> RecordedRequest? {
        var data = Data()
        var chunk = [UInt8](repeating: 0, count: 65536)
        let separator = Data("\r\n\r\n".utf8)
        var headerEnd: Range<Data.Index>?
        var expected = 0
        while true {
            if headerEnd == nil, let range = data.range(of: separator) {
                headerEnd = range
                let head = String(decoding: data[..<range.lowerBound], as: UTF8.self)
                for line in head.split(separator: "\r\n").dropFirst() {
                    let parts = line.split(separator: ":", maxSplits: 1)
                    if parts.count == 2, parts[0].lowercased() == "content-length" {
                        expected = Int(parts[1].trimmingCharacters(in: .whitespaces)) ?? 0
                    }
                }
            }
            if let headerEnd, data.count - headerEnd.upperBound >= expected { break }
            let n = recv(connection, &chunk, chunk.count, 0)
            if n <= 0 { return nil }
            data.append(contentsOf: chunk[0..<n])
        }
        guard let headerEnd else { return nil }
        let head = String(decoding: data[..<headerEnd.lowerBound], as: UTF8.self)
        let lines = head.split(separator: "\r\n")
        let requestLine = lines.first?.split(separator: " ") ?? []
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2 { headers[parts[0].lowercased()] = parts[1].trimmingCharacters(in: .whitespaces) }
        }
        return RecordedRequest(method: requestLine.first.map(String.init) ?? "",
                               path: requestLine.count > 1 ? String(requestLine[1]) : "",
                               headers: headers,
                               body: Data(data[headerEnd.upperBound...]))
    }
}
