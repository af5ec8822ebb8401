/// A factory string VecTUI cannot build, naming the part that is wrong.
public struct IndexFactoryError: Error, Equatable, CustomStringConvertible {
    /// The whole description given.
    public let factory: String
    /// The component that could not be used.
    public let part: String
    /// Why.
    public let reason: String

    public var description: String {
        "index factory string '\(factory)': '\(part)' \(reason). Supported: \(IndexFactory.supportedForms)"
    }
}

/// Builds empty indexes from FAISS factory strings (`faiss.index_factory`'s syntax, the subset
/// VecTUI implements): `Flat`, `IDMap,…`/`IDMap2,…` (or a trailing `,IDMap`), `IVF{n},Flat`,
/// `IVF{n},SQ8|SQ4|SQ6|SQfp16|SQbf16|SQ8_direct|SQ8_direct_signed`, `IVF{n},PQ{m}[x{nbits}][np]`,
/// the same `SQ…` and `PQ{m}[x{nbits}][np]` alone, and `HNSW{M}[,Flat]`; any of these followed by
/// `,RFlat` or `,Refine(X)` (X one of the single-part forms) for re-ranking. VecTUI never runs
/// FAISS's polysemous training (which only renumbers centroids), so `np` changes nothing.
public enum IndexFactory {
    /// The forms accepted, for messages.
    public static let supportedForms = "Flat, IDMap,…, IDMap2,…, IVF{n},Flat, IVF{n},SQ8|SQ4|SQ6|SQfp16|SQbf16|SQ8_direct|SQ8_direct_signed, IVF{n},PQ{m}[x{nbits}], SQ…, PQ{m}[x{nbits}], HNSW{M}[,Flat], and …,RFlat or …,Refine(X) after any of them"

    static let scalarQuantizerTypes: [String: ScalarQuantizer.QuantizerType] = [
        "SQ8": .int8, "SQ4": .int4, "SQ6": .int6, "SQfp16": .fp16, "SQbf16": .bf16,
        "SQ8_direct": .int8Direct, "SQ8_direct_signed": .int8DirectSigned,
    ]

    /// The largest HNSW M a factory string may ask for (FAISS's usual values are 4…64).
    public static let maximumHNSWNeighbors = 1024

    /// A new, empty index for `description`.
    /// - Parameter vectorCount: the vectors it will be built from, when known: `IVF{n}` with more
    ///   lists than that is refused before the lists are allocated (k-means needs a vector per list).
    /// - Throws: `IndexFactoryError` naming the unsupported or invalid part.
    public static func make(_ description: String, dimension: Int, metric: Metric,
                            vectorCount: Int? = nil) throws -> any VectorIndex {
        var parts = description.split(separator: ",", omittingEmptySubsequences: false)
            .map { String($0).trimmingSpaces() }
        func fail(_ part: String, _ reason: String) -> IndexFactoryError {
            IndexFactoryError(factory: description, part: part, reason: reason)
        }
        guard dimension >= 1 else { throw fail(description, "needs a dimension of at least 1 (got \(dimension))") }
        if let empty = parts.firstIndex(of: "") {
            throw fail(parts.count == 1 ? "" : "(empty part \(empty + 1))", "is empty")
        }
        // IDMap / IDMap2 wrap what follows (FAISS also accepts them last).
        var wrapper: IDMapIndex.Kind?
        for (position, name) in [(0, parts.first), (parts.count - 1, parts.last)] {
            guard let name, name == "IDMap" || name == "IDMap2", wrapper == nil else { continue }
            wrapper = name == "IDMap" ? .idMap : .idMap2
            parts.remove(at: position)
        }
        if let misplaced = parts.first(where: { $0 == "IDMap" || $0 == "IDMap2" }) {
            throw fail(misplaced, "may come only first or last, once")
        }
        guard !parts.isEmpty else { throw fail(description, "has nothing for the IDMap to wrap") }
        let inner = try makeInner(parts, dimension: dimension, metric: metric, vectorCount: vectorCount, fail: fail)
        if let wrapper { return try IDMapIndex(kind: wrapper, inner: inner, ids: []) }
        return inner
    }

