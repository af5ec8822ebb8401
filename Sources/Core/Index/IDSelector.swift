/// Bits over ids (or rows) 0..<count: FAISS's `IDSelectorBitmap` layout (bit i is bit i % 8
/// of byte i / 8; here stored as little-endian 64-bit words, the same bytes).
public struct IDBitmap: Sendable, Equatable {
    /// How many ids the bitmap covers; ids at or past it are never members.
    public let count: Int
    /// The bits, 64 to a word; bits past `count` are always clear.
    private(set) var words: [UInt64]

    /// A bitmap of `count` bits, all set or all clear.
    public init(count: Int, repeating value: Bool = false) {
        precondition(count >= 0, "a bitmap covers at least 0 ids")
        self.count = count
        words = [UInt64](repeating: value ? ~0 : 0, count: (count + 63) >> 6)
        if value { clearTail() }
    }

    /// A bitmap of `count` bits with bit i set where `isSet(i)`, built a word at a time.
    init(count: Int, where isSet: (Int) -> Bool) {
        self.count = count
        var words = [UInt64](repeating: 0, count: (count + 63) >> 6)
        words.withUnsafeMutableBufferPointer { out in
            for w in 0..<out.count {
                var word: UInt64 = 0
                let base = w << 6
                for bit in 0..<min(64, count - base) where isSet(base + bit) { word |= 1 << UInt64(bit) }
                out[w] = word
            }
        }
        self.words = words
    }

    /// Bit `index`.
    public subscript(index: Int) -> Bool {
        get { index >= 0 && index < count && words[index >> 6] >> UInt64(index & 63) & 1 != 0 }
        set {
            precondition(index >= 0 && index < count, "bit \(index) outside a bitmap of \(count)")
            if newValue { words[index >> 6] |= 1 << UInt64(index & 63) } else { words[index >> 6] &= ~(1 << UInt64(index & 63)) }
        }
    }

    /// Whether `id` is a member (false for negative ids and ids ≥ count).
    @inline(__always)
    public func contains(_ id: Int64) -> Bool {
        UInt64(bitPattern: id) < UInt64(count) && words[Int(id) >> 6] >> UInt64(id & 63) & 1 != 0
    }

    /// How many bits are set.
    /// - Complexity: O(count / 64).
    public var setCount: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }

    /// The set bits' indices, ascending.
    public var setIndices: [Int] {
        var out = [Int]()
        out.reserveCapacity(setCount)
        for (w, word) in words.enumerated() {
            var bits = word
            while bits != 0 {
                out.append(w << 6 | bits.trailingZeroBitCount)
                bits &= bits &- 1
            }
        }
        return out
    }

    /// Sets bits `range` (clipped to the bitmap).
    public mutating func setRange(_ range: Range<Int>) {
        let lower = max(0, range.lowerBound), upper = min(count, range.upperBound)
        guard lower < upper else { return }
        let first = lower >> 6, last = (upper - 1) >> 6
        let head: UInt64 = ~0 << UInt64(lower & 63)
        let tail: UInt64 = upper & 63 == 0 ? ~0 : ~(~0 << UInt64(upper & 63))
        if first == last {
            words[first] |= head & tail
            return
        }
        words[first] |= head
        for w in (first + 1)..<last { words[w] = ~0 }
        words[last] |= tail
    }

    /// Keeps the bits set in both. - Precondition: equal counts.
    public mutating func formIntersection(_ other: IDBitmap) {
        precondition(count == other.count, "intersecting bitmaps of \(count) and \(other.count) bits")
        for w in words.indices { words[w] &= other.words[w] }
    }

    /// Sets the bits set in either. - Precondition: equal counts.
    public mutating func formUnion(_ other: IDBitmap) {
        precondition(count == other.count, "uniting bitmaps of \(count) and \(other.count) bits")
        for w in words.indices { words[w] |= other.words[w] }
    }

    /// Flips every bit.
    public mutating func invert() {
        for w in words.indices { words[w] = ~words[w] }
        clearTail()
    }

    /// The first `newCount` bits (new bits clear).
    func resized(to newCount: Int) -> IDBitmap {
        if newCount == count { return self }
        var out = IDBitmap(count: newCount)
        let shared = min(words.count, out.words.count)
        for w in 0..<shared { out.words[w] = words[w] }
        out.clearTail()
        return out
    }

    private mutating func clearTail() {
        if count & 63 != 0 { words[words.count - 1] &= ~(~0 << UInt64(count & 63)) }
    }

    /// Runs `body` with a view of the words that inner loops test without bounds checks.
    func withFilter<R>(_ body: (IDFilter) throws -> R) rethrows -> R {
        try words.withUnsafeBufferPointer { try body(IDFilter(words: $0.baseAddress ?? UnsafePointer(bitPattern: 8)!, count: count)) }
    }
}

