/// Row-major float32 vectors, either owned by the process (growable) or borrowed from a
/// read-only memory-mapped file (a FAISS index or a `.npy` file), which costs no anonymous
/// memory and opens in constant time.
///
/// Mapped data can sit at any byte offset (FAISS flat data starts at byte 45), so readers
/// use unaligned loads; `isFloatAligned` tells BLAS callers whether they may pass it directly.
public final class VectorStorage {
    public let dimension: Int
    /// The rows as records of `dimension × 4` bytes: owned and growable, or mapped.
    private let records: CodeStorage

    /// Empty, owned storage.
    public init(dimension: Int) {
        self.dimension = dimension
        records = CodeStorage(codeSize: dimension * 4)
    }

    /// Borrows `rows × dimension` floats starting at `offset` in `file`.
    /// - Precondition: the range lies inside the file (the file readers check this first).
    public init(mapping file: MappedFile, offset: Int, rows: Int, dimension: Int) {
        self.dimension = dimension
        records = CodeStorage(mapping: file, offset: offset, count: rows, codeSize: dimension * 4)
    }

    /// Number of vectors.
    public var rows: Int { records.count }
    /// Rows that fit before the owned buffer must grow.
    var capacityRows: Int { records.capacity }
    /// Whether the vectors live in a memory-mapped file.
    public var isMapped: Bool { records.isMapped }
    /// The file behind a mapped storage.
    public var mappedFile: MappedFile? { records.mappedFile }
    /// Byte offset of the first vector inside the mapped file.
    public var mappedByteRange: Range<Int>? { records.mappedByteRange }
    /// Bytes of vector data (rows × d × 4).
    public var byteCount: Int { records.byteCount }

    /// Start of row 0; valid while this storage is alive and not appended to.
    public var baseAddress: UnsafeRawPointer? { records.baseAddress }

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
        records.append(newRows) { $0.copyMemory(from: source.baseAddress!, byteCount: source.count) }
    }

    /// Grows by `count` rows that `fill` writes in place (given the start of row 0 and the
    /// new rows' range), so a download lands in its final memory without a staging copy. If
    /// `fill` throws, the storage keeps its old rows.
    public func appendRows(_ count: Int, fill: (UnsafeMutablePointer<Float>, Range<Int>) throws -> Void) throws {
        let first = rows
        try records.append(count) { newRows in
            try fill((newRows - first * dimension * 4).assumingMemoryBound(to: Float.self), first..<(first + count))
        }
    }

    /// Makes room for `total` rows in all, exactly, so appending up to that many never
    /// reallocates (a reallocation holds the old and the new buffer at once).
    public func reserveCapacity(rows total: Int) { records.reserveCapacity(total) }
}
