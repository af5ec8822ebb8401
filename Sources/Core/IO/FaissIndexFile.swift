/// Reads and writes FAISS index files byte-compatibly with `faiss.read_index` /
/// `faiss.write_index` (layout: shared/docs/faiss-format.md). Flat vector data is not read
/// but memory-mapped, so opening is constant-time and the pages are shared between processes.
public enum FaissIndexFile {
    /// FAISS's own dimension limit (reader ≥ 1.14).
    static let maxDimension = 1 << 20
    /// FAISS's nesting limit for sub-indexes (reader ≥ 1.15).
    static let maxNesting = 50

    /// Opens the index at `path`.
    /// - Throws: `FileSystemError` if the file cannot be read, `FileFormatError` for bytes that
    ///   are not a valid index, `UnsupportedIndexError` for a known type VecTUI cannot load,
    ///   `FileChangedError` when another process truncated or rewrote it while it was read.
    public static func read(path: String) throws -> any VectorIndex {
        let file = try MappedFile(path: path)
        var reader = ByteReader(bytes: file.bytes, path: path)
        do {
            let index = try readIndex(&reader, file: file, depth: 0)
            try file.checkUnchanged()
            return index
        } catch let error as FileFormatError {
            // Bytes that went bad because the file changed under the reader: say so instead.
            try file.checkUnchanged()
            throw error
        }
    }

    // MARK: - Reading

    struct Header {
        let dimension: Int
        let count: Int
        let isTrained: Bool
        let metric: Metric
    }

    static func readIndex(_ reader: inout ByteReader, file: MappedFile, depth: Int) throws -> any VectorIndex {
        guard depth < maxNesting else {
            throw reader.error(expected: "at most \(maxNesting) nested indexes", found: "deeper nesting")
        }
        let start = reader.offset
        let code = try reader.fourCC("an index type tag (fourcc)")
        switch code {
        case FaissFourCCs.flatIP, FaissFourCCs.flatL2, FaissFourCCs.flatOther:
            return try readFlat(&reader, file: file)
        case FaissFourCCs.idMap, FaissFourCCs.idMap2:
            let header = try readHeader(&reader)
            let innerStart = reader.offset
            let inner = try readIndex(&reader, file: file, depth: depth + 1)
            guard inner.count == header.count, inner.dimension == header.dimension else {
                throw reader.error(at: innerStart, expected: "an inner index of \(header.count) vectors of dimension \(header.dimension), as the IDMap header says",
                                   found: "\(inner.count) vectors of dimension \(inner.dimension)")
            }
            guard inner.metric == header.metric else {
                throw reader.error(at: innerStart, expected: "an inner index with metric \(header.metric)", found: "metric \(inner.metric)")
            }
            let idsStart = reader.offset
            let (idCount, idsOffset) = try reader.vectorPayload(elementSize: 8, elementName: "ids", "the id map")
            guard idCount == header.count else {
                throw reader.error(at: idsStart, expected: "\(header.count) ids (one per vector)", found: "\(idCount)")
            }
            let ids = [Int64](unsafeUninitializedCapacity: idCount) { buffer, initialized in
                if idCount > 0 {
                    UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(
                        from: file.bytes.baseAddress! + idsOffset, byteCount: idCount * 8)
                }
                initialized = idCount
            }
            return try IDMapIndex(kind: code == FaissFourCCs.idMap ? .idMap : .idMap2, inner: inner, ids: ids)
        case FaissFourCCs.hnswFlat:
            return try readHNSWFlat(&reader, file: file, depth: depth)
        case FaissFourCCs.ivfFlat, FaissFourCCs.ivfScalarQuantizer, FaissFourCCs.ivfPQ:
            return try readIVF(&reader, file: file, depth: depth, code: code)
        case FaissFourCCs.scalarQuantizer:
            return try readScalarQuantizerIndex(&reader, file: file)
        case FaissFourCCs.productQuantizer:
            return try readPQIndex(&reader, file: file)
        case refineFourCC:
            return try readRefine(&reader, file: file, depth: depth)
        case FaissFourCCs.null:
            throw reader.error(at: start, expected: "an index", found: "'null' (no index stored)")
        default:
            if let name = FaissFourCCs.recognised[code.text] {
                throw UnsupportedIndexError(path: reader.path, offset: start, what: "\(name) (fourcc \(code))")
            }
            throw reader.error(at: start, expected: "a FAISS index type tag such as 'IxFI', 'IxF2' or 'IxMp'",
                               found: "unknown fourcc \(code)")
        }
    }

