import CKernels
import Foundation

extension TitleFilter {
    // MARK: - Queries and scores

    /// A folded query: its words, and the words one space apart (for exact names).
    struct PreparedQuery: Sendable {
        /// The words, longest first (the longest is usually the rarest, so it rejects first).
        let words: [QueryWord]
        /// The words in the order typed, joined by single spaces.
        let joined: [UInt8]
        /// The words' bytes, one after another, and their typo masks (256 per word with a budget).
        private let storage: [UInt8]
        private let maskStorage: [UInt64]
        /// Per word, where its typo candidates (a bitmap over titles, `Words.typoCandidates`)
        /// start in `candidateStorage`; nil where typos are looked for in every title.
        private var candidateOffsets: [Int?]
        private var candidateStorage: [UInt64] = []
        /// Whether any word may match approximately.
        var allowsApproximate: Bool { words.contains { $0.isApproximable } }

        init(_ query: String) {
            let split = TitleFilter.fold(query).utf8.split(separator: 0x20).map { Array($0) }
            joined = Array(split.joined(separator: [0x20]))
            var storage = [UInt8](), maskStorage = [UInt64](), words = [QueryWord]()
            for bytes in split.sorted(by: { $0.count > $1.count }) {
                let word = QueryWord(bytes, offset: storage.count, maskOffset: maskStorage.count)
                storage += bytes
                if word.typoBudget > 0 {
                    var masks = [UInt64](repeating: 0, count: 256)
                    for (position, byte) in bytes.enumerated() { masks[Int(byte)] |= 1 << UInt64(position) }
                    maskStorage += masks
                }
                words.append(word)
            }
            self.words = words
            self.storage = storage
            self.maskStorage = maskStorage
            candidateOffsets = [Int?](repeating: nil, count: words.count)
        }

        /// Finds, for each word that allows it, the titles where a typo match may be, so
        /// that the approximate scan tries typos in those titles only.
        mutating func findTypoCandidates(in filter: TitleFilter) {
            let found = filter.bytes.withUnsafeBufferPointer { buffer in
                withViews { views in
                    views.map { filter.words.typoCandidates($0, base: buffer.baseAddress!, titleCount: filter.count) }
                }
            }
            for (word, bitmap) in found.enumerated() {
                guard let bitmap else { continue }
                candidateOffsets[word] = candidateStorage.count
                candidateStorage += bitmap
            }
        }

        /// Calls `body` with views of the words (plain values over this query's memory, so
        /// the scans touch no reference counts).
        func withViews<Result>(_ body: (UnsafeBufferPointer<WordView>) -> Result) -> Result {
            storage.withUnsafeBufferPointer { storage in
                maskStorage.withUnsafeBufferPointer { masks in
                  candidateStorage.withUnsafeBufferPointer { candidates in
                    let views = zip(words, candidateOffsets).map { word, candidateOffset in
                        WordView(bytes: UnsafeBufferPointer(rebasing: storage[word.offset..<(word.offset + word.count)]),
                                 signature: word.signature, signatureBits: word.signatureBits,
                                 isApproximable: word.isApproximable, typoBudget: word.typoBudget,
                                 masks: word.typoBudget > 0 ? masks.baseAddress! + word.maskOffset : nil,
                                 typoTitles: candidateOffset.map { candidates.baseAddress! + $0 })
                    }
                    return views.withUnsafeBufferPointer(body)
                  }
                }
            }
        }
    }

    /// One folded query word: where its bytes are in the query's storage, and its properties.
    struct QueryWord: Sendable {
        let offset: Int, count: Int, maskOffset: Int
        /// The signature bits of its bytes, and how many there are.
        let signature: UInt64
        let signatureBits: Int
        /// Whether typo and subsequence matching apply: ASCII, two bytes or more, a letter among
        /// them (a number one digit off is another number: ids and sizes match literally).
        let isApproximable: Bool
        /// Edits a typo match may have: one per five letters (ASCII words of at most 64 bytes).
        let typoBudget: Int

