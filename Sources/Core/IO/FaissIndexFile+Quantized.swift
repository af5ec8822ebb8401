/// FAISS tags of the quantized and inverted-file indexes (faiss-format.md §6–§11).
extension FaissFourCCs {
    static let ivfFlat = FourCC("IwFl")
    static let ivfScalarQuantizer = FourCC("IwSq")
    static let ivfPQ = FourCC("IwPQ")
    static let scalarQuantizer = FourCC("IxSQ")
    static let productQuantizer = FourCC("IxPq")
    static let arrayInvertedLists = FourCC("ilar")
    static let fullLists = FourCC("full")
    static let sparseLists = FourCC("sprs")

    /// Inverted-list tags FAISS knows that VecTUI does not load.
    static let otherInvertedLists: [String: String] = [
        "il00": "an IVF index saved without its inverted lists ('il00')",
        "ilod": "OnDiskInvertedLists ('ilod', list data in a separate file)",
        "ilbl": "BlockInvertedLists ('ilbl')",
        "ilpn": "Panorama inverted lists ('ilpn')",
        "ilp2": "Panorama inverted lists ('ilp2')",
    ]
}

/// `IwFl`, `IwSq`, `IwPQ`, `IxSQ` and `IxPq` records. Every count is checked against the bytes
/// left before anything is allocated; codes and inverted lists stay in the mapping.
extension FaissIndexFile {
    /// Lists allowed without centroids in the file to vouch for them (each list costs ~40 bytes).
    static let maxUnbackedLists = 1 << 24

    // MARK: - Reading

    /// Reads an IVF record (`IwFl`, `IwSq` or `IwPQ`) whose fourcc has just been read.
    static func readIVF(_ reader: inout ByteReader, file: MappedFile, depth: Int, code: FourCC) throws -> IVFIndex {
        let header = try readHeader(&reader)
        let d = header.dimension
        let nlistOffset = reader.offset
        let nlistRaw = try reader.integer(UInt64.self, "the list count nlist")
        guard nlistRaw >= 1 && nlistRaw <= UInt64(Int32.max) else {
            throw reader.error(at: nlistOffset, expected: "a list count nlist between 1 and \(Int32.max)", found: "\(nlistRaw)")
        }
        let nlist = Int(nlistRaw)
        let nprobeOffset = reader.offset
        let nprobeRaw = try reader.integer(UInt64.self, "the search default nprobe")
        guard nprobeRaw <= UInt64(Int64.max) else {
            throw reader.error(at: nprobeOffset, expected: "nprobe below 2^63", found: "\(nprobeRaw)")
        }
        let quantizerStart = reader.offset
        let quantizer = try readIndex(&reader, file: file, depth: depth + 1)
        guard quantizer.dimension == d else {
            throw reader.error(at: quantizerStart, expected: "a coarse quantizer of dimension \(d)", found: "dimension \(quantizer.dimension)")
        }
        if header.isTrained && quantizer.count != nlist {
            throw reader.error(at: quantizerStart, expected: "a coarse quantizer holding the \(nlist) centroids of a trained IVF index",
                               found: "\(quantizer.count) vectors")
        }
        if nlist > maxUnbackedLists && !(quantizer.count == nlist && d > 0) {
            throw reader.error(at: nlistOffset, expected: "at most \(maxUnbackedLists) lists without a centroid for each in the file",
                               found: "nlist \(nlist)")
        }

        // Direct map (§6).
        let mapTypeOffset = reader.offset
        let mapTypeRaw = try reader.integer(UInt8.self, "the direct map type")
        guard let mapKind = IVFIndex.DirectMapKind(rawValue: mapTypeRaw) else {
            throw reader.error(at: mapTypeOffset, expected: "a direct map type (0 NoMap, 1 Array, 2 Hashtable)", found: "\(mapTypeRaw)")
        }
        let (arrayCount, arrayOffset) = try reader.vectorPayload(elementSize: 8, elementName: "entries", "the direct map array")
        let mapArray = readInt64s(file, arrayOffset, arrayCount)
        var mapPairs = [(Int64, Int64)]()
        if mapKind == .hashtable {
            let (pairCount, pairsOffset) = try reader.vectorPayload(elementSize: 16, elementName: "(id, entry) pairs", "the direct map hashtable")
            let flat = readInt64s(file, pairsOffset, pairCount * 2)
            mapPairs = (0..<pairCount).map { (flat[2 * $0], flat[2 * $0 + 1]) }
        }

        // Encoder (§8, §9.3, §11).
        let encoding: IVFIndex.Encoding
        var byResidual = false
        switch code {
        case FaissFourCCs.ivfScalarQuantizer:
            let sq = try readScalarQuantizer(&reader, header: header)
            try readCodeSize(&reader, expected: sq.codeSize)
            byResidual = try reader.bool("the by_residual flag")
            encoding = .scalarQuantizer(sq)
        case FaissFourCCs.ivfPQ:
            byResidual = try reader.bool("the by_residual flag")
            let codeSizeOffset = reader.offset
            let storedCodeSize = try reader.integer(UInt64.self, "the code size")
            let pq = try readProductQuantizer(&reader, header: header)
            guard storedCodeSize == UInt64(pq.codeSize) else {
                throw reader.error(at: codeSizeOffset, expected: "code size \(pq.codeSize) (M = \(pq.m) × \(pq.nbits) bits)", found: "\(storedCodeSize)")
            }
            encoding = .productQuantizer(pq)
        default:
            encoding = .flat
        }
        let codeSize = IVFIndex.codeSize(encoding, d)
        let lists = try readInvertedLists(&reader, file: file, nlist: nlist, codeSize: codeSize, ntotal: header.count)
        return IVFIndex(dimension: d, metric: header.metric, nlist: nlist, nprobe: Int(nprobeRaw), encoding: encoding,
                        byResidual: byResidual, quantizer: quantizer, lists: lists, count: header.count,
                        isTrained: header.isTrained, directMapKind: mapKind, directMapArray: mapArray, directMapPairs: mapPairs)
    }

