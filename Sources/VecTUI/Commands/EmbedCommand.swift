import ArgumentParser
import Core
import Encoder
import Foundation

/// `vectui embed --model M (--text T | --texts FILE)`: vectors for texts, from the built-in
/// encoder or an embedding server; `--bench` measures single-query latency and batch throughput.
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed", abstract: "Embed texts with a sentence-transformers model or an embedding server.")

    @OptionGroup var embedder: EmbedderOptions
    @Option(help: "One text.") var text: String?
    @Option(help: "A UTF-8 file of texts, one a line.") var texts: String?
    @Flag(help: "Print one JSON object {\"model\", \"dimension\", \"embeddings\": [[…]]} (or the --bench figures).") var json = false
    @Flag(help: "Measure: each text alone as a query (p50/p99), then all texts in batches (texts/s).") var bench = false
    @Option(name: .customLong("batch-size"), help: "Texts per batch for --bench.") var batchSize = 32
    @Option(help: "--bench: passes over the texts for each measurement.") var rounds = 3

    func run() throws {
        try reportingErrors("embedding text") {
            let inputs = try readTexts(text: text, file: texts)
            let model = try embedder.load()
            if bench {
                try runBench(model, inputs)
                return
            }
            let start = monotonicSeconds()
            let vectors = try model.embedQueries(inputs)
            let seconds = monotonicSeconds() - start
            let d = model.dimension
            if json {
                let rows = (0..<inputs.count).map { i in JSONValue.array(vectors[i * d..<(i + 1) * d].map { .float($0) }) }
                print(JSONValue.object([("model", .string(model.name)), ("dimension", .int(Int64(d))),
                                        ("embeddings", .array(rows))]).text)
            } else {
                for i in 0..<inputs.count {
                    let head = vectors[i * d..<min((i + 1) * d, i * d + 4)].map { String(format: "%.4f", $0) }.joined(separator: " ")
                    print("\(i)  [\(head) …]  \(inputs[i])")
                }
            }
            printToStderr(String(format: "%d texts, %d dimensions, %.1f ms (%@)", inputs.count, d, seconds * 1000, model.name))
        }
    }

    private func runBench(_ model: any TextEmbedder, _ inputs: [String]) throws {
        guard batchSize >= 1, rounds >= 1 else { throw UsageError(description: "--batch-size and --rounds must be at least 1") }
        _ = try model.embedQueries([inputs[0]])   // warm: pages mapped, BLAS loaded
        var single = [Double]()
        for _ in 0..<rounds {
            for input in inputs {
                let start = monotonicSeconds()
                _ = try model.embedQueries([input])
                single.append(monotonicSeconds() - start)
            }
        }
        single.sort()
        func percentile(_ p: Double) -> Double { Core.percentile(p, ofSorted: single) }
        var batchSeconds = [Double]()
        for _ in 0..<rounds {
            let start = monotonicSeconds()
            for first in stride(from: 0, to: inputs.count, by: batchSize) {
                _ = try model.embed(Array(inputs[first..<min(inputs.count, first + batchSize)]), progress: nil)
            }
            batchSeconds.append(monotonicSeconds() - start)
        }
        batchSeconds.sort()
        let throughput = Double(inputs.count) / batchSeconds[batchSeconds.count / 2]
        if json {
            print(JSONValue.object([
                ("model", .string(model.name)), ("texts", .int(Int64(inputs.count))), ("rounds", .int(Int64(rounds))),
                ("single", .object([("p50_ms", .double(percentile(0.5) * 1000)), ("p99_ms", .double(percentile(0.99) * 1000))])),
                ("batch", .object([("texts_per_s", .double(throughput)), ("batch_size", .int(Int64(batchSize)))])),
            ]).text)
        } else {
            print(String(format: "single  %d embeds: p50 %.2f ms, p99 %.2f ms", single.count, percentile(0.5) * 1000, percentile(0.99) * 1000))
            print(String(format: "batch   %d texts in batches of %d: %.1f texts/s", inputs.count, batchSize, throughput))
        }
    }
}

/// `vectui tokenize --model M (--text T | --texts FILE)`: the token ids the encoder feeds the
/// model ([CLS] … [SEP], truncated to max_seq_length), as Hugging Face's tokenizer gives them.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize", abstract: "Show the WordPiece token ids (and pieces) of texts for a model.")

    @Option(help: "A sentence-transformers BERT model folder or name.") var model: String
    @Option(help: "One text.") var text: String?
    @Option(help: "A UTF-8 file of texts, one a line.") var texts: String?
    @Flag(help: "Print one JSON object {\"ids\": [[…]]}.") var json = false

    func run() throws {
        try reportingErrors("tokenizing text") {
            let inputs = try readTexts(text: text, file: texts)
            let folder = try ModelFolder(path: ModelLocator.locate(model))
            let ids = inputs.map { folder.tokenizer.encode($0) }
            if json {
                print(JSONValue.object([("ids", .array(ids.map { .array($0.map { .int(Int64($0)) }) }))]).text)
            } else {
                let names = folder.tokenizer.tokenNames()
                for (input, row) in zip(inputs, ids) {
                    let pieces = row.dropFirst().dropLast().map { names[$0] ?? "?" }
                    print("\(input)\n  \(row.map(String.init).joined(separator: " "))\n  \(pieces.joined(separator: " "))")
                }
            }
        }
    }
}