    private static func makeInner(_ parts: [String], dimension d: Int, metric: Metric, vectorCount: Int?,
                                  fail: (String, String) -> IndexFactoryError) throws -> any VectorIndex {
        // `…,RFlat` and `…,Refine(…)` re-rank what the index before them finds.
        if parts.count >= 2, let last = parts.last, last == "RFlat" || (last.hasPrefix("Refine(") && last.hasSuffix(")")) {
            let base = try makeInner(Array(parts.dropLast()), dimension: d, metric: metric, vectorCount: vectorCount, fail: fail)
            let refine: any VectorIndex
            if last == "RFlat" {
                refine = FlatIndex(dimension: d, metric: metric)
            } else {
                let inside = String(last.dropFirst("Refine(".count).dropLast())
                guard !inside.isEmpty else { throw fail(last, "needs an index inside, as in Refine(Flat) or Refine(SQfp16)") }
                refine = try makeInner([inside], dimension: d, metric: metric, vectorCount: vectorCount, fail: fail)
                guard !(refine is RefineIndex) else { throw fail(last, "cannot refine a refinement") }
            }
            return try RefineIndex(base: base, refine: refine)
        }
        if let misplaced = parts.dropLast().first(where: { $0 == "RFlat" || $0.hasPrefix("Refine(") }) {
            throw fail(misplaced, "may come only last")
        }
        let first = parts[0]
        if first == "Flat" {
            guard parts.count == 1 else { throw fail(parts[1], "cannot follow Flat") }
            return FlatIndex(dimension: d, metric: metric)
        }
        if let nlistText = first.strippingPrefix("IVF") {
            guard let nlist = Int(nlistText), nlist >= 1 else {
                if nlistText.contains("_") {
                    throw fail(first, "is not supported: only a flat coarse quantizer (IVF{n}) is built")
                }
                throw fail(first, "needs a list count, as in IVF1024")
            }
            guard parts.count == 2 else {
                throw fail(parts.count == 1 ? first : parts[2], parts.count == 1 ? "needs an encoding after it (Flat, SQ8, PQ{m}, …)" : "is one part too many")
            }
            let code = parts[1]
            let encoding: IVFIndex.Encoding
            if code == "Flat" {
                encoding = .flat
            } else if let type = scalarQuantizerTypes[code] {
                encoding = .scalarQuantizer(ScalarQuantizer(type: type, dimension: d))
            } else if let (m, nbits) = try parsePQ(code, dimension: d, vectorCount: vectorCount, fail: fail) {
                encoding = .productQuantizer(ProductQuantizer(dimension: d, m: m, nbits: nbits))
            } else {
                throw fail(code, "is not a supported IVF encoding (Flat, SQ8, SQ4, SQ6, SQfp16, SQbf16, SQ8_direct, SQ8_direct_signed, PQ{m}[x{nbits}])")
            }
            if let vectorCount, nlist > vectorCount {
                throw fail(first, "asks for \(nlist) lists, more than the \(vectorCount) vectors to train them on")
            }
            return IVFIndex(dimension: d, metric: metric, nlist: nlist, encoding: encoding)
        }
        if let type = scalarQuantizerTypes[first] {
            guard parts.count == 1 else { throw fail(parts[1], "cannot follow \(first)") }
            return ScalarQuantizerIndex(dimension: d, metric: metric, type: type)
        }
        if let (m, nbits) = try parsePQ(first, dimension: d, vectorCount: vectorCount, fail: fail) {
            guard parts.count == 1 else { throw fail(parts[1], "cannot follow \(first)") }
            return PQIndex(dimension: d, metric: metric, m: m, nbits: nbits)
        }
        if let mText = first.strippingPrefix("HNSW") {
            guard let m = Int(mText), m >= 2 else { throw fail(first, "needs a neighbour count of at least 2, as in HNSW32") }
            // FAISS's level tables count slots in 32-bit ints; past this the graph is all links.
            guard m <= maximumHNSWNeighbors else { throw fail(first, "asks for \(m) links per node; at most \(maximumHNSWNeighbors) are supported") }
            guard parts.count == 1 || (parts.count == 2 && parts[1] == "Flat") else {
                throw fail(parts[1], "is not supported after HNSW (only Flat storage)")
            }
            return HNSWIndex(dimension: d, metric: metric, m: m)
        }
        throw fail(first, "is not a supported index type")
    }

    /// `PQ{m}` or `PQ{m}x{nbits}`, optionally with FAISS's `np` suffix (no polysemous training,
    /// which VecTUI never does) → (m, nbits); nil when the part is not PQ at all.
    private static func parsePQ(_ part: String, dimension d: Int, vectorCount: Int?,
                                fail: (String, String) -> IndexFactoryError) throws -> (Int, Int)? {
        guard var rest = part.strippingPrefix("PQ"), let firstCharacter = rest.first, firstCharacter.isNumber else { return nil }
        if rest.hasSuffix("np") { rest.removeLast(2) }
        let pieces = rest.split(separator: "x", omittingEmptySubsequences: false)
        guard pieces.count <= 2, let m = Int(pieces[0]), m >= 1 else {
            throw fail(part, "is not of the form PQ{m} or PQ{m}x{nbits}")
        }
        var nbits = 8
        if pieces.count == 2 {
            guard let bits = Int(pieces[1]) else { throw fail(part, "is not of the form PQ{m}x{nbits}") }
            nbits = bits
        }
        if let problem = ProductQuantizer.validate(dimension: d, m: m, nbits: nbits) { throw fail(part, "is invalid: \(problem)") }
        if let vectorCount, 1 << nbits > vectorCount {
            throw fail(part, "needs at least \(1 << nbits) training vectors (2^\(nbits) centroids per sub-quantizer), more than the \(vectorCount) there are")
        }
        return (m, nbits)
    }
}

extension String {
    /// The rest of the string after `prefix`, or nil when it does not start with it.
    func strippingPrefix(_ prefix: String) -> String? {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : nil
    }

    /// The string without leading and trailing spaces.
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