    private static func readInt64s(_ file: MappedFile, _ offset: Int, _ count: Int) -> [Int64] {
        [Int64](unsafeUninitializedCapacity: count) { buffer, initialized in
            for i in 0..<count {
                buffer[i] = Int64(littleEndian: file.bytes.baseAddress!.loadUnaligned(fromByteOffset: offset + 8 * i, as: Int64.self))
            }
            initialized = count
        }
    }

    private static func readCodeSize(_ reader: inout ByteReader, expected: Int) throws {
        let offset = reader.offset
        let stored = try reader.integer(UInt64.self, "the code size")
        guard stored == UInt64(expected) else {
            throw reader.error(at: offset, expected: "code size \(expected)", found: "\(stored)")
        }
    }

    /// `ilar` (§7.1), lists borrowed from the mapping.
    private static func readInvertedLists(_ reader: inout ByteReader, file: MappedFile, nlist: Int, codeSize: Int,
                                          ntotal: Int) throws -> InvertedLists {
        let start = reader.offset
        let tag = try reader.fourCC("an inverted-lists tag ('ilar')")
        guard tag == FaissFourCCs.arrayInvertedLists else {
            if let what = FaissFourCCs.otherInvertedLists[tag.text] {
                throw UnsupportedIndexError(path: reader.path, offset: start, what: what)
            }
            throw reader.error(at: start, expected: "an inverted-lists tag such as 'ilar'", found: "\(tag)")
        }
        let nlistOffset = reader.offset
        let storedNlist = try reader.integer(UInt64.self, "the inverted lists' nlist")
        guard storedNlist == UInt64(nlist) else {
            throw reader.error(at: nlistOffset, expected: "nlist \(nlist), as the IVF header says", found: "\(storedNlist)")
        }
        try readCodeSize(&reader, expected: codeSize)
        let typeOffset = reader.offset
        let listType = try reader.fourCC("the list type ('full' or 'sprs')")
        guard listType == FaissFourCCs.fullLists || listType == FaissFourCCs.sparseLists else {
            throw reader.error(at: typeOffset, expected: "the list type 'full' or 'sprs'", found: "\(listType)")
        }
        let sizesStart = reader.offset
        let (sizeCount, sizesOffset) = try reader.vectorPayload(elementSize: 8, elementName: "sizes", "the list sizes")
        let base = file.bytes.baseAddress
        func size(_ i: Int) -> UInt64 { UInt64(littleEndian: base!.loadUnaligned(fromByteOffset: sizesOffset + 8 * i, as: UInt64.self)) }
        var sizes = [Int](repeating: 0, count: listType == FaissFourCCs.fullLists ? sizeCount : 0)
        var sparse = [Int: Int]()
        // Each entry needs codeSize + 8 bytes, so no size can exceed the bytes left.
        let limit = UInt64(reader.remaining) / UInt64(max(1, codeSize + 8))
        if listType == FaissFourCCs.fullLists {
            guard sizeCount == nlist else {
                throw reader.error(at: sizesStart, expected: "\(nlist) list sizes ('full' lists)", found: "\(sizeCount)")
            }
            for i in 0..<sizeCount {
                let s = size(i)
                guard s <= limit else {
                    throw reader.error(at: sizesOffset + 8 * i, expected: "a list size that fits in the \(reader.remaining) bytes left", found: "\(s)")
                }
                sizes[i] = Int(s)
            }
        } else {
            guard sizeCount % 2 == 0 else {
                throw reader.error(at: sizesStart, expected: "(list, size) pairs ('sprs' lists): an even count", found: "\(sizeCount)")
            }
            for pair in 0..<(sizeCount / 2) {
                let list = size(2 * pair), s = size(2 * pair + 1)
                guard list < UInt64(nlist) else {
                    throw reader.error(at: sizesOffset + 16 * pair, expected: "a list number below \(nlist)", found: "\(list)")
                }
                guard s <= limit else {
                    throw reader.error(at: sizesOffset + 16 * pair + 8, expected: "a list size that fits in the \(reader.remaining) bytes left", found: "\(s)")
                }
                sparse[Int(list)] = Int(s)  // as FAISS: a repeated list keeps its last size
            }
        }
        var entries = [(list: Int, count: Int, offset: Int)]()
        var total = 0
        func visit(_ list: Int, _ n: Int) throws {
            guard n > 0 else { return }
            let payloadStart = reader.offset
            let bytes = n * (codeSize + 8)  // n ≤ remaining / (codeSize + 8): no overflow
            try reader.skip(bytes, "list \(list): \(n) codes of \(codeSize) bytes and \(n) ids")
            entries.append((list, n, payloadStart))
            total += n
        }
        if listType == FaissFourCCs.fullLists {
            for list in 0..<nlist { try visit(list, sizes[list]) }
        } else {
            for list in sparse.keys.sorted() { try visit(list, sparse[list]!) }
        }
        guard total == ntotal else {
            throw reader.error(at: sizesStart, expected: "list sizes adding up to ntotal = \(ntotal)", found: "\(total)")
        }
        return InvertedLists(nlist: nlist, codeSize: codeSize, mapping: file, entries: entries)
    }

