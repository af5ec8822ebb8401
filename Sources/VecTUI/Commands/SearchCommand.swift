import ArgumentParser
import Core
import Encoder

/// `vectui search INDEX --queries FILE -k K`: the k nearest neighbours of each query vector;
/// or of texts (`--text`/`--texts`) embedded with `--model` or `--embed-url`. With `--meta`
/// results carry their products; `--filter`, `--ids` and `--id-range` restrict them (the k
/// best that pass).
struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search", abstract: "Find the k best matches of each query vector.")

    @Argument(help: "A FAISS index file.") var index: String
    @Option(help: "Queries: .npy (2-D float32/float16/float64) or .fvecs.") var queries: String?
    @Option(help: "A text query (needs --model or --embed-url).") var text: String?
    @Option(help: "A UTF-8 file of text queries, one a line (needs --model or --embed-url).") var texts: String?
    @OptionGroup var embedder: EmbedderOptions
    @Option(name: .short, help: "Results per query.") var k: Int = 10
    @Flag(help: "Print one JSON object {\"ids\": [[…]], \"scores\": [[…]]} (and \"items\" with --meta).") var json = false
    @OptionGroup var placement: PlacementOptions
    @OptionGroup var tuning: SearchTuningOptions
    @OptionGroup(title: "Products and restrictions") var restrictions: SearchFilterOptions

    func run() throws {
        try reportingErrors("searching \(index)") {
            guard k >= 1 else { throw UsageError(description: "-k must be at least 1 (got \(k))") }
            let opened = try OpenedIndex(path: index)
            var parameters = try tuning.parameters(for: opened.index, path: opened.path)
            let catalog = try restrictions.catalog(for: opened.index)
            parameters.selector = try restrictions.selector(catalog: catalog)
            let batch = try queryVectors(for: opened)
            let index = try placement.place(opened.index)
            let start = monotonicSeconds()
            let result = try index.search(batch, k: k, parameters: parameters)
            let seconds = monotonicSeconds() - start
            try MappedFile.checkAllUnchanged()  // never print neighbours read from a file mid-rewrite
            if json {
                var output = searchResultJSON(result)
                if let catalog, case let .object(members) = output {
                    output = .object(members + [("items", searchItemsJSON(result, catalog: catalog))])
                }
                print(output.text)
                return
            }
            for q in 0..<result.queryCount {
                print("query \(q)")
                for (rank, (id, score)) in zip(result.ids(ofQuery: q), result.scores(ofQuery: q)).enumerated() where id != SearchResult.paddingID {
                    let title = catalog.map { "  \($0.product(id: id)?.title ?? "(not in the catalog)")" } ?? ""
                    print("  \(String(rank + 1).leftPadded(to: 4, with: " "))  id \(String(id).leftPadded(to: 12, with: " "))  score \(score)\(title)")
                }
            }
            let only = parameters.selector.map { "; only \($0)" } ?? ""
            printToStderr(String(format: "%d queries, k = %d, %.3f ms (%@%@)", batch.rows, k, seconds * 1000, VecTUI.placement(of: index), only))
        }
    }

    /// The query vectors: read from --queries, or the texts embedded (dimension checked first).
    private func queryVectors(for opened: OpenedIndex) throws -> VectorMatrix {
        if let queries {
            guard text == nil && texts == nil else { throw UsageError(description: "give --queries or --text/--texts, not both") }
            return try loadQueries(path: queries, for: opened)
        }
        guard text != nil || texts != nil else { throw UsageError(description: "give --queries FILE, or --text/--texts with --model or --embed-url") }
        let inputs = try readTexts(text: text, file: texts)
        let model = try embedder.load()
        if let warning = try checkEmbedder(model, fits: opened.index, path: opened.path) { printToStderr(warning) }
        let start = monotonicSeconds()
        let vectors = try model.embedQueries(inputs)
        printToStderr(String(format: "embedded %d texts in %.3f ms (%@)", inputs.count, (monotonicSeconds() - start) * 1000, model.name))
        return VectorMatrix(rows: inputs.count, dimension: model.dimension, values: vectors)
    }
}

/// `{"ids": [[…]…], "scores": [[…]…]}`: one row per query; empty slots as id −1 and score null.
func searchResultJSON(_ result: SearchResult) -> JSONValue {
    var idRows = [JSONValue](), scoreRows = [JSONValue]()
    for q in 0..<result.queryCount {
        idRows.append(.array(result.ids(ofQuery: q).map { .int($0) }))
        scoreRows.append(.array(zip(result.ids(ofQuery: q), result.scores(ofQuery: q)).map { id, score in
            id == SearchResult.paddingID && abs(score) == Float.greatestFiniteMagnitude ? .null : .float(score)
        }))
    }
    return .object([("ids", .array(idRows)), ("scores", .array(scoreRows))])
}
