#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A search-box text applied to a catalog: its predicates evaluated over every product, as a
/// row mask (for the explorer's name filter to intersect with: catalog positions, the indices
/// of `ProductCatalog.products`) and as an `IDSelector` over index ids (for similar-item
/// searches: the k results are then the best k products that pass). Its free text is left
/// for the name filter (`query.text`).
///
/// Vectors whose id has no product in the catalog never pass a filter with predicates.
public struct CatalogFilter: Sendable {
    /// The parsed text.
    public let query: CatalogQuery
    /// Catalog positions passing every predicate; nil when there are none (all pass).
    public let rows: IDBitmap?
    /// The index ids of `rows`' products; nil when there are no predicates.
    public let selector: IDSelector?

    /// Parses `text` and evaluates it over `catalog`.
    /// - Throws: `CatalogFilterError` for bad syntax or a field the catalog lacks (the error
    ///   lists the catalog's fields).
    /// - Complexity: the first use of a field folds (and, for numbers, parses) its values once;
    ///   later filters on it scan a contiguous buffer: O(products) per predicate.
    public init(parsing text: String, catalog: ProductCatalog) throws {
        try self.init(query: CatalogQuery.parse(text), catalog: catalog)
    }

    /// Evaluates a parsed query over `catalog`.
    /// - Throws: `CatalogFilterError.unknownField`.
    public init(query: CatalogQuery, catalog: ProductCatalog) throws {
        self.query = query
        guard !query.predicates.isEmpty else {
            rows = nil
            selector = nil
            return
        }
        let rows = try catalog.rows(matching: query.predicates)
        self.rows = rows
        selector = catalog.selector(rows: rows)
    }
}

extension ProductCatalog {
    /// Names a filter may use: the title field, the other columns, and `id` (the index id).
    public var filterableFields: [String] {
        var names = [titleField] + columns
        if !columns.contains("id") && titleField != "id" { names.append("id") }
        return names
    }

    /// Catalog positions whose products satisfy every predicate.
    /// - Throws: `CatalogFilterError.unknownField` for a field not in `filterableFields`.
    public func rows(matching predicates: [CatalogQuery.Predicate]) throws -> IDBitmap {
        var mask = IDBitmap(count: products.count, repeating: true)
        for predicate in predicates {
            let field = try resolve(predicate.field)
            mask.formIntersection(rows(matching: predicate, field: field))
        }
        return mask
    }

    /// The selector over index ids of the products at the set positions of `rows`: a bitmap
    /// when ids are dense (row numbers, or below 8 × the product count), else a batch.
    public func selector(rows: IDBitmap) -> IDSelector {
        if filterIDs.areRowNumbers { return .bitmap(rows.resized(to: products.count)) }
        let positions = rows.setIndices
        if filterIDs.minID >= 0 && filterIDs.maxID < Int64(max(8 * products.count, 64)) {
            var ids = IDBitmap(count: Int(filterIDs.maxID) + 1)
            for position in positions { ids[Int(products[position].id)] = true }
            return .bitmap(ids)
        }
        return .batch(positions.map { products[$0].id })
    }

    private enum FieldRef {
        case title
        case id
        case column(String)
    }

    private func resolve(_ name: String) throws -> FieldRef {
        let known = filterableFields
        let folded = known.filter { $0.lowercased() == name.lowercased() }
        let match: String? = known.contains(name) ? name : folded.count == 1 ? folded[0] : nil
        guard let match else { throw CatalogFilterError.unknownField(name, known: known) }
        if match == titleField { return .title }
        if match == "id" && !columns.contains("id") { return .id }
        return .column(match)
    }