    /// The ScalarQuantizer record (§9.1).
    private static func readScalarQuantizer(_ reader: inout ByteReader, header: Header) throws -> ScalarQuantizer {
        let typeOffset = reader.offset
        let rawType = try reader.integer(Int32.self, "the scalar quantizer type")
        guard let type = ScalarQuantizer.QuantizerType(rawValue: rawType) else {
            if let name = ScalarQuantizer.QuantizerType.faissName(rawValue: rawType) {
                throw UnsupportedIndexError(path: reader.path, offset: typeOffset, what: "scalar quantizer type \(name) (\(rawType))")
            }
            throw reader.error(at: typeOffset, expected: "a scalar quantizer type (0–26)", found: "\(rawType)")
        }
        let statOffset = reader.offset
        let rawStat = try reader.integer(Int32.self, "the range statistic")
        guard let stat = ScalarQuantizer.RangeStat(rawValue: rawStat) else {
            throw reader.error(at: statOffset, expected: "a range statistic (0 RS_minmax, 1 RS_meanstd, 2 RS_quantiles, 3 RS_optim)", found: "\(rawStat)")
        }
        let arg = try reader.float("the range statistic argument")
        let dOffset = reader.offset
        let d = try reader.integer(UInt64.self, "the scalar quantizer's dimension")
        guard d == UInt64(header.dimension) else {
            throw reader.error(at: dOffset, expected: "the index's dimension \(header.dimension)", found: "\(d)")
        }
        try readCodeSize(&reader, expected: type.codeSize(dimension: header.dimension))
        let trainedStart = reader.offset
        let (count, offset) = try reader.vectorPayload(elementSize: 4, elementName: "floats", "the trained ranges")
        let expected = type.trainedCount(dimension: header.dimension)
        if header.isTrained ? count != expected : count != 0 {
            throw reader.error(at: trainedStart, expected: header.isTrained ? "\(expected) trained floats for \(type) in dimension \(header.dimension)"
                                                                            : "no trained floats (the index is not trained)",
                               found: "\(count)")
        }
        let trained = (0..<count).map { Float(bitPattern: UInt32(littleEndian: reader.bytes.baseAddress!.loadUnaligned(fromByteOffset: offset + 4 * $0, as: UInt32.self))) }
        return ScalarQuantizer(type: type, dimension: header.dimension, rangeStat: stat, rangeStatArg: arg, trained: trained)
    }

