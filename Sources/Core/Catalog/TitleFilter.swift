import Dispatch
import Foundation

/// A name filter over many titles that answers while the user types: case-, accent- and
/// width-insensitive substring matching, with titles where every query word starts a word
/// ranked first. Words of a query must all match (AND); CJK text matches as a substring.
///
/// Titles are folded once (lowercased, accents and width variants removed) into one
/// contiguous UTF-8 buffer, each followed by a NUL; a query is folded the same way and found
/// with `memmem` over the buffer, so a search touches each byte about once and no title is
/// decoded again.
public struct TitleFilter: Sendable {
    /// The result of a search: matching title positions, best first.
    public struct Matches: Sendable, Equatable {
        /// Positions (into the titles given at init) of the matching titles: first those where
        /// every query word matches at the start of a word, then the other substring matches,
        /// each group in title order.
        public let indices: [Int]
        /// How many of `indices` (from the front) are word-prefix matches.
        public let wordPrefixCount: Int
    }

    /// Folded titles, each followed by one NUL byte.
    private let bytes: [UInt8]
    /// Where each folded title starts in `bytes`, plus one final entry: `bytes.count`.
    private let starts: [Int]
    /// How often each byte value occurs in `bytes`: a word is looked for by its rarest byte.
    private let byteCounts: [Int]

    /// The number of titles.
    public var count: Int { starts.count - 1 }

    /// Titles per unit of parallel work; a cancellation check runs between units.
    static let chunkTitles = 16_384

    /// Folds `titles` once for searching, in parallel slices that are then joined.
    /// - Complexity: O(total UTF-8 bytes); non-ASCII characters are folded through a cache.
    public init(titles: [String]) {
        let parts = max(1, min(ProcessInfo.processInfo.activeProcessorCount, titles.count / 4096))
        let slices = Parallel.map(parts) { part in
            let range = (titles.count * part / parts)..<(titles.count * (part + 1) / parts)
            var folder = Folder()
            var bytes = [UInt8]()
            bytes.reserveCapacity(range.reduce(0) { $0 + titles[$1].utf8.count + 1 })
            var starts = [Int]()
            starts.reserveCapacity(range.count)
            for position in range {
                starts.append(bytes.count)
                folder.append(titles[position], to: &bytes)
                bytes.append(0)
            }
            var counts = [Int](repeating: 0, count: 256)
            bytes.withUnsafeBufferPointer { for byte in $0 { counts[Int(byte)] += 1 } }
            return (bytes: bytes, starts: starts, counts: counts)
        }
        var bytes = [UInt8]()
        bytes.reserveCapacity(slices.reduce(0) { $0 + $1.bytes.count })
        var starts = [Int]()
        starts.reserveCapacity(titles.count + 1)
        var byteCounts = [Int](repeating: 0, count: 256)
        for slice in slices {
            let offset = bytes.count
            starts += slice.starts.map { $0 + offset }
            bytes += slice.bytes
            for value in 0..<256 { byteCounts[value] += slice.counts[value] }
        }
        starts.append(bytes.count)
        self.bytes = bytes
        self.starts = starts
        self.byteCounts = byteCounts
    }