        init(_ bytes: [UInt8], offset: Int, maskOffset: Int) {
            self.offset = offset
            count = bytes.count
            self.maskOffset = maskOffset
            signature = bytes.reduce(0) { $0 | TitleFilter.signatureBit($1) }
            signatureBits = signature.nonzeroBitCount
            isApproximable = bytes.count >= 2 && bytes.allSatisfy { $0 < 0x80 } && bytes.contains { $0 >= 0x61 && $0 <= 0x7A }
            typoBudget = isApproximable && bytes.count <= 64 ? min(bytes.count / 5, 3) : 0
        }
    }

    /// A query word as the scans read it.
    struct WordView {
        let bytes: UnsafeBufferPointer<UInt8>
        let signature: UInt64
        let signatureBits: Int
        let isApproximable: Bool
        let typoBudget: Int
        /// Entry c has bit i set where `bytes[i] == c` (for the typo scan; nil without one).
        let masks: UnsafePointer<UInt64>?
        /// A bitmap of the titles where a typo match may be; nil where any title may hold one.
        var typoTitles: UnsafePointer<UInt64>? = nil
    }

    /// How one word matched one title.
    struct WordMatch {
        let tier: Tier
        /// Points within the tier (higher is better), summed over a title's words.
        let points: Int
        /// Where the match lies in the buffer: an occurrence's start (literal), or its end
        /// (typo, subsequence: the last byte matched); nil from `letterMatch` outside the name,
        /// where finding it would cost a scan the ranking does not need.
        let offset: Int?
    }

    /// A title's score packed in 13 bits: exact (1 bit), weakest tier (3 bits), points (9 bits).
    enum Score {
        static let limit = 1 << 13

        static func make(exact: Bool, tier: Tier, points: Int) -> UInt16 {
            UInt16((exact ? 1 << 12 : 0) | tier.rawValue << 9 | min(points, 511))
        }

        static func tier(of score: UInt16) -> Tier {
            score >= 1 << 12 ? .exact : Tier(rawValue: Int(score >> 9) & 7)!
        }
    }

    /// The matching titles of one chunk and their scores, in title order.
    struct Hits: Sendable {
        var titles: [Int32] = []
        var scores: [UInt16] = []
    }

    /// The signature bit of a byte: one each for a–z and 0–9, the other bytes hashed over the
    /// remaining 28. A title holding a word has every bit of the word's signature.
    @inline(__always)
    static func signatureBit(_ byte: UInt8) -> UInt64 {
        switch byte {
        case 0x61...0x7A: return 1 << UInt64(byte - 0x61)
        case 0x30...0x39: return 1 << UInt64(26 + byte - 0x30)
        default: return 1 << UInt64(36 + byte % 28)
        }
    }

    // MARK: - Scanning

    /// Scores every title of `titles` against every word; keeps those all words match.
    func scanChunk(_ query: PreparedQuery, titles: Range<Int>, approximate: Bool) -> Hits {
        // Written through pointers (no uniqueness or capacity checks per match), then trimmed.
        var found = [Int32](repeating: 0, count: titles.count), scores = [UInt16](repeating: 0, count: titles.count)
        var count = 0
        let hasNames = names != nil
        found.withUnsafeMutableBufferPointer { found in
        scores.withUnsafeMutableBufferPointer { scores in
        query.joined.withUnsafeBufferPointer { joined in
        bytes.withUnsafeBufferPointer { buffer in
            starts.withUnsafeBufferPointer { starts in
                signatures.withUnsafeBufferPointer { signatures in
                  startSignatures.withUnsafeBufferPointer { startSignatures in
                  secondSignatures.withUnsafeBufferPointer { secondSignatures in
                    nameEnds.withUnsafeBufferPointer { nameEnds in
                      query.withViews { words in
                        let base = buffer.baseAddress!
                        titleLoop: for title in titles {
                            let start = starts[title], end = starts[title + 1] - 1
                            let signature = signatures[title], nameEnd = start + Int(nameEnds[title])
                            let openings = (startSignatures[title], secondSignatures[title])
                            var weakest = Tier.exact, points = 0
                            for word in words {
                                guard let match = self.match(word, title: title, base: base, start: start, end: end,
                                                             nameEnd: nameEnd,
                                                             signature: signature, openings: openings,
                                                             approximate: approximate)
                                else {
                                    // A given name need not be in the title: the query may be it.
                                    if hasNames && isGivenName(joined, title: title) {
                                        found[count] = Int32(title)
                                        scores[count] = Score.make(exact: true, tier: .exact, points: 0)
                                        count += 1
                                    }
                                    continue titleLoop
                                }
                                weakest = min(weakest, match.tier)
                                points += match.points
                            }
                            let exact = isExact(joined, title: title, base: base, start: start, end: end,
                                                nameEnd: nameEnd)
                            found[count] = Int32(title)
                            scores[count] = Score.make(exact: exact, tier: weakest, points: points)
                            count += 1
                        }
                      }
                    }
                  }
                  }
                }
            }
        }
        }
        }
        }
        found.removeLast(found.count - count)
        scores.removeLast(scores.count - count)
        return Hits(titles: found, scores: scores)
    }

