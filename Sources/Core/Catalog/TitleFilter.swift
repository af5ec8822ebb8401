import Dispatch
import Foundation

/// A name filter over many titles that answers while the user types, ranking matches the way
/// finders such as fzf and VS Code's quick open do: case-, accent- and width-insensitive; every
/// query word must match; exact names first, then prefixes, word starts, substrings, and — when
/// the literal matches are few — typo-tolerant and subsequence (fuzzy) matches.
///
/// Titles are folded once (lowercased, accents and width variants removed) into one
/// contiguous UTF-8 buffer, each followed by a NUL, with a 64-bit byte-set signature, the
/// length and the end of the leading name of each; a query is folded the same way and every
/// title is scored in parallel chunks (the signature rejects most titles in one comparison,
/// SIMD finds a word's candidate positions in the rest).
///
/// Ranking, best first:
/// 1. **exact**: the query (its words, one space apart) is the whole title, the title's
///    leading name (the text before the first " — ", " – ", " - ", ":" or "|"), or the name
///    given for the title at init;
/// 2. then by the *weakest* word's tier — **prefix** (the word begins the title), **word
///    start**, **substring**, **typo** (a word start within one edit per five letters of the
///    word, Damerau: a swap of neighbours is one edit), **subsequence** (the word's letters in
///    order, as fzf matches);
/// 3. then by the words' points summed: a match inside the leading name beats one in the rest,
///    fewer edits beat more, a tighter subsequence beats a looser one;
/// 4. then shorter titles (in characters, folded), then catalog order.
///
/// Typo and subsequence matches are looked for only when the literal tiers (1–2 down to
/// substring) find fewer than `approximateBelow` titles, and only for ASCII words of two or
/// more bytes with a letter among them (numbers, such as ids, match literally): with many literal matches a misspelling is unlikely and the fuzzy ones would
/// be noise (a short subsequence matches nearly every title). The count of matches is exact
/// for what was looked for; `Matches.includesApproximate` says whether that included them.
public struct TitleFilter: Sendable {
    /// How good a match is, weakest first. A title's tier is its weakest word's, or `exact`.
    public enum Tier: Int, Sendable, Comparable, CaseIterable {
        case subsequence = 1, typo, substring, wordStart, prefix, exact

        public static func < (lhs: Tier, rhs: Tier) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// The result of a search: every matching title, best first.
    public struct Matches: Sendable, Equatable {
        /// Positions (into the titles given at init) of the matching titles, best first.
        public let indices: [Int]
        /// How many matches each tier has, by `Tier.rawValue` (index 0 unused). An empty query
        /// counts every title as exact.
        public let tierCounts: [Int]
        /// Whether typo and subsequence matches were looked for (the literal ones were few).
        public let includesApproximate: Bool

        /// How many of `indices` (from the front) match at `tier` or better.
        public func count(atLeast tier: Tier) -> Int {
            tierCounts[tier.rawValue...].reduce(0, +)
        }
    }

    /// Approximate (typo, subsequence) tiers are searched when fewer literal matches than this.
    public static let approximateBelow = 100

    /// The titles, as given (for highlights).
    let titles: [String]
    /// Folded titles, each followed by one NUL byte, then `padding` zero bytes.
    let bytes: [UInt8]
    /// Where each folded title starts in `bytes`, plus one final entry: the end of the last NUL.
    let starts: [Int]
    /// Per title: which bytes occur in it (`TitleFilter.signatureBit`).
    let signatures: [UInt64]
    /// Per title: which letters and digits start its words, and which bytes follow them (a
    /// typo or subsequence match begins at a word start, so these reject most titles at once).
    let startSignatures: [UInt64]
    let secondSignatures: [UInt64]
    /// Per title: its folded length in characters, at most `UInt16.max`.
    let lengths: [UInt16]
    /// Per title: the end of its leading name, in bytes from the title's start.
    let nameEnds: [Int32]
    /// The names given at init, folded like titles, with their starts (plus a final entry).
    let names: (bytes: [UInt8], starts: [Int])?
    /// The distinct words of the titles, with the titles holding each (for typo searches).
    let words: Words

    /// Zero bytes after the last title, so SIMD loads near the end stay inside the buffer.
    static let padding = 64

    /// The number of titles.
    public var count: Int { starts.count - 1 }

    /// Titles per unit of parallel work; a cancellation check runs between units.
    static let chunkTitles = 16_384

