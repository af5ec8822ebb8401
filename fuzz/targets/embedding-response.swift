// fuzz-modules: Core Encoder
// fuzz-max-len: 4096
@testable import Encoder
import Foundation

/// libFuzzer target: any bytes as an embedding server's answer: the body of a 2xx response
/// (an OpenAI-style embeddings list, for 1 and for 2 texts) and of an error response (the
/// server's own message, cut to one line).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEmbeddingResponse(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let body = FuzzInput.data(data, size)
    for expected in [1, 2] {
        if let vectors = try? EmbeddingServerClient.parseEmbeddings(body, expected: expected, server: "fuzz:1", model: "m") {
            precondition(vectors.count == expected && vectors.allSatisfy { $0.allSatisfy(\.isFinite) })
        }
    }
    if let message = EmbeddingServerClient.serverMessage(body) { precondition(!message.contains("\n")) }
    return 0
}