    static func readHeader(_ reader: inout ByteReader) throws -> Header {
        let dimensionOffset = reader.offset
        let d = try reader.integer(Int32.self, "the dimension d")
        guard d >= 0 && Int(d) <= maxDimension else {
            throw reader.error(at: dimensionOffset, expected: "a dimension between 0 and \(maxDimension)", found: "\(d)")
        }
        let countOffset = reader.offset
        let ntotal = try reader.integer(Int64.self, "the vector count ntotal")
        guard ntotal >= 0 else { throw reader.error(at: countOffset, expected: "a vector count ≥ 0", found: "\(ntotal)") }
        // FAISS accepts d = 0 with vectors; such an index has nothing to compare and cannot be searched.
        guard d > 0 || ntotal == 0 else {
            throw reader.error(at: dimensionOffset, expected: "a dimension ≥ 1 for an index of \(ntotal) vectors", found: "0")
        }
        _ = try reader.integer(Int64.self, "a reserved header field")
        _ = try reader.integer(Int64.self, "a reserved header field")
        let trained = try reader.bool("the is_trained flag")
        let metricOffset = reader.offset
        let rawMetric = try reader.integer(Int32.self, "the metric type")
        guard let metric = Metric(rawValue: rawMetric) else {
            if let name = Metric.faissName(rawValue: rawMetric) {
                throw UnsupportedIndexError(path: reader.path, offset: metricOffset, what: "metric \(name) (\(rawMetric))")
            }
            throw reader.error(at: metricOffset, expected: "a FAISS metric type (0, 1, 2, 3, 4 or 20–25)", found: "\(rawMetric)")
        }
        return Header(dimension: Int(d), count: Int(ntotal), isTrained: trained, metric: metric)
    }

    private static func readFlat(_ reader: inout ByteReader, file: MappedFile) throws -> FlatIndex {
        let header = try readHeader(&reader)
        let dataStart = reader.offset
        let (floatCount, offset) = try reader.vectorPayload(elementSize: 4, elementName: "floats", "the vector data")
        let (expected, overflow) = header.count.multipliedReportingOverflow(by: header.dimension)
        guard !overflow, floatCount == expected else {
            throw reader.error(at: dataStart, expected: "\(header.count) × \(header.dimension) floats of vector data",
                               found: "\(floatCount) floats")
        }
        let storage = VectorStorage(mapping: file, offset: offset, rows: header.count, dimension: header.dimension)
        return FlatIndex(metric: header.metric, storage: storage)
    }

    // MARK: - Writing

    /// Saves `index` to `path` atomically (a temporary file beside it, fsync, rename); the old
    /// file is untouched unless the whole save succeeds. Vector data is streamed from wherever
    /// it lives, so no second copy of the index is made. The bytes are those FAISS writes.
    /// - Throws: `FileSystemError`, or `UnsupportedIndexError` for an index FAISS cannot store.
    /// - Parameters:
    ///   - chunkBytes: the host buffer for vectors that live on devices.
    ///   - progress: called with (rows written, total) as vectors are written; false cancels
    ///     (the old file, if any, is left as it was).
    public static func write(_ index: any VectorIndex, to path: String, chunkBytes: Int = PlacementPlanner.defaultChunkBytes,
                             progress: (Int, Int) -> Bool = { _, _ in true }) throws {
        let writer = try AtomicFileWriter(path: path)
        try write(index, to: writer, chunkBytes: chunkBytes, progress: progress)
        try writer.commit()
    }

