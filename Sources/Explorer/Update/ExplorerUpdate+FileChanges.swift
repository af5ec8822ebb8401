import Core

/// Files that another process changes under the explorer, and `:reload`.
extension ExplorerUpdate {
    /// The session saw the explored files change on disk (or stop changing, after a reload).
    static func filesChanged(_ model: inout ExplorerModel, _ notices: [FileChangeNotice]) -> [ExplorerEffect] {
        let fresh = notices.filter { !model.changedFiles.contains($0) }
        model.changedFiles = notices
        if let first = fresh.first { model.message = first.keptCopy ? .warning(first.message) : .error(first.message) }
        return []
    }

    /// `:reload`: opens the explored file and its catalog again, as a job.
    static func startReload(_ model: inout ExplorerModel) -> [ExplorerEffect] {
        if refuseWhileAJobRuns(&model) { return [] }
        let name = model.index.path.split(separator: "/").last.map(String.init) ?? model.index.path
        let job = addJob(&model, title: "Reload \(name)", countsRows: false)
        model.message = .info("Opening \(model.index.path) again…")
        return [.reload(job: job)]
    }

    /// The file was opened again: new index, new products; the filter and query run again.
    static func reloaded(_ model: inout ExplorerModel, job: Int, index: IndexSummary, catalog: ProductList,
                         message: StatusMessage?) -> [ExplorerEffect] {
        finishJob(&model, job, status: .finished)
        let before = model.index.count
        model.index = index
        model.catalog = catalog
        model.movedSinceSave = false
        let filter = model.products.filter
        model.products = ProductsState(allCount: catalog.count)
        model.products.filter = filter
        model.similar = SimilarState(k: model.similar.k)
        // A catalog problem wins; the "no catalog" hint was shown at start.
        if let message, message.severity != .info {
            model.message = message
        } else {
            model.message = .success("Reloaded \(index.path): \(ViewFormat.count(index.count)) vectors (was \(ViewFormat.count(before))), "
                                            + "\(ViewFormat.count(catalog.count)) products.")
        }
        return filter.text.isEmpty ? [] : requestFilter(&model)
    }
}
