import Core
import Foundation
import TUI

// The Similar pane's part of the update: searching a product's neighbours, k, and the
// results that come back (only the newest request's are shown).

extension ExplorerUpdate {
    /// The neighbours of search (or ask) request `tag`, unless a newer search or ask replaced it.
    static func searched(_ model: inout ExplorerModel, tag: Int, _ neighbours: [SimilarState.Neighbour],
                         milliseconds: Double, ranOn: String) {
        guard tag == model.similar.requestedTag else { return }
        model.similar.shownTag = tag
        model.similar.neighbours = neighbours
        model.similar.latencyMilliseconds = milliseconds
        model.similar.ranOn = ranOn
        model.similar.table = TableState(selected: neighbours.isEmpty ? nil : 0)
        if model.similar.sort != nil { applySort(&model) }
    }

    /// The largest k the explorer asks for.
    static let maximumK = 1000

    /// Makes the product with index id `id` the query and searches its neighbours.
    static func startSimilar(_ model: inout ExplorerModel, id: Int64) -> [ExplorerEffect] {
        model.similar.queryID = id
        model.similar.askedText = nil
        model.similar.embedMilliseconds = nil
        return searchAgain(&model, id: id)
    }

    /// A new search request for `id` with the current k.
    static func searchAgain(_ model: inout ExplorerModel, id: Int64) -> [ExplorerEffect] {
        model.similar.restriction = filterText(model).restriction
        let tag = model.takeTag()
        model.similar.requestedTag = tag
        return [.search(tag: tag, id: id, k: model.similar.k)]
    }

    /// Sets k (1…`maximumK`) and searches again when there is a query.
    static func setK(_ model: inout ExplorerModel, _ k: Int) -> [ExplorerEffect] {
        guard (1...maximumK).contains(k) else {
            model.message = .error("k must be between 1 and \(maximumK)")
            return []
        }
        model.similar.k = k
        model.message = .info("k = \(k)")
        return repeatQuery(&model)
    }
}
