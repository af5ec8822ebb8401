import Foundation

/// Product metadata (JSONL or CSV, UTF-8) joined to an index's ids: by an id field matching
/// IDMap ids, or by row number. Malformed rows are skipped and reported with line numbers;
/// they never stop the load.
public final class ProductCatalog: Sendable {
    /// One product: where it came from, its index id, its title and its other fields in order.
    public struct Product: Sendable, Equatable {
        public let line: Int
        public let id: Int64
        public let title: String
        public let fields: [String: String]
    }

    /// A line that could not be used, and why.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public let line: Int
        public let message: String
        public var description: String { "line \(line): \(message)" }
    }

    /// How rows find their vectors.
    public enum Join: Sendable, Equatable {
        /// Row n (0-based, among usable rows) is vector n: for indexes without an id map.
        case rowNumber
        /// The named field holds the index id.
        case idField(String)
    }

    public let path: String
    public let titleField: String
    /// Field names other than the id and title, in order of first appearance.
    public let columns: [String]
    public let products: [Product]
    /// The first problems found (at most `maxReportedProblems`), and how many there were.
    public let problems: [Problem]
    public let problemCount: Int
    private let rowByID: [Int64: Int]
    /// Columns prepared for filters (`CatalogFilter`) on first use.
    let filterCache = Locked(FilterCache())
    /// How the ids are spread, for the form of a filter's selector.
    let filterIDs: FilterIDs

    static let maxReportedProblems = 100

    /// Reads a catalog; `.csv`/`.tsv` by extension, otherwise JSONL.
    /// - Parameters:
    ///   - join: how rows map to index ids.
    ///   - titleField: the field shown as the product name; default `title`, else `name`.
    /// - Throws: `FileSystemError` when unreadable; `FileFormatError` when no row is usable
    ///   or the CSV header is malformed.
    public init(path: String, join: Join, titleField: String? = nil) throws {
        self.path = path
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw FileSystemError(path: path, operation: "read", message: exists ? "permission denied or not a file" : "no such file")
        }
        let records: [(line: Int, fields: [(String, String)])]
        var problems = [Problem]()
        var problemCount = 0
        func report(_ line: Int, _ message: String) {
            problemCount += 1
            if problems.count < Self.maxReportedProblems { problems.append(Problem(line: line, message: message)) }
        }
        let lower = path.lowercased()
        if lower.hasSuffix(".csv") || lower.hasSuffix(".tsv") {
            records = try CSVReader.records(data: data, separator: lower.hasSuffix(".tsv") ? "\t" : ",", path: path, report: report)
        } else {
            records = JSONLReader.records(data: data, report: report)
        }

        var columns = [String]()
        var seenColumns = Set<String>()
        let chosenTitle = titleField ?? (records.contains { $0.fields.contains { $0.0 == "title" } } ? "title" : "name")
        var products = [Product]()
        products.reserveCapacity(records.count)
        var rowByID = [Int64: Int](minimumCapacity: records.count)
        for record in records {
            var fields = [String: String](minimumCapacity: record.fields.count)
            for (key, value) in record.fields { fields[key] = value }
            let id: Int64
            switch join {
            case .rowNumber:
                id = Int64(products.count)
            case let .idField(name):
                guard let text = fields[name] else { report(record.line, "no '\(name)' field (the id that joins it to the index)"); continue }
                guard let value = Int64(text.trimmingCharacters(in: .whitespaces)) else {
                    report(record.line, "'\(name)' is '\(text)', not a 64-bit integer id"); continue
                }
                guard rowByID[value] == nil else { report(record.line, "id \(value) repeats line \(products[rowByID[value]!].line)"); continue }
                id = value
            }
            let title = fields[chosenTitle] ?? ""
            if title.isEmpty { report(record.line, "no '\(chosenTitle)' field; shown by id") }
            for (key, _) in record.fields where key != chosenTitle && join != .idField(key) && seenColumns.insert(key).inserted {
                columns.append(key)
            }
            fields.removeValue(forKey: chosenTitle)
            if case let .idField(name) = join { fields.removeValue(forKey: name) }
            rowByID[id] = products.count
            products.append(Product(line: record.line, id: id, title: title.isEmpty ? "#\(id)" : title, fields: fields))
        }
        guard !products.isEmpty else {
            let first = problems.first.map { " (\($0))" } ?? ""
            throw FileFormatError(path: path, offset: 0, expected: "at least one usable product row", found: "none\(first)")
        }
        self.titleField = chosenTitle
        self.columns = columns
        self.products = products
        self.problems = problems
        self.problemCount = problemCount
        self.rowByID = rowByID
        filterIDs = FilterIDs(products.map(\.id))
    }

    /// The product whose index id is `id`.
    public func product(id: Int64) -> Product? { rowByID[id].map { products[$0] } }
}