    private func rows(matching predicate: CatalogQuery.Predicate, field: FieldRef) -> IDBitmap {
        let n = products.count
        if case .id = field {
            // Ids are 64-bit: compared as integers when the value is one (a Double has 53 bits).
            let exact = Int64(predicate.value.trimmingCharacters(in: .whitespaces))
            return IDBitmap(count: n) { row in
                let id = products[row].id
                let order: Int?
                if let exact { order = id < exact ? -1 : id == exact ? 0 : 1 }
                else if let number = predicate.number { order = Double(id) < number ? -1 : Double(id) == number ? 0 : 1 }
                else { order = nil }
                return Self.passes(predicate.comparison, order: order, textContains: predicate.comparison == .contains
                                   && String(id).contains(predicate.value))
            }
        }
        let column = filterColumn(field)
        let needle = Array(predicate.value.lowercased().utf8)
        switch predicate.comparison {
        case .contains:
            var mask = IDBitmap(count: n)
            column.rowsContaining(needle, into: &mask)
            return mask
        case .equal, .notEqual:
            let numbers = predicate.number == nil ? nil : numberColumn(field)
            let wanted = predicate.comparison == .equal
            return IDBitmap(count: n) { row in
                let equal: Bool
                if let numbers, !numbers[row].isNaN { equal = numbers[row] == predicate.number! } else { equal = column.equals(row, needle) }
                return equal == wanted
            }
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            let numbers = numberColumn(field), bound = predicate.number!
            return numbers.withUnsafeBufferPointer { values in
                switch predicate.comparison {
                case .less: return IDBitmap(count: n) { values[$0] < bound }
                case .lessOrEqual: return IDBitmap(count: n) { values[$0] <= bound }
                case .greater: return IDBitmap(count: n) { values[$0] > bound }
                default: return IDBitmap(count: n) { values[$0] >= bound }
                }
            }
        }
    }

    /// An id against a predicate: `order` is the id's order against the value (nil when the
    /// value is no number, so that = fails and != passes).
    private static func passes(_ comparison: CatalogQuery.Predicate.Comparison, order: Int?, textContains: Bool) -> Bool {
        switch comparison {
        case .contains: return textContains
        case .equal: return order == 0
        case .notEqual: return order != 0
        case .less: return order.map { $0 < 0 } ?? false
        case .lessOrEqual: return order.map { $0 <= 0 } ?? false
        case .greater: return order.map { $0 > 0 } ?? false
        case .greaterOrEqual: return order.map { $0 >= 0 } ?? false
        }
    }

    private func value(_ field: FieldRef, _ product: Product) -> String? {
        switch field {
        case .title: return product.title
        case .id: return String(product.id)
        case let .column(name): return product.fields[name]
        }
    }

    private func cacheKey(_ field: FieldRef) -> String {
        switch field {
        case .title: return "\u{0}title"
        case .id: return "\u{0}id"
        case let .column(name): return name
        }
    }

    /// The field's values case-folded, built on first use.
    private func filterColumn(_ field: FieldRef) -> FilterColumn {
        filterCache.withLock { cache in
            if let column = cache.text[cacheKey(field)] { return column }
            let column = FilterColumn(values: products.map { value(field, $0) })
            cache.text[cacheKey(field)] = column
            return column
        }
    }

    /// The field's values as numbers (NaN where missing or not a number), built on first use.
    private func numberColumn(_ field: FieldRef) -> [Double] {
        filterCache.withLock { cache in
            if let numbers = cache.numbers[cacheKey(field)] { return numbers }
            let n = products.count, parts = max(1, min(Parallel.workerCount, n / 16_384))
            let numbers = Parallel.map(parts) { part in
                ((n * part / parts)..<(n * (part + 1) / parts)).map { value(field, products[$0]).flatMap(CatalogQuery.number) ?? .nan }
            }.flatMap { $0 }
            cache.numbers[cacheKey(field)] = numbers
            return numbers
        }
    }
}

/// What filters keep per catalog: columns prepared on first use, and how ids are spread.
struct FilterCache: Sendable {
    var text: [String: FilterColumn] = [:]
    var numbers: [String: [Double]] = [:]
}

/// Where a catalog's ids lie, for choosing a selector's form.
struct FilterIDs: Sendable {
    let areRowNumbers: Bool
    let minID: Int64
    let maxID: Int64

    init(_ ids: [Int64]) {
        var rowNumbers = true, low = Int64.max, high = Int64.min
        for (row, id) in ids.enumerated() {
            if id != Int64(row) { rowNumbers = false }
            low = min(low, id)
            high = max(high, id)
        }
        areRowNumbers = rowNumbers
        minID = low
        maxID = high
    }
}

