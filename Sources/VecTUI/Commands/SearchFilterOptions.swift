import ArgumentParser
import Core
import Foundation

/// `search`'s catalog and id restrictions: `--meta` (a product catalog: results get titles and
/// fields), `--filter` (field predicates over it), `--ids` and `--id-range`. Every restriction
/// given must hold (they intersect) and travels with the search as `SearchParameters.selector`,
/// so the k results are the best k that pass.
struct SearchFilterOptions: ParsableArguments {
    @Option(help: "Product metadata for the index's ids (JSONL, or CSV with a header): results get titles and fields.")
    var meta: String?
    @Option(name: .customLong("id-field"),
            help: "The catalog field holding index ids (default: id for IDMap indexes, else the row number).")
    var idField: String?
    @Option(name: .customLong("title-field"), help: "The catalog field shown as the name (default: title, else name).")
    var titleField: String?
    @Option(help: ArgumentHelp("Only products passing these field predicates (needs --meta), e.g. 'section:web price<50 rating>=4'.",
                               discussion: "field:text contains (case-folded); = and != compare numbers as numbers, else text; <, <=, >, >= compare numbers."))
    var filter: String?
    @Option(help: "Only these ids: an int64 .npy, or text with ids separated by whitespace or commas.")
    var ids: String?
    @Option(name: .customLong("id-range"), help: "Only ids A ≤ id < B, given as A:B (FAISS's IDSelectorRange).")
    var idRange: String?

    /// The catalog, when `--meta` is given (malformed lines reported on stderr).
    /// - Throws: the catalog's file errors; `UsageError` for --id-field/--title-field/--filter without --meta.
    func catalog(for index: any VectorIndex) throws -> ProductCatalog? {
        guard let meta else {
            if filter != nil { throw UsageError(description: "--filter needs a catalog: give --meta FILE") }
            if idField != nil || titleField != nil { throw UsageError(description: "--id-field and --title-field need --meta FILE") }
            return nil
        }
        let join: ProductCatalog.Join = idField.map { .idField($0) } ?? (index is IDMapIndex ? .idField("id") : .rowNumber)
        let catalog = try ProductCatalog(path: meta, join: join, titleField: titleField)
        if catalog.problemCount > 0 {
            let first = catalog.problems.first.map { "; first: \($0)" } ?? ""
            printToStderr("vectui: \(meta): \(catalog.problemCount) malformed line\(catalog.problemCount == 1 ? "" : "s") skipped\(first)")
        }
        return catalog
    }

    /// The intersection of --filter, --ids and --id-range; nil when none is given.
    /// - Throws: `UsageError` (exit 64) for a bad filter (naming the catalog), free text in
    ///   --filter or a malformed --id-range; the ids file's errors.
    func selector(catalog: ProductCatalog?) throws -> IDSelector? {
        var parts = [IDSelector]()
        if let filter, let catalog {
            let applied: CatalogFilter
            do {
                applied = try CatalogFilter(parsing: filter, catalog: catalog)
            } catch let error as CatalogFilterError {
                throw UsageError(description: "--filter on \(catalog.path): \(error)")
            }
            guard applied.query.text.isEmpty else {
                throw UsageError(description: "--filter on \(catalog.path) takes field predicates only (field:text, field<number, …); '\(applied.query.text)' is none")
            }
            if let selector = applied.selector { parts.append(selector) }
        }
        if let ids { parts.append(.batch(try Self.readIDs(ids))) }
        if let idRange { parts.append(.range(try Self.parseRange(idRange))) }
        guard var selector = parts.first else { return nil }
        for part in parts.dropFirst() { selector = selector.intersection(part) }
        return selector
    }

    /// `A:B` as A..<B.
    static func parseRange(_ text: String) throws -> Range<Int64> {
        let halves = text.split(separator: ":", omittingEmptySubsequences: false)
        guard halves.count == 2, let lower = Int64(halves[0].trimmingCharacters(in: .whitespaces)),
              let upper = Int64(halves[1].trimmingCharacters(in: .whitespaces)) else {
            throw UsageError(description: "--id-range takes A:B, two integers (ids A ≤ id < B); got '\(text)'")
        }
        guard lower <= upper else { throw UsageError(description: "--id-range \(text): A must not be above B") }
        return lower..<upper
    }

    /// Ids from an int64 `.npy`, or from text (whitespace or commas between them).
    static func readIDs(_ path: String) throws -> [Int64] {
        if path.lowercased().hasSuffix(".npy") { return try VectorFile.readIDs(path: path) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FileSystemError(path: path, operation: "read", message: FileManager.default.fileExists(atPath: path)
                ? "permission denied or not a file" : "no such file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw FileFormatError(path: path, offset: 0, expected: "UTF-8 text of ids", found: "bytes that are not UTF-8")
        }
        var out = [Int64]()
        for (lineNumber, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            for token in line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," || $0 == "\r" }) {
                guard let id = Int64(token) else {
                    throw InputMismatchError(description: "\(path) line \(lineNumber + 1): '\(token)' is not a 64-bit integer id")
                }
                out.append(id)
            }
        }
        return out
    }
}

/// `"items"` for `search --json --meta`: per query, per result, the product (`id`, `title`,
/// `fields` in the catalog's column order), `{"id", "title": null, "fields": {}}` for an id
/// the catalog lacks, and null for padding (id −1).
func searchItemsJSON(_ result: SearchResult, catalog: ProductCatalog) -> JSONValue {
    var rows = [JSONValue]()
    for q in 0..<result.queryCount {
        rows.append(.array(result.ids(ofQuery: q).map { id -> JSONValue in
            guard id != SearchResult.paddingID else { return .null }
            guard let product = catalog.product(id: id) else {
                return .object([("id", .int(id)), ("title", .null), ("fields", .object([]))])
            }
            let fields = catalog.columns.compactMap { name in product.fields[name].map { (name, JSONValue.string($0)) } }
            return .object([("id", .int(id)), ("title", .string(product.title)), ("fields", .object(fields))])
        }))
    }
    return .array(rows)
}