    /// The ProductQuantizer record (§10.1).
    private static func readProductQuantizer(_ reader: inout ByteReader, header: Header) throws -> ProductQuantizer {
        let dOffset = reader.offset
        let d = try reader.integer(UInt64.self, "the product quantizer's dimension")
        guard d == UInt64(header.dimension) else {
            throw reader.error(at: dOffset, expected: "the index's dimension \(header.dimension)", found: "\(d)")
        }
        let mOffset = reader.offset
        let m = try reader.integer(UInt64.self, "the sub-quantizer count M")
        guard m >= 1 && m <= max(d, 1) && d % m == 0 else {
            throw reader.error(at: mOffset, expected: "a sub-quantizer count M ≥ 1 dividing the dimension \(d)", found: "\(m)")
        }
        let bitsOffset = reader.offset
        let nbits = try reader.integer(UInt64.self, "the bits per sub-code nbits")
        guard nbits >= 1 && nbits <= 24 else {
            throw reader.error(at: bitsOffset, expected: "nbits between 1 and 24", found: "\(nbits)")
        }
        let centroidsStart = reader.offset
        let (count, offset) = try reader.vectorPayload(elementSize: 4, elementName: "floats", "the PQ centroids")
        let expected = header.dimension << Int(nbits)
        guard count == expected else {
            throw reader.error(at: centroidsStart, expected: "\(expected) centroid floats (d × 2^nbits)", found: "\(count)")
        }
        let centroids = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 {
                UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: reader.bytes.baseAddress! + offset, byteCount: count * 4)
            }
            initialized = count
        }
        return ProductQuantizer(dimension: header.dimension, m: Int(m), nbits: Int(nbits), centroids: centroids)
    }

    /// `IxSQ` (§9.2), codes mapped.
    static func readScalarQuantizerIndex(_ reader: inout ByteReader, file: MappedFile) throws -> ScalarQuantizerIndex {
        let header = try readHeader(&reader)
        let sq = try readScalarQuantizer(&reader, header: header)
        let codes = try readCodes(&reader, file: file, header: header, codeSize: sq.codeSize)
        return ScalarQuantizerIndex(dimension: header.dimension, metric: header.metric, quantizer: sq, codes: codes,
                                    isTrained: header.isTrained)
    }

    /// `IxPq` (§10.2), codes mapped.
    static func readPQIndex(_ reader: inout ByteReader, file: MappedFile) throws -> PQIndex {
        let header = try readHeader(&reader)
        let pq = try readProductQuantizer(&reader, header: header)
        let codes = try readCodes(&reader, file: file, header: header, codeSize: pq.codeSize)
        let typeOffset = reader.offset
        let rawType = try reader.integer(Int32.self, "the search type")
        guard let searchType = PQIndex.SearchType(rawValue: rawType) else {
            throw reader.error(at: typeOffset, expected: "a PQ search type (0–5)", found: "\(rawType)")
        }
        let encodeSigns = try reader.bool("the encode_signs flag")
        let threshold = try reader.integer(Int32.self, "the polysemous Hamming threshold")
        return PQIndex(dimension: header.dimension, metric: header.metric, pq: pq, codes: codes, isTrained: header.isTrained,
                       searchType: searchType, encodeSigns: encodeSigns, polysemousThreshold: threshold)
    }

    private static func readCodes(_ reader: inout ByteReader, file: MappedFile, header: Header, codeSize: Int) throws -> CodeStorage {
        let start = reader.offset
        let (count, offset) = try reader.vectorPayload(elementSize: 1, elementName: "bytes", "the codes")
        let (expected, overflow) = header.count.multipliedReportingOverflow(by: codeSize)
        guard !overflow, count == expected else {
            throw reader.error(at: start, expected: "\(header.count) codes of \(codeSize) bytes", found: "\(count) bytes")
        }
        return CodeStorage(mapping: file, offset: offset, count: header.count, codeSize: codeSize)
    }

    // MARK: - Writing

    /// Writes an IVF record as FAISS's `write_index` does.
    static func writeIVF(_ index: IVFIndex, to writer: AtomicFileWriter, chunkBytes: Int, progress: (Int, Int) -> Bool) throws {
        switch index.encoding {
        case .flat: try writer.write(FaissFourCCs.ivfFlat)
        case .scalarQuantizer: try writer.write(FaissFourCCs.ivfScalarQuantizer)
        case .productQuantizer: try writer.write(FaissFourCCs.ivfPQ)
        }
        try writeHeader(index, to: writer)
        try writer.write(UInt64(index.nlist))
        try writer.write(UInt64(index.nprobe))
        try write(index.quantizer, to: writer, chunkBytes: chunkBytes, progress: { _, _ in true })
        try writer.write(index.directMapKind.rawValue)
        try writer.write(UInt64(index.directMapArray.count))
        try index.directMapArray.withUnsafeBytes { try writer.write($0) }
        if index.directMapKind == .hashtable {
            try writer.write(UInt64(index.directMapPairs.count))
            for (id, entry) in index.directMapPairs {
                try writer.write(id)
                try writer.write(entry)
            }
        }
        switch index.encoding {
        case .flat:
            break
        case let .scalarQuantizer(sq):
            try writeScalarQuantizer(sq, to: writer)
            try writer.write(UInt64(sq.codeSize))
            try writer.write(index.byResidual)
        case let .productQuantizer(pq):
            try writer.write(index.byResidual)
            try writer.write(UInt64(pq.codeSize))
            try writeProductQuantizer(pq, to: writer)
        }
        let lists = index.lists
        try writer.write(FaissFourCCs.arrayInvertedLists)
        try writer.write(UInt64(index.nlist))
        try writer.write(UInt64(lists.codeSize))
        let nonEmpty = lists.nonEmptyCount
        if nonEmpty > index.nlist / 2 {
            try writer.write(FaissFourCCs.fullLists)
            try writer.write(UInt64(index.nlist))
            for list in 0..<index.nlist { try writer.write(UInt64(lists.count(list))) }
        } else {
            try writer.write(FaissFourCCs.sparseLists)
            try writer.write(UInt64(2 * nonEmpty))
            for list in 0..<index.nlist where lists.count(list) > 0 {
                try writer.write(UInt64(list))
                try writer.write(UInt64(lists.count(list)))
            }
        }
        let total = lists.totalCount
        var written = 0
        for list in 0..<index.nlist {
            let n = lists.count(list)
            guard n > 0 else { continue }
            try writer.write(UnsafeRawBufferPointer(start: lists.codes(list), count: n * lists.codeSize))
            try writer.write(UnsafeRawBufferPointer(start: lists.ids(list), count: n * 8))
            written += n
            guard progress(written, total) else { throw CancellationError() }
        }
    }

    private static func writeScalarQuantizer(_ sq: ScalarQuantizer, to writer: AtomicFileWriter) throws {
        try writer.write(sq.type.rawValue)
        try writer.write(sq.rangeStat.rawValue)
        try writer.write(sq.rangeStatArg)
        try writer.write(UInt64(sq.dimension))
        try writer.write(UInt64(sq.codeSize))
        try writer.write(UInt64(sq.trained.count))
        try sq.trained.withUnsafeBytes { try writer.write($0) }
    }

    private static func writeProductQuantizer(_ pq: ProductQuantizer, to writer: AtomicFileWriter) throws {
        try writer.write(UInt64(pq.dimension))
        try writer.write(UInt64(pq.m))
        try writer.write(UInt64(pq.nbits))
        try writer.write(UInt64(pq.dimension * pq.ksub))
        if pq.hasCentroids {
            try pq.centroids.withUnsafeBytes { try writer.write($0) }
        } else {
            // Untrained: FAISS's table of zeros, written a block at a time.
            let zeros = [UInt8](repeating: 0, count: 1 << 16)
            var left = pq.dimension * pq.ksub * 4
            while left > 0 {
                let n = min(left, zeros.count)
                try zeros.withUnsafeBytes { try writer.write(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                left -= n
            }
        }
    }

    /// Writes an `IxSQ` record.
    static func writeScalarQuantizerIndex(_ index: ScalarQuantizerIndex, to writer: AtomicFileWriter,
                                          progress: (Int, Int) -> Bool) throws {
        try writer.write(FaissFourCCs.scalarQuantizer)
        try writeHeader(index, to: writer)
        try writeScalarQuantizer(index.quantizer, to: writer)
        try writeCodes(index.codes, to: writer, progress: progress)
    }

    /// Writes an `IxPq` record.
    static func writePQIndex(_ index: PQIndex, to writer: AtomicFileWriter, progress: (Int, Int) -> Bool) throws {
        try writer.write(FaissFourCCs.productQuantizer)
        try writeHeader(index, to: writer)
        try writeProductQuantizer(index.pq, to: writer)
        try writeCodes(index.codes, to: writer, progress: progress)
        try writer.write(index.searchType.rawValue)
        try writer.write(index.encodeSigns)
        try writer.write(index.polysemousThreshold)
    }

    private static func writeCodes(_ codes: CodeStorage, to writer: AtomicFileWriter, progress: (Int, Int) -> Bool) throws {
        try writer.write(UInt64(codes.byteCount))
        let perChunk = max(1, (8 << 20) / max(1, codes.codeSize))
        var row = 0
        while row < codes.count {
            let end = min(codes.count, row + perChunk)
            try writer.write(UnsafeRawBufferPointer(rebasing: codes.bytes[(row * codes.codeSize)..<(end * codes.codeSize)]))
            row = end
            guard progress(row, codes.count) else { throw CancellationError() }
        }
    }
}

extension FaissIndexFile {
    /// The fourcc FAISS writes for `index` ("IxF2", "IwPQ", …), or "?" for one it cannot store.
    public static func fourCC(of index: any VectorIndex) -> String {
        switch index {
        case let flat as FlatIndex: return flat.metric == .innerProduct ? "IxFI" : "IxF2"
        case let ivf as IVFIndex:
            switch ivf.encoding {
            case .flat: return "IwFl"
            case .scalarQuantizer: return "IwSq"
            case .productQuantizer: return "IwPQ"
            }
        case is ScalarQuantizerIndex: return "IxSQ"
        case is PQIndex: return "IxPq"
        case is HNSWIndex: return "IHNf"
        case let wrapper as IDMapIndex: return wrapper.kind == .idMap ? "IxMp" : "IxM2"
        case let rows as FlatRows: return rows.metric == .innerProduct ? "IxFI" : "IxF2"
        default: return "?"
        }
    }
}
