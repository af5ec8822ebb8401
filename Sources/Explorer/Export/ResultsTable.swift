import Core

/// The Similar pane's results as a table to take away: rank, id, score, title and every
/// catalog field, with what they are similar to (the query product's id, or the asked text).
/// `y`/`Y` copy it as TSV, `:export` writes it as CSV, JSONL or TSV.
struct ResultsTable: Equatable, Sendable {
    /// One result.
    struct Row: Equatable, Sendable {
        var rank: Int
        var id: Int64
        var score: Float
        /// The catalog's title, or "" when the catalog does not list the id (or there is none).
        var title: String
        /// The values of `ResultsTable.fields`, in that order ("" where the product has none).
        var values: [String]
    }

    /// The query product's index id, when a product is the query.
    var queryID: Int64?
    /// The asked text, when a text is the query.
    var queryText: String?
    /// The catalog's fields other than id and title, in the catalog's order.
    var fields: [String]
    /// The results, best first.
    var rows: [Row]

    /// The results shown in the Similar pane, with every field from `catalog`.
    init(similar: SimilarState, catalog: ProductList) {
        queryID = similar.askedText == nil ? similar.queryID : nil
        queryText = similar.askedText
        let fields = catalog.catalog?.columns ?? []
        self.fields = fields
        rows = similar.neighbours.map { neighbour in
            let product = catalog.catalog?.product(id: neighbour.id)
            return Row(rank: neighbour.rank, id: neighbour.id, score: neighbour.score, title: product?.title ?? "",
                       values: fields.map { product?.fields[$0] ?? "" })
        }
    }

    /// A table from its parts (for tests).
    init(queryID: Int64?, queryText: String?, fields: [String], rows: [Row]) {
        self.queryID = queryID
        self.queryText = queryText
        self.fields = fields
        self.rows = rows
    }

    /// A score as text: Swift's shortest representation that reads back as the same float32
    /// (what `vectui search --json` prints).
    static func scoreText(_ score: Float) -> String { "\(score)" }

    // MARK: - TSV

    /// Tab-separated: a header `rank id score title FIELDS…`, then one line per result, `\n`
    /// after each. TSV has no quoting, so tabs, CRs and LFs inside values become spaces.
    /// - Complexity: O(total characters).
    func tsv() -> String {
        func clean(_ value: String) -> String {
            guard value.contains(where: { $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return value }
            return String(value.map { $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" ? " " : $0 })
        }
        var text = (["rank", "id", "score", "title"] + fields).map(clean).joined(separator: "\t") + "\n"
        for row in rows {
            let cells = [String(row.rank), String(row.id), ResultsTable.scoreText(row.score), row.title] + row.values
            text += cells.map(clean).joined(separator: "\t") + "\n"
        }
        return text
    }

    // MARK: - CSV

    /// RFC 4180: a header `rank,id,score,title,FIELDS…,query_id,query_text`, CRLF after every
    /// record; a value holding a comma, a double quote, CR or LF is quoted, its quotes doubled.
    /// The query columns repeat on every row (one of them empty), so each row stands alone.
    func csv() -> String {
        func quoted(_ value: String) -> String {
            guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else {
                return value
            }
            return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        let query = [queryID.map { String($0) } ?? "", queryText ?? ""]
        var text = (["rank", "id", "score", "title"] + fields + ["query_id", "query_text"]).map(quoted).joined(separator: ",") + "\r\n"
        for row in rows {
            let cells = [String(row.rank), String(row.id), ResultsTable.scoreText(row.score), row.title] + row.values + query
            text += cells.map(quoted).joined(separator: ",") + "\r\n"
        }
        return text
    }

    // MARK: - JSONL

    /// One JSON object per line (`JSONValue`'s compact form, as `vectui search --json`), `\n` after each:
    /// `{"rank": 1, "id": 123, "score": 0.93, "title": "…", "fields": {"price": "19.99"}, "query_id": 456, "query_text": null}`.
    /// Ids are integers (64-bit, written whole), field values strings, a non-finite score `null`.
    func jsonl() -> String {
        let queryID = self.queryID.map { JSONValue.int($0) } ?? .null
        let queryText = self.queryText.map { JSONValue.string($0) } ?? .null
        var text = ""
        for row in rows {
            let object = JSONValue.object([
                ("rank", .int(Int64(row.rank))), ("id", .int(row.id)), ("score", .float(row.score)), ("title", .string(row.title)),
                ("fields", .object(zip(fields, row.values).map { ($0, .string($1)) })),
                ("query_id", queryID), ("query_text", queryText),
            ])
            text += object.text + "\n"
        }
        return text
    }
}
