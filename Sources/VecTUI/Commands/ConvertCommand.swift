import ArgumentParser
import Core
import Foundation

/// `vectui convert INDEX --to FACTORY --out FILE`: builds an IVF, SQ, PQ or HNSW index from a
/// flat one and reports what it costs (build time, memory) and what it loses (recall).
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Build a compressed or graph index (a FAISS factory string) from a flat index and measure it.",
        discussion: """
        Trains on a seeded sample of the source's vectors, adds every vector (keeping the source's ids), \
        saves atomically, then searches --query-count vectors sampled from the source (they stay in both \
        indexes) with k = 10 in the new index and exactly in the source: recall@1 is how often the exact \
        best match comes first, recall@10 the mean share of the exact top 10 found in the top 10.
        Factory strings: \(IndexFactory.supportedForms).
        """)

    @Argument(help: "A flat FAISS index (IndexFlat, or an IDMap over one).") var index: String
    @Option(help: "The new index, as a FAISS factory string (e.g. IVF1024,PQ32, IVF4096,SQ8, HNSW32).") var to: String
    @Option(help: "Where to write the new FAISS index file.") var out: String
    @Option(help: "Vectors sampled for training (default: min(count, max(100000, 256 × nlist))).") var trainSize: Int?
    @Option(help: "Vectors sampled from the source as recall queries.") var queryCount: Int = 1000
    @Option(help: "nprobe of an IVF result (saved in the file and used for the recall measurement).") var nprobe: Int?
    @Option(help: "Seed of the training and query samples.") var seed: UInt64 = 1234
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        try reportingErrors("converting \(index)") {
            if let trainSize, trainSize < 1 { throw UsageError(description: "--train-size must be at least 1 (got \(trainSize))") }
            guard queryCount >= 0 else { throw UsageError(description: "--query-count cannot be negative") }
            let opened = try OpenedIndex(path: index)
            var options = IndexConversion.Options(factory: to)
            options.trainSize = trainSize
            options.queryCount = queryCount
            options.nprobe = nprobe
            options.seed = seed
            let job = IndexConversion(options: options)
            let prediction = try job.predict(count: opened.index.count, dimension: opened.index.dimension,
                                             metric: opened.index.metric, sourceIDMap: (opened.index as? IDMapIndex)?.kind)
            let start = monotonicSeconds()
            let reporter = ProgressLine(enabled: !json && isatty(2) != 0)
            let (_, report) = try job.run(source: opened.index, writingTo: out) { phase, done, total in
                reporter.show(phase.rawValue, done, total)
                return true
            }
            reporter.finish()
            let total = monotonicSeconds() - start
            let sourceBytes = report.sourceMemory.reduce(0) { $0 + $1.bytes }
            let targetBytes = report.targetMemory.reduce(0) { $0 + $1.bytes }
            func components(_ parts: [MemoryComponent]) -> JSONValue {
                .array(parts.map { .object([("component", .string($0.name)), ("bytes", .int(Int64($0.bytes))),
                                             ("memory_mapped", .bool($0.fileBacked))]) })
            }
            if json {
                print(JSONValue.object([
                    ("source", .object([("path", .string(opened.path)), ("type", .string(report.sourceClassName)),
                                        ("ntotal", .int(Int64(report.count))), ("d", .int(Int64(report.dimension))),
                                        ("metric", .string(report.metric.description)), ("file_bytes", .int(Int64(opened.fileBytes))),
                                        ("memory", components(report.sourceMemory)), ("memory_bytes", .int(Int64(sourceBytes)))])),
                    ("target", .object([("path", .string(out)), ("factory", .string(to)), ("type", .string(report.targetClassName)),
                                        ("file_bytes", .int(Int64(report.targetFileBytes))), ("memory", components(report.targetMemory)),
                                        ("memory_bytes", .int(Int64(targetBytes))),
                                        ("predicted_memory", components(prediction.components)),
                                        ("predicted_memory_bytes", .int(Int64(prediction.indexBytes))),
                                        ("predicted_search_cache_bytes", .int(Int64(prediction.searchCaches.reduce(0) { $0 + $1.bytes }))),
                                        ("ids", .string(report.idHandling)),
                                        ("details", .object(report.targetDetails.map { ($0.name, $0.value) }))])),
                    ("build", .object([("train_vectors", .int(Int64(report.trainVectors))), ("train_seconds", .double(report.trainSeconds)),
                                       ("add_seconds", .double(report.addSeconds)), ("save_seconds", .double(report.saveSeconds)),
                                       ("total_seconds", .double(total))])),
                    ("process_anonymous_bytes", .object([("before", .int(Int64(report.processAnonymousBefore))),
                                                         ("after", .int(Int64(report.processAnonymousAfter)))])),
                    ("recall", .object([("queries", .int(Int64(report.queryCount))), ("k", .int(10)),
                                        ("query_source", .string("vectors sampled from the source (seed \(seed + 1)), present in both indexes")),
                                        ("recall_at_1", .double(report.recallAt1)), ("recall_at_10", .double(report.recallAt10)),
                                        ("exact_search_seconds", .double(report.exactSearchSeconds)),
                                        ("search_seconds", .double(report.targetSearchSeconds))])),
                ]).text)
                return
            }
            print("\(opened.path) (\(report.sourceClassName), \(report.count) × \(report.dimension), \(report.metric)) → \(out) (\(report.targetClassName), \(to))")
            print(String(format: "  build     train %.2f s on %d vectors, add %.2f s, save %.2f s (total %.2f s)",
                         report.trainSeconds, report.trainVectors, report.addSeconds, report.saveSeconds, total))
            print("  ids       \(report.idHandling)")
            print("  memory    \(ByteSize.format(sourceBytes)) → \(ByteSize.format(targetBytes)) (predicted \(ByteSize.format(prediction.indexBytes)); file \(ByteSize.format(opened.fileBytes)) → \(ByteSize.format(report.targetFileBytes)))")
            for part in report.sourceMemory { print("    before  \(part.name.padding(toLength: 22, withPad: " ", startingAt: 0)) \(ByteSize.format(part.bytes))\(part.fileBacked ? " memory-mapped" : "")") }
            for part in report.targetMemory { print("    after   \(part.name.padding(toLength: 22, withPad: " ", startingAt: 0)) \(ByteSize.format(part.bytes))\(part.fileBacked ? " memory-mapped" : "")") }
            print(String(format: "  process   anonymous resident memory %@ before, %@ after",
                         ByteSize.format(report.processAnonymousBefore), ByteSize.format(report.processAnonymousAfter)))
            if !report.targetDetails.isEmpty {
                print("  structure " + report.targetDetails.map { detail -> String in
                    if case let .string(raw) = detail.value { return "\(detail.name) \(raw)" }
                    return "\(detail.name) \(detail.value.text)"
                }.joined(separator: ", "))
            }
            print(String(format: "  recall    @1 %.4f, @10 %.4f on %d queries sampled from the source (k = 10; exact search %.3f s, new index %.3f s)",
                         report.recallAt1, report.recallAt10, report.queryCount, report.exactSearchSeconds, report.targetSearchSeconds))
        }
    }
}

/// A one-line progress display on stderr ("training 42%"), redrawn in place.
final class ProgressLine {
    private let enabled: Bool
    private var lastText = ""

    init(enabled: Bool) { self.enabled = enabled }

    func show(_ phase: String, _ done: Int, _ total: Int) {
        guard enabled else { return }
        let percent = total > 0 ? min(100, done * 100 / total) : 100
        let text = "\(phase) \(percent)%"
        guard text != lastText else { return }
        lastText = text
        FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
    }

    func finish() {
        guard enabled, !lastText.isEmpty else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
