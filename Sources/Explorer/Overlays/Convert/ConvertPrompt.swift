import Core
import Foundation
import TUI

/// The convert dialog: the factory string and the file to write, with the memory the result
/// is predicted to need (recomputed on every keystroke; nothing is read or trained).
struct ConvertPrompt: Equatable, Sendable {
    /// The two text fields; Tab moves between them.
    enum Field: Equatable, Sendable { case factory, path }

    /// The FAISS factory string (`IVF1024,PQ32`, `HNSW32`, …).
    var factory: TextInputState
    /// Where the new index is written.
    var path: TextInputState
    /// The field that takes typing.
    var field: Field = .factory
    /// Whether the path was typed by hand (else it follows the factory string).
    var pathEdited = false
    /// The prediction for the current factory string, or why there is none.
    var prediction: Result<IndexConversion.Prediction, PromptProblem>
    /// Set when the path names an existing file: the next Enter overwrites it.
    var confirmingOverwrite = false
    /// Set while the runtime checks whether the path exists.
    var isChecking = false

    /// Why the dialog cannot start a conversion as filled in.
    struct PromptProblem: Error, Equatable, Sendable {
        let description: String
    }

    /// A dialog for `index` proposing `factory`, written next to the index file.
    init(factory: String, index: IndexSummary) {
        self.factory = TextInputState(text: factory)
        path = TextInputState(text: ConvertPrompt.suggestedPath(for: factory, next: index.path))
        prediction = ConvertPrompt.predict(factory, index: index)
    }

    /// Recomputes the prediction and, unless typed by hand, the path, after the factory changed.
    mutating func factoryChanged(index: IndexSummary) {
        prediction = ConvertPrompt.predict(factory.text, index: index)
        if !pathEdited { path = TextInputState(text: ConvertPrompt.suggestedPath(for: factory.text, next: index.path)) }
        confirmingOverwrite = false
        isChecking = false
    }

    /// The prediction of `IndexConversion` for the open index's shape.
    static func predict(_ factory: String, index: IndexSummary) -> Result<IndexConversion.Prediction, PromptProblem> {
        let text = factory.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return .failure(PromptProblem(description: "Type a factory string, e.g. IVF1024,PQ32.")) }
        do {
            let job = IndexConversion(options: IndexConversion.Options(factory: text))
            return .success(try job.predict(count: index.count, dimension: index.dimension, metric: index.metric,
                                            sourceIDMap: index.idMapKind))
        } catch let error as IndexFactoryError {
            // The forms are listed under the fields: name only what is wrong.
            return .failure(PromptProblem(description: "'\(error.part)' \(error.reason)."))
        } catch {
            return .failure(PromptProblem(description: "\(error)"))
        }
    }

    /// "products.ivf1024_pq32.faiss" beside "products.faiss": the factory string, lower-cased,
    /// with anything but letters and digits made `_`.
    static func suggestedPath(for factory: String, next indexPath: String) -> String {
        let slash = indexPath.lastIndex(of: "/")
        let folder = slash.map { String(indexPath[...$0]) } ?? ""
        let name = slash.map { String(indexPath[indexPath.index(after: $0)...]) } ?? indexPath
        let stem = name.lastIndex(of: ".").map { $0 > name.startIndex ? String(name[..<$0]) : name } ?? name
        let tag = String(factory.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
            .split(separator: "_").joined(separator: "_")
        return "\(folder)\(stem).\(tag.isEmpty ? "converted" : tag).faiss"
    }

    /// A factory string to start from: IVF with about 4·√n lists (a power of two) and 8-bit
    /// scalar codes, or plain SQ8 below 10,000 vectors.
    static func defaultFactory(count: Int) -> String {
        guard count >= 10_000 else { return "SQ8" }
        let wanted = 4 * Double(count).squareRoot()
        let nlist = 1 << max(4, Int(log2(wanted).rounded()))
        return "IVF\(nlist),SQ8"
    }
}

/// What a finished conversion measured, as the result dialog shows it.
struct ConversionSummary: Equatable, Sendable {
    /// The job that built it.
    var job: Int
    var factory: String
    var path: String
    /// FAISS class of the result.
    var className: String
    var count: Int
    var trainVectors: Int
    var trainSeconds: Double
    var addSeconds: Double
    var saveSeconds: Double
    /// Host memory of the source and of the result, all components together.
    var sourceBytes: Int
    var targetBytes: Int
    /// What the dialog predicted for the result.
    var predictedBytes: Int
    var fileBytes: Int
    var queryCount: Int
    var recallAt1: Double
    var recallAt10: Double
    /// Seconds for all recall queries: exactly in the source, then in the result.
    var exactSearchSeconds: Double
    var targetSearchSeconds: Double
    /// "nlist 1024 · nprobe 1 · …".
    var structure: String

    /// The summary of `report` for the result written to `path`.
    init(job: Int, factory: String, path: String, report: IndexConversion.Report, predictedBytes: Int) {
        self.job = job
        self.factory = factory
        self.path = path
        className = report.targetClassName
        count = report.count
        trainVectors = report.trainVectors
        trainSeconds = report.trainSeconds
        addSeconds = report.addSeconds
        saveSeconds = report.saveSeconds
        sourceBytes = report.sourceMemory.reduce(0) { $0 + $1.bytes }
        targetBytes = report.targetMemory.reduce(0) { $0 + $1.bytes }
        self.predictedBytes = predictedBytes
        fileBytes = report.targetFileBytes
        queryCount = report.queryCount
        recallAt1 = report.recallAt1
        recallAt10 = report.recallAt10
        exactSearchSeconds = report.exactSearchSeconds
        targetSearchSeconds = report.targetSearchSeconds
        structure = IndexSummary.describe(report.targetDetails)
    }
}