/// One column's values, lowercased, in one UTF-8 buffer, each followed by a NUL byte, so a
/// substring filter is a `memmem` over the whole column.
struct FilterColumn: Sendable {
    let bytes: [UInt8]
    /// Where each row's value starts, plus `bytes.count`.
    let starts: [Int]
    /// Rows that have the field.
    let present: IDBitmap

    init(values: [String?]) {
        let parts = max(1, min(Parallel.workerCount, values.count / 16_384))
        let slices = Parallel.map(parts) { part in
            let range = (values.count * part / parts)..<(values.count * (part + 1) / parts)
            var bytes = [UInt8]()
            var lengths = [Int]()
            lengths.reserveCapacity(range.count)
            for row in range {
                let before = bytes.count
                if let value = values[row] { bytes.append(contentsOf: value.lowercased().utf8) }
                bytes.append(0)
                lengths.append(bytes.count - before)
            }
            return (bytes: bytes, lengths: lengths)
        }
        var bytes = [UInt8]()
        bytes.reserveCapacity(slices.reduce(0) { $0 + $1.bytes.count })
        var starts = [Int]()
        starts.reserveCapacity(values.count + 1)
        for slice in slices {
            var at = bytes.count
            for length in slice.lengths {
                starts.append(at)
                at += length
            }
            bytes.append(contentsOf: slice.bytes)
        }
        starts.append(bytes.count)
        var present = IDBitmap(count: values.count)
        for (row, value) in values.enumerated() where value != nil { present[row] = true }
        self.bytes = bytes
        self.starts = starts
        self.present = present
    }

    /// Sets the rows whose value contains `needle`.
    func rowsContaining(_ needle: [UInt8], into mask: inout IDBitmap) {
        let rows = starts.count - 1
        guard !needle.isEmpty else {
            mask.formUnion(present)
            return
        }
        bytes.withUnsafeBytes { haystack in
            needle.withUnsafeBytes { needle in
                guard let base = haystack.baseAddress else { return }
                var position = 0
                var next = 0  // the first row that may hold the next hit
                while position < haystack.count {
                    guard let hit = Self.find(needle, in: UnsafeRawBufferPointer(rebasing: haystack[position...])) else { break }
                    let offset = base.distance(to: UnsafeRawPointer(hit))
                    // The row whose value holds the hit (values are NUL-separated, so hits never
                    // span two): galloping from the last hit's row, as hits come in row order.
                    var step = 1
                    while next + step < rows && starts[next + step] <= offset { step <<= 1 }
                    let low = next + step / 2, high = min(rows, next + step)
                    let row = low + IDSelector.lowerBound(high - low) { starts[low + $0 + 1] <= offset }
                    if present[row] { mask[row] = true }
                    position = starts[row + 1]
                    next = row + 1
                }
            }
        }
    }

    /// The first occurrence of `needle` (not empty) in `haystack`: `memchr` for its first byte,
    /// then `memcmp` (glibc's `memmem` is a GNU extension Swift does not import).
    private static func find(_ needle: UnsafeRawBufferPointer, in haystack: UnsafeRawBufferPointer) -> UnsafeRawPointer? {
        guard let base = haystack.baseAddress, haystack.count >= needle.count else { return nil }
        let first = Int32(needle[0])
        var at = base
        let last = base + (haystack.count - needle.count)
        while at <= last {
            guard let hit = memchr(at, first, last - at + 1) else { return nil }
            if memcmp(hit, needle.baseAddress!, needle.count) == 0 { return UnsafeRawPointer(hit) }
            at = UnsafeRawPointer(hit) + 1
        }
        return nil
    }

    /// Whether row `row`'s folded value is exactly `needle` (false when it has no value).
    func equals(_ row: Int, _ needle: [UInt8]) -> Bool {
        guard present[row], starts[row + 1] - starts[row] - 1 == needle.count else { return false }
        for i in 0..<needle.count where bytes[starts[row] + i] != needle[i] { return false }
        return true
    }
}
