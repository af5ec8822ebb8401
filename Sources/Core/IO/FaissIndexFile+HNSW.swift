/// `IHNf` (IndexHNSWFlat) records, faiss-format.md §12: the common header, the HNSW graph
/// record (`write_HNSW`), then the flat storage as a nested `IxFI`/`IxF2` record.
extension FaissIndexFile {
    // MARK: - Reading

    /// Neighbour slots per node on one layer that VecTUI accepts (FAISS builds use 2·M below and
    /// M above, M a few dozen); search buffers are sized by the widest layer, even one no node reaches.
    static let maxHNSWNeighborsPerLayer: Int32 = 1 << 16

    /// Reads an `IHNf` record (after its fourcc). The graph is validated as FAISS
    /// ≥ 1.14 does (`validate_HNSW`), plus the two rules FAISS's own builds always satisfy and
    /// its search relies on: the entry point lives on `max_level`, and every neighbour listed on
    /// layer l ≥ 1 lives on layer l. Search follows these links without bounds checks, so they are
    /// copied into owned memory first and the copy is validated: another process rewriting the
    /// file later cannot change them.
    static func readHNSWFlat(_ reader: inout ByteReader, file: MappedFile, depth: Int) throws -> HNSWIndex {
        let header = try readHeader(&reader)
        let bytes = file.bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 64)!

