import TUI

/// The Products pane: the filter being typed, the matches shown, and the selection.
struct ProductsState: Equatable, Sendable {
    /// The filter text.
    var filter = TextInputState()
    /// Whether the filter box has the keyboard (after `/`).
    var isEditing = false
    /// Positions (in the `ProductList`) of the products shown, best match first.
    var matches: [Int]
    /// How many of `matches` (from the front) match at word starts.
    var wordPrefixCount: Int
    /// The selected row and scroll offset.
    var table = TableState()
    /// The newest filter request; results of older ones are dropped.
    var requestedTag = 0
    /// The request whose matches are shown (0: the full list shown at start).
    var shownTag = 0
    /// The filter text those matches are for.
    var shownQuery = ""
    /// The field the matches are ordered by (`:sort` in Products); nil: by how well they match.
    var sort: FieldOrder?
    /// What the shown filter text could not be read as (an unknown field, an unclosed quote).
    var filterProblem: String?

    /// The full list, unfiltered.
    init(allCount: Int) {
        matches = Array(0..<allCount)
        wordPrefixCount = allCount
    }

    /// Whether a newer filter is still running.
    var isFiltering: Bool { requestedTag != shownTag }

    /// The position (in the `ProductList`) of the selected product, if any.
    var selectedPosition: Int? {
        guard let row = table.selected, row < matches.count else { return nil }
        return matches[row]
    }
}
