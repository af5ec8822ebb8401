extension TitleFilter.Matches {
    /// The matches at catalog positions set in `rows` (a `CatalogFilter`'s row mask), in the
    /// same order, with the tiers counted again.
    ///
    /// Whether typo and subsequence matches were looked for was decided over every title (fewer
    /// than `TitleFilter.approximateBelow` literal matches), not over the rows kept.
    public func restricted(to rows: IDBitmap) -> TitleFilter.Matches {
        var kept = [Int]()
        kept.reserveCapacity(min(indices.count, rows.setCount))
        var counts = [Int](repeating: 0, count: tierCounts.count)
        var start = 0
        // `indices` holds the best tier first: exact, prefix, …, subsequence.
        for tier in stride(from: tierCounts.count - 1, through: 1, by: -1) {
            let end = start + tierCounts[tier]
            for position in indices[start..<end] where position < rows.count && rows[position] {
                kept.append(position)
                counts[tier] += 1
            }
            start = end
        }
        return TitleFilter.Matches(indices: kept, tierCounts: counts, includesApproximate: includesApproximate)
    }

    /// The same matches in the order of `positions` (every catalog position, as a sort by a
    /// field gives), all counted as one tier: the order no longer says how well they match.
    public func reordered(by positions: [Int]) -> TitleFilter.Matches {
        var isMatch = IDBitmap(count: positions.count)
        for position in indices where position < positions.count { isMatch[position] = true }
        let ordered = positions.filter { isMatch[$0] }
        var counts = [Int](repeating: 0, count: tierCounts.count)
        counts[counts.count - 1] = ordered.count
        return TitleFilter.Matches(indices: ordered, tierCounts: counts, includesApproximate: includesApproximate)
    }
}
