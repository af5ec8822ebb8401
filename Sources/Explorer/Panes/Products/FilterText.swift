import Core

/// The filter box's text read as catalog predicates and name words: `section:web nginx`,
/// `price<50 lamp`, `rating>=4`. Predicates restrict both the name matches and similar-item
/// searches. A word that looks like a predicate but names no catalog field stays a name word
/// (a title may hold "Re:Zero"), and is reported; text that cannot be read as a filter (an
/// unclosed quote, `price<` while typing) is all name words, with the problem reported.
struct FilterText: Equatable, Sendable {
    /// The conditions on catalog fields, as written.
    var predicates: [CatalogQuery.Predicate] = []
    /// The words left for the name filter.
    var text: String
    /// What was not read as the user may have meant, for the Products pane.
    var problem: String?

    /// Reads `input` against the catalog's `fields` (none: everything is name words).
    init(_ input: String, fields: [String]) {
        guard !fields.isEmpty else {
            text = input
            return
        }
        let query: CatalogQuery
        do {
            query = try CatalogQuery.parse(input)
        } catch {
            text = input
            problem = "\(error)"
            return
        }
        var words = query.text.isEmpty ? [] : [query.text]
        var unknown = [String]()
        for predicate in query.predicates {
            if fields.contains(predicate.field) {
                predicates.append(predicate)
            } else {
                words.append(predicate.description)
                unknown.append(predicate.field)
            }
        }
        text = words.joined(separator: " ")
        if !unknown.isEmpty {
            problem = "\(unknown.joined(separator: ", ")): not a field, matched as a name (fields: \(fields.joined(separator: ", ")))"
        }
    }

    /// The predicates as one key ("" for none): what a similar-item search is restricted by.
    var restriction: String { predicates.map(\.description).joined(separator: " ") }
}