    /// How `word` best matches the title in `base[start..<end]`: literally if it can, else
    /// (with `approximate`) with typos, else as a subsequence; nil when it does not.
    @inline(__always)
    func match(_ word: WordView, title: Int, base: UnsafePointer<UInt8>, start: Int, end: Int, nameEnd: Int,
               signature: UInt64,
               openings: (first: UInt64, second: UInt64), approximate: Bool) -> WordMatch? {
        if word.bytes.count == 1 && TitleFilter.isASCIILetterOrDigit(word.bytes[0]) {
            return TitleFilter.letterMatch(word.bytes[0], bit: word.signature, base: base, start: start, nameEnd: nameEnd,
                                           signature: signature, wordStarts: openings.first)
        }
        let hasAllBytes = signature & word.signature == word.signature
        if hasAllBytes, let literal = TitleFilter.literalMatch(word, base: base, start: start, end: end, nameEnd: nameEnd) {
            return literal
        }
        guard approximate && word.isApproximable else { return nil }
        // A window opens at a word start with the word's first or second byte, or has one of
        // them right after (a first byte replaced, or one inserted before it).
        let firstBit = TitleFilter.signatureBit(word.bytes[0]), secondBit = TitleFilter.signatureBit(word.bytes[1])
        let mayHaveTypo: Bool
        if let typoTitles = word.typoTitles {
            mayHaveTypo = typoTitles[title >> 6] & (1 << UInt64(title & 63)) != 0
        } else {
            mayHaveTypo = word.typoBudget > 0 && (openings.first | openings.second) & (firstBit | secondBit) != 0
                && (signature & word.signature).nonzeroBitCount >= word.signatureBits - word.typoBudget
                && TitleFilter.mayHaveOneTypo(word, base: base, start: start, end: end)
        }
        if mayHaveTypo,
           let typo = TitleFilter.typoMatch(word, base: base, start: start, end: end, nameEnd: nameEnd) {
            return typo
        }
        guard hasAllBytes, openings.first & firstBit != 0, let window = TitleFilter.subsequenceWindow(word.bytes, base: base, start: start, end: end)
        else { return nil }
        let compactness = 9 * word.bytes.count / (window.upperBound - window.lowerBound)
        return WordMatch(tier: .subsequence, points: compactness + (window.upperBound <= nameEnd ? 2 : 0),
                         offset: window.upperBound - 1)
    }

    /// Whether `joined` (the query) is the whole title, its leading name, or its given name.
    private func isExact(_ joined: UnsafeBufferPointer<UInt8>, title: Int, base: UnsafePointer<UInt8>, start: Int, end: Int,
                         nameEnd: Int) -> Bool {
        let length = joined.count
        if (nameEnd - start == length || end - start == length) && memcmp(base + start, joined.baseAddress!, length) == 0 {
            return true
        }
        return isGivenName(joined, title: title)
    }

