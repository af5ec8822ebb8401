extension TitleFilter {
    /// The characters of title `position` that `query` matched, for highlighting the rows drawn
    /// (computed on demand, so a million matches cost nothing until shown).
    ///
    /// Each word is placed as the search placed it: its best literal occurrence (the prefix,
    /// else the first at a word start, else the first anywhere); else its typo match (the
    /// window, at a word start, nearest the word in edits); else its subsequence (each letter).
    /// - Parameters:
    ///   - query: the query the matches were searched with.
    ///   - position: the title's position (as in `Matches.indices`).
    /// - Returns: ranges of the title string given at init, whole characters, in order, not
    ///   touching one another; empty when the query is empty or the title does not match.
    public func highlights(_ query: String, at position: Int) -> [Range<String.Index>] {
        let prepared = PreparedQuery(query)
        let start = starts[position], end = starts[position + 1] - 1
        guard !prepared.words.isEmpty else { return [] }
        var marked = [Bool](repeating: false, count: end - start)
        let found = bytes.withUnsafeBufferPointer { buffer -> Bool in
          prepared.withViews { words in
            let base = buffer.baseAddress!
            for word in words {
                guard let bytes = matchedBytes(word, base: base, start: start, end: end,
                                               nameEnd: start + Int(nameEnds[position]))
                else { return false }
                for byte in bytes { marked[byte - start] = true }
            }
            return true
          }
        }
        return found ? characterRanges(of: titles[position], marked: marked) : []
    }

    /// The buffer offsets of the bytes `word` matches in the title `base[start..<end]`.
    private func matchedBytes(_ word: WordView, base: UnsafePointer<UInt8>, start: Int, end: Int,
                              nameEnd: Int) -> [Int]? {
        if let literal = TitleFilter.literalMatch(word, base: base, start: start, end: end, nameEnd: nameEnd),
           let offset = literal.offset {
            return Array(offset..<(offset + word.bytes.count))
        }
        guard word.isApproximable else { return nil }
        if let (edits, last) = TitleFilter.typoEnd(word, base: base, start: start, end: end) {
            // The window ends at `last`; its start is the word start nearest the word in edits.
            let length = word.bytes.count
            let earliest = max(start, last + 1 - length - word.typoBudget)
            let latest = min(last, last + 1 - length + word.typoBudget)
            var best: (distance: Int, first: Int)?
            for first in earliest...latest where TitleFilter.isWordStart(base, offset: first, titleStart: start) {
                let distance = TitleFilter.optimalAlignmentDistance(word.bytes, UnsafeBufferPointer(start: base + first,
                                                                                               count: last + 1 - first))
                if best == nil || distance < best!.distance { best = (distance, first) }
            }
            let first = best.map { $0.distance <= edits ? $0.first : last + 1 - length } ?? last + 1 - length
            return Array(max(start, first)...last)
        }
        guard let window = TitleFilter.subsequenceWindow(word.bytes, base: base, start: start, end: end) else { return nil }
        var offsets = [Int]()
        var position = window.lowerBound
        for byte in word.bytes {
            while base[position] != byte { position += 1 }
            offsets.append(position)
            position += 1
        }
        return offsets
    }

    /// The Damerau (optimal string alignment) distance between `a` and `b`: insertions,
    /// deletions, substitutions and swaps of neighbours, one edit each.
    static func optimalAlignmentDistance(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        let n = a.count, m = b.count
        var table = [[Int]](repeating: [Int](repeating: 0, count: m + 1), count: n + 1)
        for i in 0...n { table[i][0] = i }
        for j in 0...m { table[0][j] = j }
        for i in stride(from: 1, through: n, by: 1) {
            for j in stride(from: 1, through: m, by: 1) {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
                }
            }
        }
        return table[n][m]
    }

    /// The runs of `title`'s characters whose folded bytes include a marked one.
    private func characterRanges(of title: String, marked: [Bool]) -> [Range<String.Index>] {
        var folder = Folder()
        var ranges = [Range<String.Index>]()
        var offset = 0
        var index = title.startIndex
        while index < title.endIndex {
            let next = title.index(after: index)
            let first = offset
            for scalar in title[index].unicodeScalars { offset += folder.foldedCount(scalar) }
            let isMarked = marked[min(first, marked.count)..<min(offset, marked.count)].contains(true)
            if isMarked {
                if let lastRange = ranges.last, lastRange.upperBound == index {
                    ranges[ranges.count - 1] = lastRange.lowerBound..<next
                } else {
                    ranges.append(index..<next)
                }
            }
            index = next
        }
        return ranges
    }
}