        let (probaCount, probaOffset) = try reader.vectorPayload(
            elementSize: 8, elementName: "doubles", "the HNSW level probabilities (assign_probas)")
        let probas = (0..<probaCount).map { Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: probaOffset + 8 * $0, as: UInt64.self))) }

        let (cumCount, cumOffset) = try reader.vectorPayload(
            elementSize: 4, elementName: "ints", "the HNSW neighbour counts per layer (cum_nneighbor_per_level)")
        let cum = (0..<cumCount).map { Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: cumOffset + 4 * $0, as: Int32.self)) }
        if let first = cum.first, first != 0 {
            throw reader.error(at: cumOffset, expected: "cum_nneighbor_per_level[0] = 0", found: "\(first)")
        }
        for i in cum.indices.dropFirst() where cum[i] < cum[i - 1] || cum[i] - cum[i - 1] > maxHNSWNeighborsPerLayer {
            throw reader.error(at: cumOffset + 4 * i, expected: "a non-decreasing cum_nneighbor_per_level, at most \(maxHNSWNeighborsPerLayer) above the previous (\(cum[i - 1]))",
                               found: "\(cum[i])")
        }

        let levelsStart = reader.offset
        let (levelCount, levelsOffset) = try reader.vectorPayload(
            elementSize: 4, elementName: "ints", "the HNSW node levels")
        guard levelCount == header.count else {
            throw reader.error(at: levelsStart, expected: "\(header.count) node levels (one per vector, as the header says)",
                               found: "\(levelCount)")
        }
        var levels = [Int32](repeating: 0, count: levelCount)
        for i in 0..<levelCount {
            let level = Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: levelsOffset + 4 * i, as: Int32.self))
            guard level >= 1 && Int(level) < cumCount else {
                throw reader.error(at: levelsOffset + 4 * i, expected: "a node level between 1 and \(cumCount - 1)", found: "\(level)")
            }
            levels[i] = level
        }

        let offsetsStart = reader.offset
        let (offsetCount, offsetsOffset) = try reader.vectorPayload(
            elementSize: 8, elementName: "offsets", "the HNSW neighbour offsets")
        guard offsetCount == header.count + 1 else {
            throw reader.error(at: offsetsStart, expected: "\(header.count + 1) neighbour offsets (one per vector, plus one)",
                               found: "\(offsetCount)")
        }

        let (neighborCount, neighborsOffset) = try reader.vectorPayload(
            elementSize: 4, elementName: "ids", "the HNSW neighbour ids")
        var offsets = [Int](repeating: 0, count: offsetCount)
        for i in 0..<offsetCount {
            let at = offsetsOffset + 8 * i
            let raw = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self))
            guard raw <= UInt64(neighborCount) else {
                throw reader.error(at: at, expected: "a neighbour offset of at most \(neighborCount) (the number of neighbour ids)",
                                   found: "\(raw)")
            }
            offsets[i] = Int(raw)
            if i > 0 {
                let expected = offsets[i - 1] + Int(cum[Int(levels[i - 1])])
                guard offsets[i] == expected else {
                    throw reader.error(at: at, expected: "neighbour offset \(expected) (the previous one plus the slots of a level-\(levels[i - 1]) node)",
                                       found: "\(raw)")
                }
            }
        }
        let neighbors = UnsafeMutablePointer<Int32>.allocate(capacity: max(neighborCount, 1))
        var handedOver = false
        defer { if !handedOver { neighbors.deallocate() } }
        if neighborCount > 0 {
            UnsafeMutableRawPointer(neighbors).copyMemory(from: bytes + neighborsOffset, byteCount: neighborCount * 4)
        }
        // With the recurrence, every node's slots end at or before offsets[ntotal] ≤ neighbours.
        for i in 0..<neighborCount {
            let id = Int32(littleEndian: neighbors[i])
            neighbors[i] = id
            guard id >= -1 && Int(id) < header.count else {
                throw reader.error(at: neighborsOffset + 4 * i, expected: "a neighbour id between -1 and \(header.count - 1)", found: "\(id)")
            }
        }
        for node in 0..<levelCount where levels[node] > 1 {
            for level in 1..<Int(levels[node]) {
                for slot in (offsets[node] + Int(cum[level]))..<(offsets[node] + Int(cum[level + 1])) {
                    let id = neighbors[slot]
                    if id >= 0 && Int(levels[Int(id)]) <= level {
                        throw reader.error(at: neighborsOffset + 4 * slot, expected: "a neighbour on layer \(level) that lives on that layer",
                                           found: "node \(id), whose top layer is \(levels[Int(id)] - 1)")
                    }
                }
            }
        }

        let entryStart = reader.offset
        let entryPoint = try reader.integer(Int32.self, "the HNSW entry point")
        guard entryPoint >= -1 && Int(entryPoint) < header.count else {
            throw reader.error(at: entryStart, expected: "an entry point between -1 and \(header.count - 1)", found: "\(entryPoint)")
        }
        let maxLevelStart = reader.offset
        let maxLevel = try reader.integer(Int32.self, "the HNSW top layer (max_level)")
        guard Int(maxLevel) < cumCount else {
            throw reader.error(at: maxLevelStart, expected: "a top layer below \(cumCount)", found: "\(maxLevel)")
        }
        if entryPoint >= 0 && Int(maxLevel) >= Int(levels[Int(entryPoint)]) {
            throw reader.error(at: maxLevelStart, expected: "a top layer the entry point lives on (at most \(levels[Int(entryPoint)] - 1))",
                               found: "\(maxLevel)")
        }
        let efConstruction = try reader.integer(Int32.self, "efConstruction")
        let efSearch = try reader.integer(Int32.self, "efSearch")
        _ = try reader.integer(Int32.self, "the deprecated upper_beam field")

        let storageStart = reader.offset
        try reader.require(4, "the HNSW storage index type tag (fourcc)")
        let storageCode = FourCC(bytes: UnsafeRawBufferPointer(rebasing: reader.bytes[storageStart..<(storageStart + 4)]))
        if storageCode == FaissFourCCs.null {
            throw UnsupportedIndexError(path: reader.path, offset: storageStart,
                                        what: "IndexHNSWFlat without its vectors (written with IO_FLAG_SKIP_STORAGE)")
        }
        let inner = try readIndex(&reader, file: file, depth: depth + 1)
        guard let storage = inner as? FlatIndex else {
            throw reader.error(at: storageStart, expected: "a flat storage index ('IxFI' or 'IxF2')", found: "\(inner.faissClassName)")
        }
        guard storage.count == header.count, storage.dimension == header.dimension else {
            throw reader.error(at: storageStart, expected: "a storage of \(header.count) vectors of dimension \(header.dimension), as the HNSW header says",
                               found: "\(storage.count) vectors of dimension \(storage.dimension)")
        }
        guard storage.metric == header.metric else {
            throw reader.error(at: storageStart, expected: "a storage with metric \(header.metric)", found: "metric \(storage.metric)")
        }

        handedOver = true
        let graph = HNSWGraph(assignProbas: probas, cumNeighbors: cum, levels: levels, offsets: offsets,
                              adoptingNeighbors: neighbors, neighborCount: neighborCount,
                              entryPoint: entryPoint, maxLevel: maxLevel)
        return HNSWIndex(storage: storage, graph: graph, efSearch: Int(efSearch), efConstruction: Int(efConstruction),
                         isTrained: header.isTrained)
    }

    // MARK: - Writing

    /// Writes `index` as FAISS's `write_index` writes an IndexHNSWFlat.
    static func writeHNSWFlat(_ index: HNSWIndex, to writer: AtomicFileWriter, chunkBytes: Int,
                              progress: (Int, Int) -> Bool) throws {
        let graph = index.graph
        try writer.write(FaissFourCCs.hnswFlat)
        try writeHeader(index, to: writer)
        try writer.write(UInt64(graph.assignProbas.count))
        try graph.assignProbas.map { $0.bitPattern.littleEndian }.withUnsafeBytes { try writer.write($0) }
        try writer.write(UInt64(graph.cumNeighbors.count))
        try graph.cumNeighbors.map { $0.littleEndian }.withUnsafeBytes { try writer.write($0) }
        try writer.write(UInt64(graph.levels.count))
        try graph.levels.map { $0.littleEndian }.withUnsafeBytes { try writer.write($0) }
        try writer.write(UInt64(graph.offsets.count))
        try graph.offsets.map { UInt64($0).littleEndian }.withUnsafeBytes { try writer.write($0) }
        try writer.write(UInt64(graph.neighborCount))
        try writer.write(graph.neighborBytes)
        try writer.write(graph.entryPoint)
        try writer.write(graph.maxLevel)
        try writer.write(Int32(clamping: index.efConstruction))
        try writer.write(Int32(clamping: index.efSearch))
        try writer.write(Int32(1))  // upper_beam: deprecated, FAISS ≥ 1.9 always writes 1
        try write(index.storage, to: writer, chunkBytes: chunkBytes, progress: progress)
    }
}