    /// Whether `joined` (the query) is the name given for `title` at init.
    private func isGivenName(_ joined: UnsafeBufferPointer<UInt8>, title: Int) -> Bool {
        let length = joined.count
        guard let names else { return false }
        let nameStart = names.starts[title]
        return names.starts[title + 1] - 1 - nameStart == length
            && names.bytes.withUnsafeBufferPointer { memcmp($0.baseAddress! + nameStart, joined.baseAddress!, length) == 0 }
    }

    // MARK: - Literal matches

    /// The best occurrence of `word` in `base[start..<end]`: at the start (prefix), else the
    /// first at a word start, else the first anywhere (substring); inside the leading name
    /// scores higher. Candidates are found 16 positions at a time on the word's first two bytes.
    @inline(__always)
    static func literalMatch(_ word: WordView, base: UnsafePointer<UInt8>, start: Int, end: Int,
                             nameEnd: Int) -> WordMatch? {
        let length = word.bytes.count
        let last = end - length
        guard last >= start else { return nil }
        let pattern = word.bytes
        let first = pattern[0]
        var substring: Int?
        var block = start
        while block <= last {
            var mask = length > 1 ? vectui_pair_mask16(base + block, first, pattern[1])
                                  : vectui_byte_mask16(base + block, first)
            if last - block < 15 { mask &= (1 << UInt32(last - block + 1)) &- 1 }
            while mask != 0 {
                let position = block + mask.trailingZeroBitCount
                mask &= mask &- 1
                if length > 2 && memcmp(base + position + 2, pattern.baseAddress! + 2, length - 2) != 0 { continue }
                if position == start { return WordMatch(tier: .prefix, points: 20, offset: position) }
                if isWordStart(base, offset: position, titleStart: start) {
                    return WordMatch(tier: .wordStart, points: position < nameEnd ? 16 : 12, offset: position)
                }
                if substring == nil { substring = position }
            }
            block += 16
        }
        return substring.map { WordMatch(tier: .substring, points: $0 < nameEnd ? 8 : 4, offset: $0) }
    }

    /// `literalMatch` for a one-letter (or digit) word, the first keystroke of most queries
    /// (and a match in most titles): the signatures hold one exact bit per letter and digit,
    /// so the tier is read from them and only the leading name is looked at, for the points.
    @inline(__always)
    static func letterMatch(_ letter: UInt8, bit: UInt64, base: UnsafePointer<UInt8>, start: Int, nameEnd: Int,
                            signature: UInt64, wordStarts: UInt64) -> WordMatch? {
        guard signature & bit != 0 else { return nil }
        if base[start] == letter { return WordMatch(tier: .prefix, points: 20, offset: start) }
        // The first occurrence (at a word start, if any is) lies in the name when one does.
        let atWordStart = wordStarts & bit != 0
        var inName: Int?
        var position = start
        while position < nameEnd {
            if base[position] == letter && (!atWordStart || isWordStart(base, offset: position, titleStart: start)) {
                inName = position
                break
            }
            position += 1
        }
        return atWordStart ? WordMatch(tier: .wordStart, points: inName != nil ? 16 : 12, offset: inName)
                           : WordMatch(tier: .substring, points: inName != nil ? 8 : 4, offset: inName)
    }

    // MARK: - Approximate matches

    /// The typo match of `word` with the fewest edits (at most its budget; insertions,
    /// deletions, substitutions and swaps of neighbours each count one) beginning at a word start:
    /// Wu and Manber's bit-parallel scan with Damerau's transposition step.
    /// A match that is the whole leading name but for the typos ("pyhton3" for "python3 — …")
    /// scores highest of its tier, as an exact name does among literal matches.
    static func typoMatch(_ word: WordView, base: UnsafePointer<UInt8>, start: Int, end: Int, nameEnd: Int) -> WordMatch? {
        guard let (edits, last) = typoEnd(word, base: base, start: start, end: end) else { return nil }
        let nameLength = nameEnd - start
        let isWholeName = last + 1 == nameEnd && abs(nameLength - word.bytes.count) <= edits
        return WordMatch(tier: .typo, points: 10 - 3 * (edits - 1) + (last < nameEnd ? 4 : 0) + (isWholeName ? 12 : 0),
                         offset: last)
    }

