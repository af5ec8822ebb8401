/// An order of a list by a catalog field (`:sort price`, `:sort -rating`): numbers as
/// numbers when every value is one, else text; items without the field last.
struct FieldOrder: Hashable, Sendable {
    var field: String
    var descending: Bool
}