/// Which ids a search may return (FAISS's `IDSelector`, passed in `SearchParameters.selector`).
/// Searches return the best k vectors whose ids pass, padded with −1 only when fewer than k
/// pass: filtered vectors are skipped before they reach the top k (HNSW still walks through
/// them, as FAISS does, but never returns them). The ids are the index's own: external ids for
/// IDMap and IVF indexes, row numbers otherwise.
///
/// The forms are FAISS's: `range` (`IDSelectorRange`, [lower, upper)), `batch`
/// (`IDSelectorBatch`), `bitmap` (`IDSelectorBitmap`) and their combinations `not`, `and`,
/// `or` (`IDSelectorNot/And/Or`). A catalog filter (`CatalogFilter`) builds one from the
/// products that match. Values, no closures: a selector is `Sendable` and can be compared.
public struct IDSelector: Sendable, Equatable, CustomStringConvertible {
    indirect enum Kind: Sendable, Equatable {
        case range(Range<Int64>)
        /// Sorted, without repeats.
        case batch([Int64])
        case bitmap(IDBitmap)
        case not(Kind)
        case and(Kind, Kind)
        case or(Kind, Kind)
    }

    let kind: Kind

    /// Ids in `ids` (FAISS `IDSelectorRange(imin, imax)`, imax excluded).
    public static func range(_ ids: Range<Int64>) -> IDSelector { IDSelector(kind: .range(ids)) }

    /// The ids listed, in any order, repeats allowed (FAISS `IDSelectorBatch`).
    /// - Complexity: O(m log m) to sort; membership is then a binary search.
    public static func batch<S: Sequence>(_ ids: S) -> IDSelector where S.Element == Int64 {
        var sorted = Array(ids)
        sorted.sort()
        var unique = [Int64]()
        unique.reserveCapacity(sorted.count)
        for id in sorted where unique.last != id { unique.append(id) }
        return IDSelector(kind: .batch(unique))
    }

    /// Ids whose bit is set (FAISS `IDSelectorBitmap`).
    public static func bitmap(_ bitmap: IDBitmap) -> IDSelector { IDSelector(kind: .bitmap(bitmap)) }

    /// Every id this selector refuses (FAISS `IDSelectorNot`).
    public var inverted: IDSelector {
        if case let .not(inner) = kind { return IDSelector(kind: inner) }
        return IDSelector(kind: .not(kind))
    }

    /// Ids both select (FAISS `IDSelectorAnd`).
    public func intersection(_ other: IDSelector) -> IDSelector { IDSelector(kind: .and(kind, other.kind)) }

    /// Ids either selects (FAISS `IDSelectorOr`).
    public func union(_ other: IDSelector) -> IDSelector { IDSelector(kind: .or(kind, other.kind)) }

    /// Whether a search may return `id`.
    /// - Complexity: O(1) for ranges and bitmaps, O(log m) for a batch of m ids.
    public func contains(_ id: Int64) -> Bool { Self.contains(kind, id) }

    private static func contains(_ kind: Kind, _ id: Int64) -> Bool {
        switch kind {
        case let .range(range): return range.contains(id)
        case let .batch(ids): return binarySearch(ids, id)
        case let .bitmap(bitmap): return bitmap.contains(id)
        case let .not(inner): return !contains(inner, id)
        case let .and(a, b): return contains(a, id) && contains(b, id)
        case let .or(a, b): return contains(a, id) || contains(b, id)
        }
    }

    private static func binarySearch(_ ids: [Int64], _ id: Int64) -> Bool {
        let i = lowerBound(ids.count) { ids[$0] < id }
        return i < ids.count && ids[i] == id
    }

    /// The first index in 0..<count for which `isBelow` is false (`isBelow` true then false).
    static func lowerBound(_ count: Int, _ isBelow: (Int) -> Bool) -> Int {
        var low = 0, high = count
        while low < high {
            let mid = (low + high) >> 1
            if isBelow(mid) { low = mid + 1 } else { high = mid }
        }
        return low
    }

    public var description: String { Self.describe(kind) }

    private static func describe(_ kind: Kind) -> String {
        switch kind {
        case let .range(r): return "ids \(r.lowerBound)..<\(r.upperBound)"
        case let .batch(ids): return "\(ids.count) listed ids"
        case let .bitmap(b): return "\(b.setCount) of \(b.count) ids (bitmap)"
        case let .not(inner): return "not (\(describe(inner)))"
        case let .and(a, b): return "(\(describe(a))) and (\(describe(b)))"
        case let .or(a, b): return "(\(describe(a))) or (\(describe(b)))"
        }
    }

    // MARK: - Rows

    /// The rows 0..<count of an index whose ids are its row numbers that the selector passes.
    /// - Complexity: O(count / 64) plus O(m) for a batch of m ids (O(count) for a bitmap
    ///   inside `not`/`and`/`or`).
    public func rowMask(count: Int) -> IDBitmap { Self.rowMask(kind, count: count) }

