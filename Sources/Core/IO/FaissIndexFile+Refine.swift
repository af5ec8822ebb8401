/// `IxRF`: FAISS's `IndexRefine` and `IndexRefineFlat` (one tag for both: the header, the base
/// index, the refine index, then `k_factor` as a float32).
extension FaissIndexFile {
    static let refineFourCC = FourCC("IxRF")

    static func readRefine(_ reader: inout ByteReader, file: MappedFile, depth: Int) throws -> RefineIndex {
        let header = try readHeader(&reader)
        let baseStart = reader.offset
        let base = try readIndex(&reader, file: file, depth: depth + 1)
        try checkPart(base, "base", header: header, at: baseStart, reader)
        let refineStart = reader.offset
        let refine = try readIndex(&reader, file: file, depth: depth + 1)
        try checkPart(refine, "refine", header: header, at: refineStart, reader)
        let factorStart = reader.offset
        let kFactor = try reader.float("the refine k_factor")
        guard kFactor.isFinite, kFactor >= 1, kFactor <= Float(1 << 20) else {
            throw reader.error(at: factorStart, expected: "a k_factor between 1 and 2^20", found: "\(kFactor)")
        }
        return try RefineIndex(base: base, refine: refine, kFactor: kFactor, isTrained: header.isTrained)
    }

    private static func checkPart(_ part: any VectorIndex, _ role: String, header: Header, at start: Int, _ reader: ByteReader) throws {
        guard part.count == header.count, part.dimension == header.dimension, part.metric == header.metric else {
            throw reader.error(at: start, expected: "a \(role) index of \(header.count) vectors of dimension \(header.dimension), metric \(header.metric), as the IndexRefine header says",
                               found: "\(part.faissClassName) with \(part.count) vectors of dimension \(part.dimension), metric \(part.metric)")
        }
    }

    static func writeRefine(_ index: RefineIndex, to writer: AtomicFileWriter, chunkBytes: Int, progress: (Int, Int) -> Bool) throws {
        try writer.write(refineFourCC)
        try writeHeader(index, to: writer)
        try write(index.base, to: writer, chunkBytes: chunkBytes, progress: progress)
        try write(index.refine, to: writer, chunkBytes: chunkBytes, progress: progress)
        try writer.write(index.kFactor)
    }
}
