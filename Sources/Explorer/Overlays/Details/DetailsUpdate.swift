import Core
import TUI

// The detail view: `i` or Space on a row of Products or Similar opens the item's whole record;
// Enter there shows its similar items, ↑↓ scroll, Esc closes.

extension ExplorerUpdate {
    /// Opens the detail view on the selected product or neighbour.
    static func openDetails(_ model: inout ExplorerModel) -> [ExplorerEffect] {
        let id: Int64
        switch model.focus {
        case .products:
            guard let position = model.products.selectedPosition else { return [] }
            id = model.catalog.id(at: position)
        case .similar:
            guard let row = model.similar.table.selected, row < model.similar.neighbours.count,
                  model.similar.neighbours[row].id != SearchResult.paddingID else { return [] }
            id = model.similar.neighbours[row].id
        default:
            return []
        }
        let tag = model.takeTag()
        model.overlay = .details(ItemDetails(id: id, tag: tag))
        return [.locate(tag: tag, id: id)]
    }

    /// Keys in the detail view.
    static func handleDetailsKey(_ model: inout ExplorerModel, _ details: ItemDetails, _ key: Key) -> [ExplorerEffect] {
        var details = details
        switch key {
        case .enter:
            model.overlay = nil
            return startSimilar(&model, id: details.id)
        case .escape, .character("q"), .character("i"), .character(" "):
            model.overlay = nil
        case .ctrl("c"):
            model.overlay = nil
            return requestQuit(&model)
        case .up, .character("k"):
            details.scroll = max(0, details.scroll - 1)
        case .down, .character("j"):
            details.scroll += 1
        case .pageUp:
            details.scroll = max(0, details.scroll - 10)
        case .pageDown:
            details.scroll += 10
        case .home:
            details.scroll = 0
        default:
            break
        }
        if case .details = model.overlay { model.overlay = .details(details) }
        return []
    }

    /// The session's answer about the item's vector, shown if its dialog is still open.
    static func located(_ model: inout ExplorerModel, tag: Int, _ location: ItemDetails.Location) -> [ExplorerEffect] {
        guard case var .details(details) = model.overlay, details.tag == tag else { return [] }
        details.location = location
        model.overlay = .details(details)
        return []
    }
}
