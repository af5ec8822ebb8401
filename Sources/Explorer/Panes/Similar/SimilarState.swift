import TUI

/// The Similar pane: the query product, its nearest neighbours, and how the search went.
struct SimilarState: Equatable, Sendable {
    /// One neighbour: its index id, score, and rank by score (1 = nearest).
    struct Neighbour: Equatable, Sendable {
        var id: Int64
        var score: Float
        var rank: Int
    }


    /// How many neighbours to show.
    var k: Int
    /// The index id of the query product, once one is chosen (nil while a text is the query).
    var queryID: Int64?
    /// The text asked by meaning (`a`, `:ask`), when that is the query instead of a product.
    var askedText: String?
    /// Milliseconds embedding the asked text took (the search's are `latencyMilliseconds`).
    var embedMilliseconds: Double?
    /// The newest search request; results of older ones are dropped.
    var requestedTag = 0
    /// The request whose neighbours are shown.
    var shownTag = 0
    /// The neighbours in the order shown: by rank, or by `sort` (the query itself left out).
    var neighbours: [Neighbour] = []
    /// The filter's field conditions the shown search was restricted by ("" for none).
    var restriction = ""
    /// The field the results are sorted by; nil: by score.
    var sort: FieldOrder?
    /// Milliseconds the search took.
    var latencyMilliseconds: Double?
    /// Where it ran ("cpu", "fp16 on cl0").
    var ranOn = ""
    /// The selected row and scroll offset.
    var table = TableState()

    /// No query yet, `k` neighbours per search.
    init(k: Int) {
        self.k = k
    }

    /// Whether a search is still running.
    var isSearching: Bool { requestedTag != shownTag }

    /// Whether there is a query (a product or a text) to search again.
    var hasQuery: Bool { queryID != nil || askedText != nil }
}