    private static func rowMask(_ kind: Kind, count: Int) -> IDBitmap {
        switch kind {
        case let .range(r):
            var mask = IDBitmap(count: count)
            let lower = Int(clamping: max(0, r.lowerBound)), upper = Int(clamping: min(Int64(count), r.upperBound))
            if lower < upper { mask.setRange(lower..<upper) }
            return mask
        case let .batch(ids):
            var mask = IDBitmap(count: count)
            for id in ids where id >= 0 && id < Int64(count) { mask[Int(id)] = true }
            return mask
        case let .bitmap(bitmap):
            return bitmap.resized(to: count)
        case let .not(inner):
            var mask = rowMask(inner, count: count)
            mask.invert()
            return mask
        case let .and(a, b):
            var mask = rowMask(a, count: count)
            mask.formIntersection(rowMask(b, count: count))
            return mask
        case let .or(a, b):
            var mask = rowMask(a, count: count)
            mask.formUnion(rowMask(b, count: count))
            return mask
        }
    }

    /// The rows whose id `ids[row]` the selector passes (an IDMap's translation to its inner
    /// index, FAISS's `IDSelectorTranslated`), with `order` the rows sorted by id (ties by row).
    /// - Complexity: a batch of m ids: O(m log n) when small, else one O(n + m) merge; a
    ///   range: O(log n + rows inside); a bitmap: O(n).
    func rowMask(ids: [Int64], order: [Int]) -> IDBitmap { Self.rowMask(kind, ids: ids, order: order) }

    private static func rowMask(_ kind: Kind, ids: [Int64], order: [Int]) -> IDBitmap {
        let n = ids.count
        var mask = IDBitmap(count: n)
        /// Sets every row whose id lies in [lower, upper), found from position `start` of `order`.
        func setRows(from start: Int, below upper: Int64) -> Int {
            var i = start
            while i < n && ids[order[i]] < upper {
                mask[order[i]] = true
                i += 1
            }
            return i
        }
        switch kind {
        case let .range(r):
            let start = lowerBound(n) { ids[order[$0]] < r.lowerBound }
            _ = setRows(from: start, below: r.upperBound)
        case let .batch(batch):
            let logN = max(1, Int.bitWidth - n.leadingZeroBitCount)
            if batch.count * logN < n {
                for id in batch {
                    _ = setRows(from: lowerBound(n) { ids[order[$0]] < id }, below: id &+ 1)
                }
            } else {
                var i = 0
                for id in batch {
                    while i < n && ids[order[i]] < id { i += 1 }
                    i = setRows(from: i, below: id &+ 1)
                    if i == n { break }
                }
            }
        case let .bitmap(bitmap):
            for row in 0..<n where bitmap.contains(ids[row]) { mask[row] = true }
        case let .not(inner):
            mask = rowMask(inner, ids: ids, order: order)
            mask.invert()
        case let .and(a, b):
            mask = rowMask(a, ids: ids, order: order)
            mask.formIntersection(rowMask(b, ids: ids, order: order))
        case let .or(a, b):
            mask = rowMask(a, ids: ids, order: order)
            mask.formUnion(rowMask(b, ids: ids, order: order))
        }
        return mask
    }

    /// Runs `body` with the test a search's inner loop makes per candidate id: a bitmap view
    /// when the selector is a bitmap, else the selector itself (IVF lists, whose ids are free).
    func withIDFilter<R>(_ body: (IDFilter) throws -> R) rethrows -> R {
        if case let .bitmap(bitmap) = kind { return try bitmap.withFilter(body) }
        return try body(IDFilter(selector: self))
    }
}

/// A selector as search loops test it: the words of a bitmap (tested without bounds checks),
/// or, for selectors that are no bitmap, the selector. Lives only inside a `with…` closure.
struct IDFilter {
    private let words: UnsafePointer<UInt64>?
    private let count: UInt64
    private let selector: IDSelector?

    init(words: UnsafePointer<UInt64>, count: Int) {
        self.words = words
        self.count = UInt64(count)
        selector = nil
    }

    init(selector: IDSelector) {
        words = nil
        count = 0
        self.selector = selector
    }

    /// Whether `id` passes.
    @inline(__always)
    func contains(_ id: Int64) -> Bool {
        if let words {
            return UInt64(bitPattern: id) < count && words[Int(truncatingIfNeeded: id) &>> 6] &>> UInt64(id & 63) & 1 != 0
        }
        return selector!.contains(id)
    }

    /// Whether any of ids `range` passes (bitmaps only; other selectors answer true), so that
    /// scans can skip a block whose rows are all filtered out.
    @inline(__always)
    func anyInRange(_ range: Range<Int>) -> Bool {
        guard let words, !range.isEmpty else { return !range.isEmpty }
        let lower = range.lowerBound, upper = min(range.upperBound, Int(count))
        guard lower < upper else { return false }
        let first = lower &>> 6, last = (upper &- 1) &>> 6
        var w = first
        while w <= last {
            var word = words[w]
            if w == first { word &= ~0 &<< UInt64(lower & 63) }
            if w == last && upper & 63 != 0 { word &= ~(~0 &<< UInt64(upper & 63)) }
            if word != 0 { return true }
            w &+= 1
        }
        return false
    }
}
