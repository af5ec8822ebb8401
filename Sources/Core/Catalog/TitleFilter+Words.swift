import Foundation

extension TitleFilter {
    /// The distinct words of the folded titles — maximal runs of ASCII letters and digits —
    /// each with the titles that hold it, so that a one-typo search looks among ~10⁵ words
    /// instead of 10⁶ titles and then checks only the titles of the words it found.
    ///
    /// Why the words suffice (a query word of ASCII letters and digits, one edit allowed): a typo
    /// window begins at a word start, so at the start of a run. Either it lies inside that run —
    /// then it is a prefix of the run within one edit, which the same bit-parallel scan finds
    /// when run over the run's bytes alone — or it holds one byte that is not a letter or digit,
    /// which no query byte matches, so that byte is the one edit and everything before it is
    /// the whole run, equal to a proper prefix of the query word.
    struct Words: Sendable {
        /// Where each distinct word is in the filter's folded bytes (its first occurrence), and
        /// its length.
        let offsets: [Int]
        let lengths: [Int32]
        /// The titles holding word `w`, ascending: `titles[postingStarts[w]..<postingStarts[w + 1]]`.
        let postingStarts: [Int]
        let titles: [Int32]

        /// The number of distinct words.
        var count: Int { offsets.count }

        /// Bytes held, for the memory report.
        var byteCount: Int { offsets.count * 8 + lengths.count * 4 + postingStarts.count * 8 + titles.count * 4 }

        /// Collects the words of every title in `bytes` (titles start at `starts`, NUL after
        /// each), in parallel slices whose words are then merged.
        /// - Complexity: O(bytes), expected (hashing).
        init(bytes: [UInt8], starts: [Int]) {
            let titleCount = starts.count - 1
            let parts = max(1, min(Parallel.workerCount, titleCount / 4096))
            // Per slice: its distinct words (offsets, lengths, hashes), and per title the ids
            // of its words, each once, after the title's count.
            let slices = bytes.withUnsafeBufferPointer { buffer in
                let base = UnsafeSendablePointer(buffer.baseAddress!)
                return Parallel.map(parts) { part -> (table: WordTable, titleWords: [Int32]) in
                    var table = WordTable()
                    var titleWords = [Int32]()
                    var stamp = [Int32]()  // per word: the last title (+1) that listed it
                    for title in (titleCount * part / parts)..<(titleCount * (part + 1) / parts) {
                        let countSlot = titleWords.count
                        titleWords.append(0)
                        var position = starts[title]
                        let end = starts[title + 1] - 1
                        while position < end {
                            guard TitleFilter.isASCIILetterOrDigit(base.pointer[position]) else {
                                position += 1
                                continue
                            }
                            let first = position
                            while position < end && TitleFilter.isASCIILetterOrDigit(base.pointer[position]) { position += 1 }
                            let id = table.insert(base.pointer, offset: first, length: position - first)
                            if Int(id) == stamp.count { stamp.append(0) }
                            if stamp[Int(id)] != Int32(title + 1) {
                                stamp[Int(id)] = Int32(title + 1)
                                titleWords.append(id)
                                titleWords[countSlot] += 1
                            }
                        }
                    }
                    return (table, titleWords)
                }
            }
            // One table over the slices' words; each slice's ids mapped to the merged ones.
            var merged = WordTable()
            let mappings = bytes.withUnsafeBufferPointer { buffer in
                slices.map { slice in
                    (0..<slice.table.count).map { id in
                        merged.insert(buffer.baseAddress!, offset: slice.table.offsets[id],
                                      length: Int(slice.table.lengths[id]), hash: slice.table.hashes[id])
                    }
                }
            }
            var postingStarts = [Int](repeating: 0, count: merged.count + 1)
            for (slice, mapping) in zip(slices, mappings) {
                var slot = 0
                while slot < slice.titleWords.count {
                    let words = Int(slice.titleWords[slot])
                    for id in slice.titleWords[(slot + 1)..<(slot + 1 + words)] { postingStarts[Int(mapping[Int(id)]) + 1] += 1 }
                    slot += 1 + words
                }
            }
            for word in 0..<merged.count { postingStarts[word + 1] += postingStarts[word] }
            var next = postingStarts
            var titles = [Int32](repeating: 0, count: postingStarts[merged.count])
            var title: Int32 = 0
            for (slice, mapping) in zip(slices, mappings) {
                var slot = 0
                while slot < slice.titleWords.count {
                    let words = Int(slice.titleWords[slot])
                    for id in slice.titleWords[(slot + 1)..<(slot + 1 + words)] {
                        let word = Int(mapping[Int(id)])
                        titles[next[word]] = title
                        next[word] += 1
                    }
                    slot += 1 + words
                    title += 1
                }
            }
            offsets = merged.offsets
            lengths = merged.lengths
            self.postingStarts = postingStarts
            self.titles = titles
        }