    /// The fewest edits of a typo match of `word` in `base[start..<end]`, and where the first
    /// such match ends; nil when none is within the budget (or the word matches exactly).
    static func typoEnd(_ word: WordView, base: UnsafePointer<UInt8>, start: Int, end: Int) -> (edits: Int, last: Int)? {
        let budget = word.typoBudget
        guard budget > 0, end > start else { return nil }
        let top: UInt64 = 1 << UInt64(word.bytes.count - 1)
        if budget == 1 { return oneTypoEnd(word, base: base, start: start, end: end, top: top) }
        var best: (edits: Int, last: Int)?
        let masks = word.masks!
        do {
            return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 2 * (budget + 1)) { state in
                // state[d]: prefixes matched with d edits ending here; state[budget + 1 + d]: the
                // swap candidates for level d (prefix matched two bytes back, next byte is the
                // pattern's following one).
                state.initialize(repeating: 0)
                for position in start..<end {
                    let mask = masks[Int(base[position])]
                    let begin: UInt64 = isWordStart(base, offset: position, titleStart: start) ? 1 : 0
                    var oldPrevious = state[0]
                    var newPrevious = ((oldPrevious << 1) | begin) & mask
                    state[0] = newPrevious
                    for edits in stride(from: 1, through: budget, by: 1) {
                        let old = state[edits]
                        let swap = (state[budget + 1 + edits] & mask) << 1
                        let new = (((old << 1) | begin) & mask) | (oldPrevious << 1) | begin | (newPrevious << 1)
                            | oldPrevious | swap
                        state[budget + 1 + edits] = ((oldPrevious << 1) | begin) & (mask >> 1)
                        state[edits] = new
                        oldPrevious = old
                        newPrevious = new
                    }
                    for edits in stride(from: 1, through: budget, by: 1) where state[edits] & top != 0 {
                        if best == nil || edits < best!.edits { best = (edits, position) }
                        break
                    }
                    if best?.edits == 1 { break }
                }
                return best
            }
        }
    }

    /// `typoEnd` for a budget of one edit, the common case (words of 5–9 letters), with its
    /// state in registers; bytes where no match is under way and no word starts are skipped.
    @inline(__always)
    private static func oneTypoEnd(_ word: WordView, base: UnsafePointer<UInt8>, start: Int, end: Int,
                                   top: UInt64) -> (edits: Int, last: Int)? {
        let masks = word.masks!
        do {
            var exact: UInt64 = 0, one: UInt64 = 0, swap: UInt64 = 0
            var previous: UInt8 = 0x20  // as if a space came before the title
            for position in start..<end {
                let byte = base[position]
                let after = previous
                previous = byte
                // A window begins at a letter or digit at a word start.
                var begin: UInt64 = 0
                if (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) {
                    if after < 0x80 {
                        let isDigit = after >= 0x30 && after <= 0x39, isLetter = after >= 0x61 && after <= 0x7A
                        begin = isDigit || isLetter ? 0 : 1
                    } else if isWordStartAfterNonASCII(base, offset: position, titleStart: start) {
                        begin = 1
                    }
                }
                if exact | one | swap | begin == 0 { continue }
                let mask = masks[Int(byte)]
                let newExact = ((exact << 1) | begin) & mask
                let newOne = (((one << 1) | begin) & mask) | (exact << 1) | begin | (newExact << 1) | exact
                    | ((swap & mask) << 1)
                swap = ((exact << 1) | begin) & (mask >> 1)
                exact = newExact
                one = newOne
                if one & top != 0 { return (1, position) }
            }
            return nil
        }
    }

    /// Whether a one-edit typo match of `word` may be in the title (always true for larger
    /// budgets): split the word into a left part, one middle byte and a right part; one edit
    /// (a swap touches two neighbours) leaves the left or the right part whole, so the window
    /// either begins with the left part (at a word start) or holds the right part somewhere.
    @inline(__always)
    static func mayHaveOneTypo(_ word: WordView, base: UnsafePointer<UInt8>, start: Int, end: Int) -> Bool {
        guard word.typoBudget == 1 else { return true }
        let middle = (word.bytes.count - 1) / 2
        let left = WordView(bytes: UnsafeBufferPointer(rebasing: word.bytes[..<middle]), signature: 0, signatureBits: 0,
                            isApproximable: false, typoBudget: 0, masks: nil)
        if let found = literalMatch(left, base: base, start: start, end: end, nameEnd: start), found.tier >= .wordStart {
            return true
        }
        let right = WordView(bytes: UnsafeBufferPointer(rebasing: word.bytes[(middle + 1)...]), signature: 0,
                             signatureBits: 0, isApproximable: false, typoBudget: 0, masks: nil)
        return literalMatch(right, base: base, start: start, end: end, nameEnd: start) != nil
    }

    /// The first window of `base[start..<end]` that begins at a word start with the pattern's
    /// first byte and holds the rest of its bytes in order, within `subsequenceSpan` times the
    /// pattern's length (each byte taken as early as it comes, as fzf's forward pass does).
    static func subsequenceWindow(_ pattern: UnsafeBufferPointer<UInt8>, base: UnsafePointer<UInt8>, start: Int,
                                  end: Int) -> Range<Int>? {
        let first = pattern[0], span = subsequenceSpan * pattern.count
        var block = start
        while block < end {
            var mask = vectui_byte_mask16(base + block, first)
            if end - block < 16 { mask &= (1 << UInt32(end - block)) &- 1 }
            while mask != 0 {
                let opening = block + mask.trailingZeroBitCount
                mask &= mask &- 1
                guard isWordStart(base, offset: opening, titleStart: start) else { continue }
                var matched = 1, position = opening + 1
                let limit = min(end, opening + span)
                while matched < pattern.count && position < limit {
                    if base[position] == pattern[matched] { matched += 1 }
                    position += 1
                }
                if matched == pattern.count { return opening..<position }
            }
            block += 16
        }
        return nil
    }

    /// A subsequence match spans at most this many times the query word's length.
    static let subsequenceSpan = 3

    // MARK: - Word starts

    /// Whether `byte` is an ASCII letter or digit (of folded text: no capitals).
    @inline(__always)
    static func isASCIILetterOrDigit(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
    }

    /// Whether the character at `offset` starts a word: it opens the title, or follows a
    /// character that is neither a letter nor a digit, or follows an ideograph (CJK text has
    /// no spaces, so every ideograph begins a word).
    @inline(__always)
    static func isWordStart(_ base: UnsafePointer<UInt8>, offset: Int, titleStart: Int) -> Bool {
        guard offset > titleStart else { return true }
        let previous = base[offset - 1]
        if previous < 0x80 {
            let isDigit = previous >= 0x30 && previous <= 0x39
            let isLetter = previous >= 0x61 && previous <= 0x7A  // folded text has no capitals
            return !isDigit && !isLetter
        }
        return isWordStartAfterNonASCII(base, offset: offset, titleStart: titleStart)
    }

    /// `isWordStart` when the previous byte is part of a multi-byte character.
    static func isWordStartAfterNonASCII(_ base: UnsafePointer<UInt8>, offset: Int, titleStart: Int) -> Bool {
        // Step back to the lead byte of the previous character and decode it.
        var lead = offset - 1
        while lead > titleStart && base[lead] & 0xC0 == 0x80 { lead -= 1 }
        let length = offset - lead
        var value = UInt32(base[lead]) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
        for continuation in (lead + 1)..<offset { value = value << 6 | UInt32(base[continuation] & 0x3F) }
        guard length >= 2, length <= 4, let scalar = Unicode.Scalar(value) else { return true }
        // Punctuation and symbols (dashes, quotes, arrows…) are common after folding: no lookup.
        if (0x2000...0x2BFF).contains(value) || (0x3000...0x303F).contains(value) { return true }
        if (0x4E00...0x9FFF).contains(value) { return true }  // CJK ideographs
        let properties = scalar.properties
        if properties.isIdeographic { return true }
        return !(properties.isAlphabetic || properties.numericType != nil)
    }
}