    /// Folds `titles` (and `names`) once for searching, in parallel slices that are then joined.
    /// - Parameters:
    ///   - titles: the text searched and shown.
    ///   - names: optional, one per title: a key field (say a package name) that also counts
    ///     as the title's name for exact matches, besides the title's own leading name.
    /// - Complexity: O(total UTF-8 bytes); non-ASCII characters are folded through a cache.
    public init(titles: [String], names: [String]? = nil) {
        precondition(names == nil || names!.count == titles.count, "one name per title")
        self.titles = titles
        let folded = TitleFilter.foldAll(titles, measure: true)
        var bytes = folded.bytes
        bytes += [UInt8](repeating: 0, count: TitleFilter.padding)
        self.bytes = bytes
        starts = folded.starts
        signatures = folded.signatures
        startSignatures = folded.startSignatures
        secondSignatures = folded.secondSignatures
        lengths = folded.lengths
        nameEnds = folded.nameEnds
        words = Words(bytes: bytes, starts: folded.starts)
        self.names = names.map {
            let names = TitleFilter.foldAll($0, measure: false)
            return (names.bytes, names.starts)
        }
    }

    /// Folds `texts` into one NUL-separated buffer in parallel slices; with `measure`, also
    /// each text's signature, length and name end.
    private static func foldAll(_ texts: [String], measure: Bool)
        -> (bytes: [UInt8], starts: [Int], signatures: [UInt64], startSignatures: [UInt64], secondSignatures: [UInt64],
            lengths: [UInt16], nameEnds: [Int32]) {
        let parts = max(1, min(ProcessInfo.processInfo.activeProcessorCount, texts.count / 4096))
        let slices = Parallel.map(parts) { part in
            let range = (texts.count * part / parts)..<(texts.count * (part + 1) / parts)
            var folder = Folder()
            var bytes = [UInt8]()
            bytes.reserveCapacity(range.reduce(0) { $0 + texts[$1].utf8.count + 1 })
            var starts = [Int](), signatures = [UInt64](), lengths = [UInt16](), nameEnds = [Int32]()
            var startSignatures = [UInt64](), secondSignatures = [UInt64]()
            starts.reserveCapacity(range.count)
            for position in range {
                starts.append(bytes.count)
                folder.append(texts[position], to: &bytes)
                bytes.append(0)
            }
            if measure {
                signatures.reserveCapacity(range.count)
                lengths.reserveCapacity(range.count)
                nameEnds.reserveCapacity(range.count)
                bytes.withUnsafeBufferPointer { buffer in
                    for (slot, start) in starts.enumerated() {
                        let end = slot + 1 < starts.count ? starts[slot + 1] - 1 : buffer.count - 1
                        let title = UnsafeBufferPointer(rebasing: buffer[start..<end])
                        var signature: UInt64 = 0, startSignature: UInt64 = 0, secondSignature: UInt64 = 0, length = 0
                        for (offset, byte) in title.enumerated() {
                            signature |= TitleFilter.signatureBit(byte)
                            length += byte & 0xC0 == 0x80 ? 0 : 1
                            if TitleFilter.isASCIILetterOrDigit(byte)
                                && TitleFilter.isWordStart(buffer.baseAddress!, offset: start + offset, titleStart: start) {
                                startSignature |= TitleFilter.signatureBit(byte)
                                if offset + 1 < title.count { secondSignature |= TitleFilter.signatureBit(title[offset + 1]) }
                            }
                        }
                        signatures.append(signature)
                        startSignatures.append(startSignature)
                        secondSignatures.append(secondSignature)
                        lengths.append(UInt16(clamping: length))
                        nameEnds.append(Int32(clamping: TitleFilter.nameEnd(title)))
                    }
                }
            }
            return (bytes, starts, signatures, startSignatures, secondSignatures, lengths, nameEnds)
        }
        var bytes = [UInt8]()
        bytes.reserveCapacity(slices.reduce(0) { $0 + $1.0.count })
        var starts = [Int](), signatures = [UInt64](), lengths = [UInt16](), nameEnds = [Int32]()
        var startSignatures = [UInt64](), secondSignatures = [UInt64]()
        starts.reserveCapacity(texts.count + 1)
        for slice in slices {
            let offset = bytes.count
            starts += slice.1.map { $0 + offset }
            bytes += slice.0
            signatures += slice.2
            startSignatures += slice.3
            secondSignatures += slice.4
            lengths += slice.5
            nameEnds += slice.6
        }
        starts.append(bytes.count)
        return (bytes, starts, signatures, startSignatures, secondSignatures, lengths, nameEnds)
    }