        /// The titles where `word` may have a one-edit typo match (a superset: each is then
        /// checked), as a bitmap of `titleCount` bits; nil unless the word is ASCII letters
        /// and digits with a budget of one edit.
        /// - Parameters:
        ///   - base: the filter's folded bytes (which the word offsets point into).
        func typoCandidates(_ word: WordView, base: UnsafePointer<UInt8>, titleCount: Int) -> [UInt64]? {
            guard word.typoBudget == 1, word.bytes.allSatisfy(TitleFilter.isASCIILetterOrDigit) else { return nil }
            let length = word.bytes.count
            var bitmap = [UInt64](repeating: 0, count: (titleCount + 63) / 64)
            bitmap.withUnsafeMutableBufferPointer { bitmap in
                for id in 0..<count {
                    let offset = offsets[id], wordLength = Int(lengths[id])
                    let inside = wordLength >= length - 1
                        && TitleFilter.typoEnd(word, base: base, start: offset, end: offset + wordLength) != nil
                    let before = wordLength < length && memcmp(base + offset, word.bytes.baseAddress!, wordLength) == 0
                    guard inside || before else { continue }
                    for title in titles[postingStarts[id]..<postingStarts[id + 1]] {
                        bitmap[Int(title) >> 6] |= 1 << UInt64(title & 63)
                    }
                }
            }
            return bitmap
        }
    }

    /// A pointer handed to `Parallel.map`'s workers, which only read through it.
    // @unchecked: the buffer it points into outlives the `Parallel.map` call (it is borrowed
    // around it) and nothing writes to it meanwhile.
    struct UnsafeSendablePointer: @unchecked Sendable {
        let pointer: UnsafePointer<UInt8>
        init(_ pointer: UnsafePointer<UInt8>) { self.pointer = pointer }
    }

    /// An open-addressing hash set of byte strings that lie in a buffer its caller keeps,
    /// numbering them in the order first inserted.
    struct WordTable: Sendable {
        private(set) var offsets: [Int] = []
        private(set) var lengths: [Int32] = []
        private(set) var hashes: [UInt64] = []
        /// Word id + 1 per slot, 0 for an empty slot; a power of two, at most half full.
        private var slots = [Int32](repeating: 0, count: 1024)

        var count: Int { offsets.count }

        /// The id of the string `base[offset..<offset + length]`, inserted if new.
        mutating func insert(_ base: UnsafePointer<UInt8>, offset: Int, length: Int, hash: UInt64? = nil) -> Int32 {
            let hash = hash ?? WordTable.hash(base + offset, length)
            var slot = Int(truncatingIfNeeded: hash) & (slots.count - 1)
            while slots[slot] != 0 {
                let id = Int(slots[slot] - 1)
                if hashes[id] == hash && lengths[id] == Int32(length) && memcmp(base + offsets[id], base + offset, length) == 0 {
                    return Int32(id)
                }
                slot = (slot + 1) & (slots.count - 1)
            }
            slots[slot] = Int32(offsets.count + 1)
            offsets.append(offset)
            lengths.append(Int32(length))
            hashes.append(hash)
            if 2 * offsets.count > slots.count { grow() }
            return Int32(offsets.count - 1)
        }

        /// Doubles the slots and places every id again.
        private mutating func grow() {
            slots = [Int32](repeating: 0, count: slots.count * 2)
            for id in 0..<offsets.count {
                var slot = Int(truncatingIfNeeded: hashes[id]) & (slots.count - 1)
                while slots[slot] != 0 { slot = (slot + 1) & (slots.count - 1) }
                slots[slot] = Int32(id + 1)
            }
        }

        /// FNV-1a over the bytes, its high bits folded down (slots are taken from the low ones).
        static func hash(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> UInt64 {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for index in 0..<count { hash = (hash ^ UInt64(bytes[index])) &* 0x0000_0100_0000_01B3 }
            return hash ^ (hash >> 29)
        }
    }
}
