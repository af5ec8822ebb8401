/// Row-major float32 vectors, either owned by the process (growable) or borrowed from a
/// read-only memory-mapped file (a FAISS index or a `.npy` file), which costs no anonymous
/// memory and opens in constant time.
///
/// Mapped data can sit at any byte offset (FAISS flat data starts at byte 45), so readers
/// use unaligned loads; `isFloatAligned` tells BLAS callers whether they may pass it directly.
public final class VectorStorage: @unchecked Sendable {
    public let dimension: Int
    public private(set) var rows: Int
    private var owned: UnsafeMutableRawPointer?
    private(set) var capacityRows: Int
    private var mapping: MappedFile?
    private var mappedOffset: Int
    private var ledgerEntry: LedgerEntry

    /// Empty, owned storage.
    public init(dimension: Int) {
        self.dimension = dimension
        rows = 0
        owned = nil
        capacityRows = 0
        mapping = nil
        mappedOffset = 0
        ledgerEntry = MemoryLedger.shared.record(device: MemoryLedger.hostDevice, kind: .vectors, bytes: 0)
    }

    /// Borrows `rows × dimension` floats starting at `offset` in `file`.
    /// - Precondition: the range lies inside the file (the file readers check this first).
    public init(mapping file: MappedFile, offset: Int, rows: Int, dimension: Int) {
        precondition(offset + rows * dimension * 4 <= file.bytes.count)
        self.dimension = dimension
        self.rows = rows
        owned = nil
        capacityRows = 0
        mapping = file
        mappedOffset = offset
        ledgerEntry = MemoryLedger.shared.record(device: MemoryLedger.hostDevice, kind: .mappedVectors,
                                                 bytes: rows * dimension * 4)
    }

    deinit { owned?.deallocate() }

    /// Whether the vectors live in a memory-mapped file.
    public var isMapped: Bool { mapping != nil }
    /// The file behind a mapped storage.
    public var mappedFile: MappedFile? { mapping }
    /// Byte offset of the first vector inside the mapped file.
    public var mappedByteRange: Range<Int>? {
        mapping == nil ? nil : mappedOffset..<(mappedOffset + byteCount)
    }
    /// Bytes of vector data (rows × d × 4).
    public var byteCount: Int { rows * dimension * 4 }

    /// Start of row 0; valid while this storage is alive and not appended to.
    public var baseAddress: UnsafeRawPointer? {
        if let mapping { return mapping.bytes.baseAddress.map { $0 + mappedOffset } }
        return owned.map { UnsafeRawPointer($0) }
    }

    /// Whether `baseAddress` is aligned for `Float` (so BLAS may read it in place).
    public var isFloatAligned: Bool {
        guard let base = baseAddress else { return true }
        return Int(bitPattern: base) % MemoryLayout<Float>.alignment == 0
    }

    /// The bytes of rows `range`.
    public func bytes(rows range: Range<Int>) -> UnsafeRawBufferPointer {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows)
        let stride = dimension * 4
        guard let base = baseAddress else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: base + range.lowerBound * stride, count: range.count * stride)
    }

    /// Row `i` copied out.
    public func row(_ i: Int) -> [Float] {
        let source = bytes(rows: i..<(i + 1))
        return [Float](unsafeUninitializedCapacity: dimension) { buffer, initialized in
            if let dst = buffer.baseAddress, dimension > 0 {
                UnsafeMutableRawPointer(dst).copyMemory(from: source.baseAddress!, byteCount: dimension * 4)
            }
            initialized = dimension
        }
    }

    /// Appends rows given as raw float32 bytes. A mapped storage is first copied into owned
    /// memory (the file is never written).
    public func append(_ source: UnsafeRawBufferPointer) {
        let stride = dimension * 4
        precondition(stride == 0 ? source.isEmpty : source.count % stride == 0)
        let newRows = stride == 0 ? 0 : source.count / stride
        guard newRows > 0 else { return }
        reserve(rows: rows + newRows)
        (owned! + rows * stride).copyMemory(from: source.baseAddress!, byteCount: source.count)
        rows += newRows
    }

    /// Grows by `count` rows that `fill` writes in place (given the start of row 0 and the
    /// new rows' range), so a download lands in its final memory without a staging copy. If
    /// `fill` throws, the storage keeps its old rows.
    public func appendRows(_ count: Int, fill: (UnsafeMutablePointer<Float>, Range<Int>) throws -> Void) throws {
        guard count > 0 else { return }
        reserve(rows: rows + count)
        try fill(owned!.assumingMemoryBound(to: Float.self), rows..<(rows + count))
        rows += count
    }

    /// Makes room for `total` rows in all, exactly, so appending up to that many never
    /// reallocates (a reallocation holds the old and the new buffer at once).
    public func reserveCapacity(rows total: Int) {
        guard total > rows else { return }
        reserve(rows: total, exactly: true)
    }

    private func reserve(rows wanted: Int, exactly: Bool = false) {
        if owned != nil && mapping == nil && wanted <= capacityRows { return }
        let newCapacity = exactly ? wanted : max(wanted, rows == 0 ? wanted : max(capacityRows * 3 / 2, 1024))
        let stride = dimension * 4
        let fresh = UnsafeMutableRawPointer.allocate(byteCount: max(newCapacity * stride, 1), alignment: 64)
        if rows > 0, let base = baseAddress { fresh.copyMemory(from: base, byteCount: rows * stride) }
        owned?.deallocate()
        owned = fresh
        capacityRows = newCapacity
        if mapping != nil {
            mapping = nil
            mappedOffset = 0
            ledgerEntry = MemoryLedger.shared.record(device: MemoryLedger.hostDevice, kind: .vectors, bytes: 0)
        }
        ledgerEntry.resize(to: newCapacity * stride)
    }
}