    /// `text` folded as titles are: lowercase, no accents or width variants, controls as spaces.
    static func fold(_ text: String) -> String {
        var folder = Folder()
        var bytes = [UInt8]()
        folder.append(text, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The end of a folded title's leading name: before its first " — ", " – ", " - ", ":" or
    /// "|" (trailing spaces trimmed), or the whole title when it has none.
    static func nameEnd(_ title: UnsafeBufferPointer<UInt8>) -> Int {
        var end = title.count
        var position = 0
        search: while position < title.count {
            switch title[position] {
            case 0x3A, 0x7C:  // ":" "|"
                end = position
                break search
            case 0x20 where position + 2 < title.count && title[position + 1] == 0x2D && title[position + 2] == 0x20:
                end = position
                break search
            case 0x20 where position + 4 < title.count && title[position + 1] == 0xE2 && title[position + 2] == 0x80
                    && (title[position + 3] == 0x94 || title[position + 3] == 0x93) && title[position + 4] == 0x20:
                end = position
                break search
            default:
                position += 1
            }
        }
        while end > 0 && title[end - 1] == 0x20 { end -= 1 }
        return end
    }

    // MARK: - Searching

    /// The titles matching every word of `query`, best first (see the type's ranking).
    /// - Parameters:
    ///   - query: words separated by spaces; an empty query matches every title in order.
    ///   - isCancelled: polled between chunks of titles (from several threads); returning true
    ///     abandons the search, so the newest keystroke does not wait for an older one.
    /// - Returns: the matches, ranked.
    /// - Throws: `CancellationError` when `isCancelled` returned true.
    /// - Complexity: O(titles) signature tests plus O(bytes) in the titles that pass them, spread
    ///   over all cores; the ranking is a counting sort, O(matches).
    public func search(_ query: String, isCancelled: @Sendable () -> Bool = { false }) throws -> Matches {
        var prepared = PreparedQuery(query)
        guard !prepared.words.isEmpty else {
            var tierCounts = [Int](repeating: 0, count: Tier.exact.rawValue + 1)
            tierCounts[Tier.exact.rawValue] = count
            return Matches(indices: Array(0..<count), tierCounts: tierCounts, includesApproximate: false)
        }
        var hits = try scan(prepared, approximate: false, isCancelled: isCancelled)
        var includesApproximate = false
        if hits.reduce(0, { $0 + $1.titles.count }) < TitleFilter.approximateBelow && prepared.allowsApproximate {
            prepared.findTypoCandidates(in: self)
            hits = try scan(prepared, approximate: true, isCancelled: isCancelled)
            includesApproximate = true
        }
        return rank(hits, includesApproximate: includesApproximate)
    }

    /// The matching titles of every chunk, with their scores, in title order.
    private func scan(_ query: PreparedQuery, approximate: Bool, isCancelled: @Sendable () -> Bool) throws -> [Hits] {
        let chunkCount = (count + TitleFilter.chunkTitles - 1) / TitleFilter.chunkTitles
        let chunks = Parallel.map(chunkCount) { chunk -> Hits? in
            guard !isCancelled() else { return nil }
            let first = chunk * TitleFilter.chunkTitles
            return scanChunk(query, titles: first..<min(count, first + TitleFilter.chunkTitles), approximate: approximate)
        }
        return try chunks.map { chunk in
            guard let chunk else { throw CancellationError() }
            return chunk
        }
    }

    /// Orders the hits best first: a stable counting sort on (score rank, length), so that
    /// equal scores and lengths stay in catalog order. Each core counts, then places, the
    /// hits of its own run of chunks (a million one-letter matches take a few milliseconds).
    private func rank(_ hits: [Hits], includesApproximate: Bool) -> Matches {
        let parts = max(1, min(Parallel.workerCount, hits.count))
        func run(_ part: Int) -> ArraySlice<Hits> { hits[(hits.count * part / parts)..<(hits.count * (part + 1) / parts)] }
        var scoreCounts = [[Int]](repeating: [], count: parts)
        scoreCounts.withUnsafeMutableBufferPointer { scoreCounts in
            Parallel.forEachSlice(of: parts, parts: parts) { part, _ in
                var counts = [Int](repeating: 0, count: Score.limit)
                counts.withUnsafeMutableBufferPointer { counts in
                    for chunk in run(part) { for score in chunk.scores { counts[Int(score)] += 1 } }
                }
                scoreCounts[part] = counts
            }
        }
        // Dense ranks, best score first; then 1,024 length buckets per rank.
        var tierCounts = [Int](repeating: 0, count: Tier.exact.rawValue + 1)
        var ranked = [Int32](repeating: 0, count: Score.limit)
        var ranks = 0
        for score in stride(from: Score.limit - 1, through: 0, by: -1) {
            let count = scoreCounts.reduce(0) { $0 + $1[score] }
            guard count > 0 else { continue }
            tierCounts[Score.tier(of: UInt16(score)).rawValue] += count
            ranked[score] = Int32(ranks)
            ranks += 1
        }
        let rankOf = ranked, lengthBuckets = 1024, buckets = ranks * lengthBuckets
        var next = [[Int]](repeating: [], count: parts)
        // Calls `body(bucket, title)` for each hit of `part`, in order.
        func forEachHit(of part: Int, _ body: (Int, Int32) -> Void) {
            rankOf.withUnsafeBufferPointer { rankOf in
                lengths.withUnsafeBufferPointer { lengths in
                    for chunk in run(part) {
                        for (title, score) in zip(chunk.titles, chunk.scores) {
                            body(Int(rankOf[Int(score)]) * lengthBuckets + min(Int(lengths[Int(title)]), lengthBuckets - 1),
                                 title)
                        }
                    }
                }
            }
        }
        next.withUnsafeMutableBufferPointer { next in
            Parallel.forEachSlice(of: parts, parts: parts) { part, _ in
                var counts = [Int](repeating: 0, count: buckets)
                counts.withUnsafeMutableBufferPointer { counts in forEachHit(of: part) { bucket, _ in counts[bucket] += 1 } }
                next[part] = counts
            }
        }
        // Each part's first slot per bucket: after every earlier bucket, and this bucket's
        // hits of the earlier parts.
        var total = 0
        for slot in 0..<buckets {
            for part in 0..<parts {
                let count = next[part][slot]
                next[part][slot] = total
                total += count
            }
        }
        var indices = [Int](repeating: 0, count: total)
        indices.withUnsafeMutableBufferPointer { out in
            next.withUnsafeMutableBufferPointer { next in
                Parallel.forEachSlice(of: parts, parts: parts) { part, _ in
                    next[part].withUnsafeMutableBufferPointer { next in
                        forEachHit(of: part) { bucket, title in
                            out[next[bucket]] = Int(title)
                            next[bucket] += 1
                        }
                    }
                }
            }
        }
        return Matches(indices: indices, tierCounts: tierCounts, includesApproximate: includesApproximate)
    }
}

// MARK: - Folding

/// Folds text for matching: ASCII is lowercased directly; every other character is folded
/// once (Foundation's case-, diacritic- and width-insensitive folding) and remembered.
struct Folder {
    private var cache: [UInt32: [UInt8]] = [:]

    /// Appends the folded UTF-8 of `text` to `bytes`; controls (and NUL) become spaces.
    mutating func append(_ text: String, to bytes: inout [UInt8]) {
        var text = text
        text.makeContiguousUTF8()
        text.utf8.withContiguousStorageIfAvailable { utf8 in
            var index = 0
            while index < utf8.count {
                let byte = utf8[index]
                if byte < 0x80 {
                    bytes.append(Folder.foldASCII(byte))
                    index += 1
                    continue
                }
                let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2
                let end = min(utf8.count, index + length)
                var value = UInt32(byte) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
                for continuation in utf8[(index + 1)..<end] { value = value << 6 | UInt32(continuation & 0x3F) }
                bytes.append(contentsOf: folded(value))
                index = end
            }
        }
    }

    /// How many folded bytes `scalar` becomes (as `append` folds it).
    mutating func foldedCount(_ scalar: Unicode.Scalar) -> Int {
        scalar.value < 0x80 ? 1 : folded(scalar.value).count
    }

    /// An ASCII byte folded: capitals lowercased, controls as spaces.
    static func foldASCII(_ byte: UInt8) -> UInt8 {
        if byte >= 0x41 && byte <= 0x5A { return byte + 0x20 }
        return byte < 0x20 || byte == 0x7F ? 0x20 : byte
    }

    /// The folded UTF-8 of one scalar (empty for combining marks).
    private mutating func folded(_ value: UInt32) -> [UInt8] {
        if let known = cache[value] { return known }
        var result = [UInt8]()
        if let scalar = Unicode.Scalar(value) {
            let category = scalar.properties.generalCategory
            if category == .nonspacingMark || category == .enclosingMark {
                result = []
            } else if category == .control || category == .lineSeparator || category == .paragraphSeparator
                        || category == .spaceSeparator {
                result = [0x20]
            } else {
                let options: String.CompareOptions = [.caseInsensitive, .diacriticInsensitive, .widthInsensitive]
                var kept = String.UnicodeScalarView()
                kept.append(contentsOf: String(Character(scalar)).folding(options: options, locale: nil).unicodeScalars
                    .filter { $0.properties.generalCategory != .nonspacingMark })
                result = Array(String(kept).utf8)
            }
        }
        cache[value] = result
        return result
    }
}