    /// `text` folded as titles are: lowercase, no accents or width variants, controls as spaces.
    static func fold(_ text: String) -> String {
        var folder = Folder()
        var bytes = [UInt8]()
        folder.append(text, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The titles matching every word of `query`, word-prefix matches first.
    /// - Parameters:
    ///   - query: words separated by spaces; an empty query matches every title in order.
    ///   - isCancelled: polled between chunks of titles (from several threads); returning true
    ///     abandons the search, so the newest keystroke does not wait for an older one.
    /// - Returns: the matching positions.
    /// - Throws: `CancellationError` when `isCancelled` returned true.
    /// - Complexity: O(buffer bytes) per query word in the worst case, spread over all cores.
    public func search(_ query: String, isCancelled: @Sendable () -> Bool = { false }) throws -> Matches {
        let words = TitleFilter.fold(query).utf8.split(separator: 0x20).map { Word(Array($0), byteCounts: byteCounts) }
        guard !words.isEmpty else { return Matches(indices: Array(0..<count), wordPrefixCount: count) }
        // Scan with the longest word (usually the rarest); check the others only in its hits.
        let order = words.indices.sorted { words[$0].bytes.count > words[$1].bytes.count }
        let scanWord = words[order[0]]
        let otherWords = order.dropFirst().map { words[$0] }

        let chunkCount = (count + TitleFilter.chunkTitles - 1) / TitleFilter.chunkTitles
        // Per chunk: its (word-prefix, substring) hits, or nil when it was cancelled.
        let chunks = Parallel.map(chunkCount) { chunk -> (prefix: [Int], substring: [Int])? in
            guard !isCancelled() else { return nil }
            let first = chunk * TitleFilter.chunkTitles
            let titles = first..<min(count, first + TitleFilter.chunkTitles)
            return bytes.withUnsafeBufferPointer { buffer in
                scan(buffer, titles: titles, scanWord: scanWord, otherWords: otherWords)
            }
        }
        var prefix = [Int](), substring = [Int]()
        for chunk in chunks {
            guard let chunk else { throw CancellationError() }
            prefix += chunk.prefix
            substring += chunk.substring
        }
        return Matches(indices: prefix + substring, wordPrefixCount: prefix.count)
    }

    // MARK: - Scanning

    /// A query word and the two of its bytes that are rarest in the titles. Where the rarest
    /// byte is rare indeed, `memchr` finds it and the rest is compared there; where it is common
    /// (and the span long), 32 candidate positions are compared at once on both bytes, and the
    /// whole word only where both agree (the "packed pair" prefilter of fast substring search).
    struct Word {
        let bytes: [UInt8]
        /// Positions in `bytes` of the rarest byte and of the next rarest (the same for one byte).
        let rare: (Int, Int)
        /// Whether the rarest byte is under 1 in 64 of the titles' bytes (then `memchr` is faster).
        let isSparse: Bool

        init(_ bytes: [UInt8], byteCounts: [Int]) {
            self.bytes = bytes
            let byRarity = bytes.indices.sorted { byteCounts[Int(bytes[$0])] < byteCounts[Int(bytes[$1])] }
            let first = byRarity.first ?? 0
            rare = (first, byRarity.first { bytes[$0] != bytes[first] } ?? first)
            isSparse = bytes.isEmpty || byteCounts[Int(bytes[first])] * 64 < byteCounts.reduce(0, +)
        }

        /// The first occurrence of the word that lies wholly in `base[from..<to]`.
        func first(in base: UnsafePointer<UInt8>, from: Int, to: Int) -> Int? {
            let length = bytes.count
            let lastStart = to - length
            guard from <= lastStart else { return nil }
            let (i, j) = rare
            let (a, b) = (bytes[i], bytes[j])
            if isSparse || i == j || lastStart - from < 64 {
                return bytes.withUnsafeBufferPointer { word -> Int? in
                    var position = from + i
                    while position <= lastStart + i {
                        guard let hit = memchr(base + position, Int32(a), lastStart + i - position + 1) else { return nil }
                        let start = UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - base - i
                        if base[start + j] == b && memcmp(base + start, word.baseAddress!, length) == 0 { return start }
                        position = start + i + 1
                    }
                    return nil
                }
            }
            return bytes.withUnsafeBufferPointer { word -> Int? in
                let raw = UnsafeRawPointer(base)
                let wantA = SIMD32<UInt8>(repeating: a), wantB = SIMD32<UInt8>(repeating: b)
                var start = from
                // 32 starts at a time while every byte loaded lies before `to`.
                while start + 31 <= lastStart {
                    let atA = raw.loadUnaligned(fromByteOffset: start + i, as: SIMD32<UInt8>.self)
                    let atB = raw.loadUnaligned(fromByteOffset: start + j, as: SIMD32<UInt8>.self)
                    let candidates = (atA .== wantA) .& (atB .== wantB)
                    // Each lane is all ones or zeros: test the 32 bytes as four words (`any` is not inlined).
                    let lanes = unsafeBitCast(candidates, to: (UInt64, UInt64, UInt64, UInt64).self)
                    if lanes.0 | lanes.1 | lanes.2 | lanes.3 != 0 {
                        for lane in 0..<32 where candidates[lane] {
                            if memcmp(base + start + lane, word.baseAddress!, length) == 0 { return start + lane }
                        }
                    }
                    start += 32
                }
                while start <= lastStart {
                    if base[start + i] == a && base[start + j] == b && memcmp(base + start, word.baseAddress!, length) == 0 {
                        return start
                    }
                    start += 1
                }
                return nil
            }
        }
    }

    /// The titles in `titles` holding `scanWord` and every one of `otherWords`, split into
    /// those where every word matches at a word start and the rest.
    private func scan(_ buffer: UnsafeBufferPointer<UInt8>, titles: Range<Int>, scanWord: Word,
                      otherWords: [Word]) -> (prefix: [Int], substring: [Int]) {
        var prefix = [Int](), substring = [Int]()
        guard !titles.isEmpty, let base = buffer.baseAddress else { return (prefix, substring) }
        let end = starts[titles.upperBound]
        var position = starts[titles.lowerBound]
        var title = titles.lowerBound
        while let offset = scanWord.first(in: base, from: position, to: end) {
            title = titleIndex(containing: offset, from: title, below: titles.upperBound)
            let titleStart = starts[title], titleEnd = starts[title + 1] - 1  // the NUL
            var allAtWordStart = hasWordStart(base, word: scanWord, from: offset, titleStart: titleStart, titleEnd: titleEnd)
            var allFound = true
            for other in otherWords {
                guard let found = other.first(in: base, from: titleStart, to: titleEnd) else {
                    allFound = false
                    break
                }
                allAtWordStart = allAtWordStart && hasWordStart(base, word: other, from: found, titleStart: titleStart,
                                                                titleEnd: titleEnd)
            }
            if allFound {
                if allAtWordStart { prefix.append(title) } else { substring.append(title) }
            }
            position = titleEnd + 1
            title += 1
        }
        return (prefix, substring)
    }

    /// The title whose bytes hold `offset`, searching forward from `from` (gallop, then bisect).
    private func titleIndex(containing offset: Int, from: Int, below upper: Int) -> Int {
        var low = from
        var step = 1
        var high = from + 1
        while high < upper && starts[high] <= offset {
            low = high
            step *= 2
            high = low + step
        }
        high = min(high, upper)
        while high - low > 1 {
            let middle = (low + high) / 2
            if starts[middle] <= offset { low = middle } else { high = middle }
        }
        return low
    }

    /// Whether the occurrence of `word` at `from`, or a later one in the title, starts a word.
    private func hasWordStart(_ base: UnsafePointer<UInt8>, word: Word, from: Int, titleStart: Int, titleEnd: Int) -> Bool {
        var offset = from
        while !TitleFilter.isWordStart(base, offset: offset, titleStart: titleStart) {
            guard let next = word.first(in: base, from: offset + 1, to: titleEnd) else { return false }
            offset = next
        }
        return true
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
        let bytes = UnsafeBufferPointer(start: base + lead, count: offset - lead)
        guard let scalar = String(decoding: bytes, as: UTF8.self).unicodeScalars.first else { return true }
        let properties = scalar.properties
        if properties.isIdeographic { return true }
        return !(properties.isAlphabetic || properties.numericType != nil)
    }
}

// MARK: - Folding

/// Folds text for matching: ASCII is lowercased directly; every other character is folded
/// once (Foundation's case-, diacritic- and width-insensitive folding) and remembered.
private struct Folder {
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
                    if byte >= 0x41 && byte <= 0x5A {
                        bytes.append(byte + 0x20)
                    } else {
                        bytes.append(byte < 0x20 || byte == 0x7F ? 0x20 : byte)
                    }
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
