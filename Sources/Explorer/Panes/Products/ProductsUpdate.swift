import Core
import Foundation
import TUI

// The Products pane's part of the update: the filter box's keys, filter requests, and the
// matches they bring (only the newest request's are shown).

extension ExplorerUpdate {
    /// The matches of filter request `tag`, unless a newer keystroke made another request.
    static func filtered(_ model: inout ExplorerModel, tag: Int, _ matches: TitleFilter.Matches) -> [ExplorerEffect] {
        guard tag == model.products.requestedTag else { return [] }  // a newer keystroke wins
        model.products.matches = matches.indices
        model.products.wordPrefixCount = matches.count(atLeast: .wordStart)
        model.products.shownTag = tag
        model.products.shownQuery = model.products.filter.text
        model.products.table = TableState(selected: matches.indices.isEmpty ? nil : 0)
        // Field conditions restrict similar items too: search again when they changed.
        if model.similar.hasQuery && filterText(model).restriction != model.similar.restriction {
            return repeatQuery(&model)
        }
        return []
    }

    /// What filter request `tag`'s text could not be read as, said once on the message line.
    static func filterNoted(_ model: inout ExplorerModel, tag: Int, _ problem: String?) {
        guard tag == model.products.requestedTag else { return }
        if let problem, problem != model.products.filterProblem { model.message = .warning(problem) }
        model.products.filterProblem = problem
    }

    /// Keys while the filter box has the keyboard: editing keys change the filter (each change
    /// a new tagged request), arrows move in the list, Enter shows the selection's neighbours.
    static func handleFilterKey(_ model: inout ExplorerModel, _ key: Key) -> [ExplorerEffect] {
        let layout = ExplorerLayout(model)
        switch key {
        case .enter:
            if offersAskForFilter(model) && model.products.shownQuery == model.products.filter.text {
                model.products.isEditing = false
                return requestAsk(&model, text: filterText(model).text.trimmingCharacters(in: .whitespaces))
            }
            model.products.isEditing = false
            guard let position = model.products.selectedPosition else { return [] }
            return startSimilar(&model, id: model.catalog.id(at: position))
        case .escape:
            model.products.isEditing = false
            return []
        case .tab, .backTab:
            model.products.isEditing = false
            return handleKey(&model, key)
        case .ctrl("c"):
            return requestQuit(&model)
        case .up, .down, .pageUp, .pageDown:
            _ = model.products.table.handle(key, rowCount: model.products.matches.count, visibleRows: layout.productsPage)
            return []
        default:
            let before = model.products.filter.text
            guard model.products.filter.handle(key), model.products.filter.text != before else { return [] }
            return requestFilter(&model)
        }
    }

    /// A new filter request for the current filter text.
    static func requestFilter(_ model: inout ExplorerModel) -> [ExplorerEffect] {
        let tag = model.takeTag()
        model.products.requestedTag = tag
        return [.filter(tag: tag, query: model.products.filter.text)]
    }

    /// The filter box's text as predicates and name words (what the session filters with).
    static func filterText(_ model: ExplorerModel) -> FilterText {
        FilterText(model.products.filter.text, fields: model.catalog.catalog?.filterableFields ?? [])
    }
}
