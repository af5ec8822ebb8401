import ArgumentParser
import Core

/// Search-time parameters of approximate indexes (`--nprobe` for IVF, `--ef-search` for HNSW), for the opened index or
/// the index inside its IDMap; an option that does not fit the index is refused. They travel with each search
/// (`SearchParameters`); the index keeps the values saved in its file.
struct SearchTuningOptions: ParsableArguments {
    @Option(help: "IVF only: inverted lists scanned per query (default: the nprobe saved in the file).") var nprobe: Int?
    @Option(name: .customLong("ef-search"), help: "HNSW only: candidate list size at search time (default: the efSearch saved in the file; at least k is used).")
    var efSearch: Int?

    /// The requested parameters, checked against `index`; `path` names it in errors.
    /// - Throws: `UsageError` when a parameter does not fit the index or is below 1.
    func parameters(for index: any VectorIndex, path: String) throws -> SearchParameters {
        try SearchParameters.checked(nprobe: nprobe, efSearch: efSearch, for: index, path: path)
    }
}
