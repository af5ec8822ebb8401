/// Fixed-size records stored back to back — codes of quantized vectors, or float32 rows under
/// `VectorStorage`: owned and growable, or borrowed from a memory-mapped file (a FAISS file's
/// code or vector block), copied into owned memory only when appended to. The ledger sees the
/// owned capacity, or the mapped bytes.
public final class CodeStorage {
    /// Bytes per code.
    public let codeSize: Int
    /// Number of codes.
    public private(set) var count: Int
    private var owned: UnsafeMutableRawPointer?
    private(set) var capacity: Int
    private var mapping: MappedFile?
    private var mappedOffset: Int
    private var ledgerEntry: LedgerEntry

    /// Empty, owned storage.
    public init(codeSize: Int) {
        self.codeSize = codeSize
        count = 0
        owned = nil
        capacity = 0
        mapping = nil
        mappedOffset = 0
        ledgerEntry = MemoryLedger.shared.record(device: MemoryLedger.hostDevice, kind: .vectors, bytes: 0)
    }

    /// Borrows `count` codes at `offset` in `file`.
    /// - Precondition: the range lies inside the file (the readers check it first).
    public init(mapping file: MappedFile, offset: Int, count: Int, codeSize: Int) {
        precondition(offset + count * codeSize <= file.bytes.count)
        self.codeSize = codeSize
        self.count = count
        owned = nil
        capacity = 0
        mapping = file
        mappedOffset = offset
        ledgerEntry = MemoryLedger.shared.record(device: MemoryLedger.hostDevice, kind: .mappedVectors, bytes: count * codeSize)
    }

    deinit { owned?.deallocate() }

    /// Whether the codes live in a memory-mapped file.
    public var isMapped: Bool { mapping != nil }
    /// The file behind a mapped storage.
    public var mappedFile: MappedFile? { mapping }
    /// Where the records sit inside the mapped file.
    public var mappedByteRange: Range<Int>? { mapping == nil ? nil : mappedOffset..<(mappedOffset + byteCount) }
    /// Bytes of codes.
    public var byteCount: Int { count * codeSize }

    /// Start of code 0; valid until the next append.
    public var baseAddress: UnsafeRawPointer? {
        if let mapping { return mapping.bytes.baseAddress.map { $0 + mappedOffset } }
        return owned.map { UnsafeRawPointer($0) }
    }

    /// Code `i`.
    public func code(_ i: Int) -> UnsafeRawPointer {
        precondition(i >= 0 && i < count)
        return baseAddress! + i * codeSize
    }

    /// All codes' bytes.
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: baseAddress, count: byteCount) }

    /// Grows by `n` codes that `fill` writes in place (given the first new code's address).
    public func append(_ n: Int, fill: (UnsafeMutableRawPointer) throws -> Void) rethrows {
        guard n > 0 else { return }
        reserve(count + n)
        try fill(owned! + count * codeSize)
        count += n
    }

    /// Appends the codes of every row of `vectors`, 65,536 rows at a time: `encode(rows, n, out)`
    /// writes the codes of `n` rows. Reports rows done after each block; false stops (the
    /// blocks already added stay, as with FAISS's add).
    func appendEncoded(_ vectors: VectorMatrix, progress: ProgressHandler,
                       encode: (UnsafePointer<Float>, Int, UnsafeMutablePointer<UInt8>) -> Void) throws {
        let block = 65_536, d = vectors.dimension
        var start = 0
        while start < vectors.rows {
            let rows = min(block, vectors.rows - start)
            vectors.values.withUnsafeBufferPointer { x in
                append(rows) { out in encode(x.baseAddress! + start * d, rows, out.assumingMemoryBound(to: UInt8.self)) }
            }
            start += rows
            guard progress(start, vectors.rows) else { throw CancellationError() }
        }
    }

    /// Makes room for `total` codes in all, exactly, so appending up to that many never
    /// reallocates.
    public func reserveCapacity(_ total: Int) {
        guard total > count else { return }
        reserve(total, exactly: true)
    }

    private func reserve(_ wanted: Int, exactly: Bool = false) {
        if owned != nil && mapping == nil && wanted <= capacity { return }
        let newCapacity = exactly ? wanted : max(wanted, count == 0 ? wanted : max(capacity * 3 / 2, 1024))
        let fresh = UnsafeMutableRawPointer.allocate(byteCount: max(1, newCapacity * codeSize), alignment: 64)
        if count > 0, let base = baseAddress { fresh.copyMemory(from: base, byteCount: count * codeSize) }
        owned?.deallocate()
        owned = fresh
        capacity = newCapacity
        if mapping != nil {
            mapping = nil
            mappedOffset = 0
            ledgerEntry = MemoryLedger.shared.record(device: MemoryLedger.hostDevice, kind: .vectors, bytes: 0)
        }
        ledgerEntry.resize(to: newCapacity * codeSize)
    }
}

extension TopKHeaps {
    /// Splits a scan of `rows` rows over the cores when `parallel`: `body(rows, heaps)` runs
    /// once per contiguous slice with its own heaps (this one for the first), merged at the end.
    func scanInParallel(rows: Int, parallel: Bool, _ body: (Range<Int>, TopKHeaps) -> Void) {
        let parts = parallel ? min(Parallel.workerCount, max(1, rows)) : 1
        var partial = [TopKHeaps]()
        for part in 0..<parts { partial.append(part == 0 ? self : TopKHeaps(count: count, k: k, largerIDsWorse: largerIDsWorse)) }
        Parallel.forEachSlice(of: rows, parts: parts) { part, range in body(range, partial[part]) }
        for part in 1..<parts { merge(partial[part]) }
    }
}
