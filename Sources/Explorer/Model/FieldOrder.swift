/// An order of a list by a catalog field (`:sort price`, `:sort -rating`): numbers as
/// numbers when every value is one, else case-folded text; items without the field last.
struct FieldOrder: Hashable, Sendable {
    var field: String
    var descending: Bool

    /// `items` in this order, each item's field value given by `value` (nil: it has none);
    /// equal values (and items without one) keep the order `tiesBy` gives.
    func sorted<T>(_ items: [T], value: (T) -> String?, tiesBy before: (T, T) -> Bool) -> [T] {
        let values = items.map(value)
        let numbers = values.map { $0.flatMap { Double($0.trimmingCharacters(in: .whitespaces)) } }
        let numeric = zip(values, numbers).allSatisfy { $0 == nil || $1 != nil }
        let folded = numeric ? [] : values.map { $0?.lowercased() }
        let order = items.indices.sorted { a, b in
            switch (values[a] == nil, values[b] == nil) {
            case (true, true): return before(items[a], items[b])
            case (true, false): return false
            case (false, true): return true
            case (false, false): break
            }
            if numeric, numbers[a]! != numbers[b]! { return descending ? numbers[a]! > numbers[b]! : numbers[a]! < numbers[b]! }
            if !numeric, folded[a]! != folded[b]! { return descending ? folded[a]! > folded[b]! : folded[a]! < folded[b]! }
            return before(items[a], items[b])
        }
        return order.map { items[$0] }
    }
}
