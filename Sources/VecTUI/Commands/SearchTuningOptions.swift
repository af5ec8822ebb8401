import ArgumentParser
import Core

/// Search-time parameters of approximate indexes (`--nprobe` for IVF, `--ef-search` for HNSW), applied to the opened
/// index or the index inside its IDMap; an option that does not fit the index is refused.
struct SearchTuningOptions: ParsableArguments {
    @Option(help: "IVF only: inverted lists scanned per query (default: the nprobe saved in the file).") var nprobe: Int?
    @Option(name: .customLong("ef-search"), help: "HNSW only: candidate list size at search time (default: the efSearch saved in the file; at least k is used).")
    var efSearch: Int?

    /// Sets the requested parameters on `index` (before any placement); `path` names it in errors.
    func apply(to index: any VectorIndex, path: String) throws {
        try Self.apply(nprobe: nprobe, efSearch: efSearch, to: index, path: path)
    }

    /// Sets `nprobe` (IVF) and `efSearch` (HNSW), when given, on `index` or the index inside its IDMap.
    /// - Throws: `UsageError` when a parameter does not fit the index or is below 1.
    static func apply(nprobe: Int?, efSearch: Int?, to index: any VectorIndex, path: String) throws {
        let core = (index as? IDMapIndex)?.inner ?? index
        if let nprobe {
            guard let ivf = core as? IVFIndex else {
                throw UsageError(description: "--nprobe applies to IVF indexes, and \(path) is \(core.faissClassName)")
            }
            guard nprobe >= 1 else { throw UsageError(description: "--nprobe must be at least 1 (got \(nprobe)) for \(path)") }
            ivf.nprobe = nprobe
        }
        if let efSearch {
            guard let hnsw = core as? HNSWIndex else {
                throw UsageError(description: "--ef-search applies to HNSW indexes, and \(path) is \(core.faissClassName)")
            }
            guard efSearch >= 1 else { throw UsageError(description: "--ef-search must be at least 1 (got \(efSearch))") }
            hnsw.efSearch = efSearch
        }
    }
}