/// JSON Lines: one flat object per line; blank lines skipped.
enum JSONLReader {
    static func records(data: Data, report: (Int, String) -> Void) -> [(line: Int, fields: [(String, String)])] {
        var out = [(line: Int, fields: [(String, String)])]()
        data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            var lineNumber = 0
            var start = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count && bytes[end] != 0x0A { end += 1 }
                lineNumber += 1
                let line = UnsafeBufferPointer(rebasing: bytes[start..<end])
                start = end + 1
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
                do {
                    out.append((lineNumber, try FlatJSONObjectParser.parse(line)))
                } catch let error as FlatJSONObjectParser.SyntaxError {
                    report(lineNumber, "not valid JSON at column \(error.column): \(error.message)")
                } catch {
                    report(lineNumber, "not valid JSON")
                }
            }
        }
        return out
    }
}

/// RFC 4180 CSV (quoted fields, doubled quotes, newlines inside quotes), first row = header.
enum CSVReader {
    static func records(data: Data, separator: Character, path: String,
                        report: (Int, String) -> Void) throws -> [(line: Int, fields: [(String, String)])] {
        guard let text = String(data: data, encoding: .utf8) else {
            throw FileFormatError(path: path, offset: 0, expected: "UTF-8 text", found: "bytes that are not UTF-8")
        }
        var rows = [(line: Int, values: [String])]()
        var values = [String](), field = "", inQuotes = false, line = 1, rowLine = 1, fieldWasQuoted = false
        var iterator = text.makeIterator()
        var pending: Character? = nil
        func endRow() {
            values.append(field)
            if !(values.count == 1 && values[0].isEmpty && !fieldWasQuoted) { rows.append((rowLine, values)) }
            values = []; field = ""; fieldWasQuoted = false
        }
        while let c = pending ?? iterator.next() {
            pending = nil
            if inQuotes {
                if c == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { field.append("\"") } else { inQuotes = false; pending = next }
                    } else { inQuotes = false }
                } else {
                    if c == "\n" || c == "\r\n" { line += 1 }
                    field.append(c)
                }
                continue
            }
            switch c {
            case "\"" where field.isEmpty: inQuotes = true; fieldWasQuoted = true
            case separator: values.append(field); field = ""; fieldWasQuoted = false
            case "\n", "\r\n", "\r":
                endRow()
                line += 1
                rowLine = line
            default: field.append(c)
            }
        }
        if inQuotes { report(rowLine, "a quoted field is not closed before the end of the file") }
        else if !field.isEmpty || !values.isEmpty { endRow() }
        guard let header = rows.first else {
            throw FileFormatError(path: path, offset: 0, expected: "a header row naming the columns", found: "an empty file")
        }
        let names = header.values.map { $0.trimmingCharacters(in: .whitespaces) }
        if let empty = names.firstIndex(of: "") {
            throw FileFormatError(path: path, offset: 0, expected: "a name for every column in the header", found: "column \(empty + 1) unnamed")
        }
        var out = [(line: Int, fields: [(String, String)])]()
        for row in rows.dropFirst() {
            guard row.values.count == names.count else {
                report(row.line, "\(row.values.count) fields where the header has \(names.count)")
                continue
            }
            out.append((row.line, Array(zip(names, row.values))))
        }
        return out
    }
}