    static func write(_ index: any VectorIndex, to writer: AtomicFileWriter, chunkBytes: Int,
                              progress: (Int, Int) -> Bool) throws {
        switch index {
        case let flat as FlatIndex:
            // Host vectors are written straight from memory (or the mapping), no copy.
            try writeFlatHeader(flat, to: writer)
            let rowsPerChunk = max(1, (8 << 20) / max(1, flat.dimension * 4))
            var row = 0
            while row < flat.count {
                let end = min(flat.count, row + rowsPerChunk)
                try writer.write(flat.storage.bytes(rows: row..<end))
                row = end
                guard progress(row, flat.count) else { throw CancellationError() }
            }
        case let rows as FlatRows:
            // Vectors elsewhere (devices) stream through one host chunk, widened to fp32.
            try writeFlatHeader(rows, to: writer)
            let rowsPerChunk = max(1, chunkBytes / max(1, rows.dimension * 4))
            let chunk = UnsafeMutablePointer<Float>.allocate(capacity: max(1, min(rowsPerChunk, rows.count) * rows.dimension))
            defer { chunk.deallocate() }
            let staging = MemoryLedger.shared.record(device: MemoryLedger.hostDevice, kind: .staging,
                                                     bytes: min(rowsPerChunk, rows.count) * rows.dimension * 4)
            defer { staging.release() }
            var row = 0
            while row < rows.count {
                let end = min(rows.count, row + rowsPerChunk)
                try rows.readRows(row..<end, into: chunk)
                try writer.write(UnsafeRawBufferPointer(start: chunk, count: (end - row) * rows.dimension * 4))
                row = end
                guard progress(row, rows.count) else { throw CancellationError() }
            }
        case let mapped as IDMapIndex:
            try writer.write(mapped.kind == .idMap ? FaissFourCCs.idMap : FaissFourCCs.idMap2)
            try writeHeader(mapped, to: writer)
            try write(mapped.inner, to: writer, chunkBytes: chunkBytes, progress: progress)
            try writer.write(UInt64(mapped.ids.count))
            try mapped.ids.withUnsafeBytes { try writer.write($0) }
        case let hnsw as HNSWIndex:
            try writeHNSWFlat(hnsw, to: writer, chunkBytes: chunkBytes, progress: progress)
        case let ivf as IVFIndex:
            try writeIVF(ivf, to: writer, chunkBytes: chunkBytes, progress: progress)
        case let sq as ScalarQuantizerIndex:
            try writeScalarQuantizerIndex(sq, to: writer, progress: progress)
        case let pq as PQIndex:
            try writePQIndex(pq, to: writer, progress: progress)
        case let refine as RefineIndex:
            try writeRefine(refine, to: writer, chunkBytes: chunkBytes, progress: progress)
        default:
            throw UnsupportedIndexError(path: writer.path, offset: writer.bytesWritten,
                                        what: "writing \(index.faissClassName)")
        }
    }

    private static func writeFlatHeader(_ index: any VectorIndex, to writer: AtomicFileWriter) throws {
        try writer.write(index.metric == .innerProduct ? FaissFourCCs.flatIP : FaissFourCCs.flatL2)
        try writeHeader(index, to: writer)
        try writer.write(UInt64(index.count * index.dimension))
    }

    static func writeHeader(_ index: any VectorIndex, to writer: AtomicFileWriter) throws {
        try writer.write(Int32(index.dimension))
        try writer.write(Int64(index.count))
        try writer.write(Int64(1 << 20))  // two unused fields FAISS always writes as 1<<20
        try writer.write(Int64(1 << 20))
        try writer.write(index.isTrained)
        try writer.write(index.metric.rawValue)
    }
}
