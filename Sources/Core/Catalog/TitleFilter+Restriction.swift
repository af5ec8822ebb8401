extension TitleFilter.Matches {
    /// The matches at catalog positions set in `rows` (a `CatalogFilter`'s row mask), in the
    /// same order.
    public func restricted(to rows: IDBitmap) -> TitleFilter.Matches {
        var kept = [Int]()
        kept.reserveCapacity(min(indices.count, rows.setCount))
        var keptPrefix = 0
        for (rank, position) in indices.enumerated() where position < rows.count && rows[position] {
            kept.append(position)
            if rank < wordPrefixCount { keptPrefix += 1 }
        }
        return TitleFilter.Matches(indices: kept, wordPrefixCount: keptPrefix)
    }
}
