import ArgumentParser
import Core

/// `vectui build --vectors FILE [--ids FILE] --metric ip|l2 --out INDEX`: a flat index file.
struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build", abstract: "Build a flat index (IDMap,Flat when ids are given) and save it.")

    @Option(help: "Vectors: .npy (2-D float32/float16/float64) or .fvecs.") var vectors: String
    @Option(help: "Ids: a 1-D int64 .npy file, one id per vector.") var ids: String?
    @Flag(help: "With --ids, build an IndexIDMap2 (lookup by id) instead of an IndexIDMap.") var idmap2 = false
    @Option(help: "ip (inner product) or l2 (squared Euclidean).") var metric: String
    @Option(help: "Where to write the FAISS index file.") var out: String

    func run() throws {
        try reportingErrors("building \(out) from \(vectors)") {
            guard let metric = Metric(name: metric) else {
                throw UsageError(description: "--metric must be ip or l2 (got '\(self.metric)')")
            }
            let start = monotonicSeconds()
            let storage = try VectorFile.readStorage(path: vectors)
            let flat = FlatIndex(metric: metric, storage: storage)
            let index: any VectorIndex
            if let ids {
                let idValues = try VectorFile.readIDs(path: ids)
                guard idValues.count == flat.count else {
                    throw InputMismatchError(description: "\(ids): \(idValues.count) ids for the \(flat.count) vectors in \(vectors)")
                }
                index = try IDMapIndex(kind: idmap2 ? .idMap2 : .idMap, inner: flat, ids: idValues)
            } else {
                guard !idmap2 else { throw UsageError(description: "--idmap2 needs --ids") }
                index = flat
            }
            try FaissIndexFile.write(index, to: out)
            printToStderr(String(format: "wrote %@ (%d × %d, %@) to %@ in %.2f s", index.faissClassName, index.count,
                                 index.dimension, metric.description, out, monotonicSeconds() - start))
        }
    }
}

/// `vectui save INDEX [--device …] --out FILE`: place an index, then save it from there
/// (byte-identical to FAISS's own write for fp32; fp16 placements save their values widened).
struct SaveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "save", abstract: "Place an index (--device) and save it from there, atomically, in FAISS's format.")

    @Argument(help: "A FAISS index file.") var index: String
    @Option(help: "Where to write the FAISS index file.") var out: String
    @OptionGroup var placement: PlacementOptions

    func run() throws {
        try reportingErrors("saving \(index) to \(out)") {
            let opened = try OpenedIndex(path: index)
            let placed = try placement.place(opened.index)
            let start = monotonicSeconds()
            try FaissIndexFile.write(placed, to: out)
            printToStderr(String(format: "saved %@ from %@ to %@ in %.2f s", placed.faissClassName, VecTUI.placement(of: placed), out,
                                 monotonicSeconds() - start))
        }
    }
}
