import Foundation

/// Vectors and ids from the files people keep them in: NumPy `.npy` (2-D, C order; float32,
/// or float16/float64 converted) and `.fvecs` (each row: int32 d, then d float32). Float32
/// `.npy` data is memory-mapped, not copied.
public enum VectorFile {
    /// Opens a vector file as storage; float32 `.npy` is mapped in place, anything else is
    /// converted into owned memory.
    /// - Throws: `FileSystemError`, or `FileFormatError` naming the byte that is wrong.
    public static func readStorage(path: String) throws -> VectorStorage {
        let file = try MappedFile(path: path)
        if path.lowercased().hasSuffix(".fvecs") { return try readFvecs(file) }
        let array = try NpyArray(file: file)
        guard array.shape.count == 2 || array.shape.count == 1 else {
            throw FileFormatError(path: path, offset: 0, expected: "a 2-D array of vectors (rows × d)",
                                  found: "\(array.shape.count)-D shape \(array.shape)")
        }
        let rows = array.shape.count == 2 ? array.shape[0] : 1
        let d = array.shape.count == 2 ? array.shape[1] : array.shape[0]
        // A row size is checked, not only the total: (0, 5e9) holds no bytes but asks for 5e9-float rows.
        guard d >= 1 && d <= FaissIndexFile.maxDimension else {
            throw FileFormatError(path: path, offset: array.headerDescrOffset, expected: "a dimension between 1 and \(FaissIndexFile.maxDimension)",
                                  found: "shape \(array.shape)")
        }
        switch array.element {
        case .float32:
            return VectorStorage(mapping: file, offset: array.dataOffset, rows: rows, dimension: d)
        case .float16, .float64:
            let storage = VectorStorage(dimension: d)
            let rowsPerChunk = max(1, 65536 / max(d, 1))
            var chunk = [Float](repeating: 0, count: rowsPerChunk * d)
            var row = 0
            while row < rows {
                let n = min(rowsPerChunk, rows - row)
                array.convert(elements: (row * d)..<((row + n) * d), into: &chunk)
                chunk.withUnsafeBytes { storage.append(UnsafeRawBufferPointer(rebasing: $0[0..<(n * d * 4)])) }
                row += n
            }
            return storage
        case .int64:
            throw FileFormatError(path: path, offset: array.headerDescrOffset, expected: "float32, float16 or float64 vectors",
                                  found: "dtype int64")
        }
    }

    /// Reads a (small) batch of vectors, such as queries, into memory.
    public static func readMatrix(path: String) throws -> VectorMatrix {
        let storage = try readStorage(path: path)
        var values = [Float](repeating: 0, count: storage.rows * storage.dimension)
        values.withUnsafeMutableBytes { out in
            let source = storage.bytes(rows: 0..<storage.rows)
            if let base = source.baseAddress { out.baseAddress!.copyMemory(from: base, byteCount: source.count) }
        }
        return VectorMatrix(rows: storage.rows, dimension: storage.dimension, values: values)
    }

    /// Reads 64-bit ids from a 1-D (or n × 1) int64 `.npy` file.
    public static func readIDs(path: String) throws -> [Int64] {
        let file = try MappedFile(path: path)
        let array = try NpyArray(file: file)
        guard array.element == .int64 else {
            throw FileFormatError(path: path, offset: array.headerDescrOffset, expected: "ids of dtype int64 ('<i8')",
                                  found: "dtype \(array.descr)")
        }
        guard array.shape.count == 1 || (array.shape.count == 2 && array.shape[1] == 1) else {
            throw FileFormatError(path: path, offset: 0, expected: "a 1-D array of ids", found: "shape \(array.shape)")
        }
        let n = array.shape[0]
        return [Int64](unsafeUninitializedCapacity: n) { buffer, initialized in
            for i in 0..<n {
                buffer[i] = Int64(littleEndian: file.bytes.baseAddress!.loadUnaligned(fromByteOffset: array.dataOffset + i * 8, as: Int64.self))
            }
            initialized = n
        }
    }

    private static func readFvecs(_ file: MappedFile) throws -> VectorStorage {
        var reader = ByteReader(bytes: file.bytes, path: file.path)
        guard reader.remaining > 0 else {
            throw reader.error(expected: "at least one vector (int32 d, then d floats)", found: "an empty file")
        }
        let d = Int(try reader.integer(Int32.self, "the dimension of row 0"))
        guard d > 0 && d <= FaissIndexFile.maxDimension else {
            throw reader.error(at: 0, expected: "a dimension between 1 and \(FaissIndexFile.maxDimension)", found: "\(d)")
        }
        let rowBytes = 4 + d * 4
        guard file.bytes.count % rowBytes == 0 else {
            let rows = file.bytes.count / rowBytes
            throw reader.error(at: rows * rowBytes, expected: "rows of \(rowBytes) bytes (int32 d = \(d), then \(d) floats)",
                               found: "\(file.bytes.count - rows * rowBytes) bytes left over after row \(rows - 1)")
        }
        let rows = file.bytes.count / rowBytes
        let storage = VectorStorage(dimension: d)
        let base = file.bytes.baseAddress!
        for row in 0..<rows {
            let rowD = Int32(littleEndian: base.loadUnaligned(fromByteOffset: row * rowBytes, as: Int32.self))
            guard rowD == d else {
                throw reader.error(at: row * rowBytes, expected: "dimension \(d) for row \(row), like row 0", found: "\(rowD)")
            }
            storage.append(UnsafeRawBufferPointer(start: base + row * rowBytes + 4, count: d * 4))
        }
        return storage
    }
}

/// The header of a NumPy `.npy` file (format versions 1–3) and where its data starts.
struct NpyArray {
    enum Element: Equatable {
        case float32, float16, float64, int64
    }

    let file: MappedFile
    let element: Element
    let descr: String
    let shape: [Int]
    let dataOffset: Int
    /// Where the header dictionary starts, for errors about the dtype.
    let headerDescrOffset: Int

    init(file: MappedFile) throws {
        self.file = file
        var reader = ByteReader(bytes: file.bytes, path: file.path)
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
        try reader.require(8, "the .npy magic \\x93NUMPY and version")
        guard Array(file.bytes[0..<6]) == magic else {
            throw reader.error(at: 0, expected: "the .npy magic \\x93NUMPY",
                               found: "bytes " + file.bytes[0..<6].map { String($0, radix: 16).leftPadded(to: 2) }.joined(separator: " "))
        }
        _ = try reader.integer(UInt32.self, "magic")
        _ = try reader.integer(UInt16.self, "magic")
        let major = try reader.integer(UInt8.self, "the major version")
        _ = try reader.integer(UInt8.self, "the minor version")
        let headerLength: Int
        switch major {
        case 1: headerLength = Int(try reader.integer(UInt16.self, "the header length"))
        case 2, 3: headerLength = Int(try reader.integer(UInt32.self, "the header length"))
        default: throw reader.error(at: 6, expected: ".npy format version 1, 2 or 3", found: "version \(major)")
        }
        try reader.require(headerLength, "the .npy header dictionary")
        headerDescrOffset = reader.offset
        let header = String(decoding: file.bytes[reader.offset..<(reader.offset + headerLength)], as: UTF8.self)
        let dictionaryOffset = reader.offset
        func fail(_ expected: String, _ found: String) -> FileFormatError {
            FileFormatError(path: file.path, offset: dictionaryOffset, expected: expected, found: found)
        }
        guard let descr = NpyArray.value(of: "descr", in: header)?.trimmingQuotes() else {
            throw fail("a header dictionary with 'descr'", "\(header.trimmingCharacters(in: [" ", "\n"]))")
        }
        self.descr = descr
        switch descr {
        case "<f4", "=f4", "f4": element = .float32
        case "<f2", "=f2", "f2": element = .float16
        case "<f8", "=f8", "f8": element = .float64
        case "<i8", "=i8", "i8": element = .int64
        default: throw fail("dtype float32, float16, float64 or int64, little-endian", "dtype '\(descr)'")
        }
        guard let order = NpyArray.value(of: "fortran_order", in: header) else {
            throw fail("a header dictionary with 'fortran_order'", header.trimmingCharacters(in: [" ", "\n"]))
        }
        guard order == "False" else { throw fail("C order (fortran_order: False)", "fortran_order: \(order)") }
        guard let shapeText = NpyArray.value(of: "shape", in: header), shapeText.hasPrefix("("), shapeText.hasSuffix(")") else {
            throw fail("a header dictionary with a 'shape' tuple", header.trimmingCharacters(in: [" ", "\n"]))
        }
        var shape = [Int]()
        for part in shapeText.dropFirst().dropLast().split(separator: ",") {
            let trimmed = part.trimmingCharacters(in: [" "])
            if trimmed.isEmpty { continue }
            guard let n = Int(trimmed), n >= 0 else { throw fail("non-negative integers in the shape", "shape \(shapeText)") }
            shape.append(n)
        }
        self.shape = shape
        dataOffset = reader.offset + headerLength
        let elementSize: Int
        switch element {
        case .float32: elementSize = 4
        case .float16: elementSize = 2
        case .float64, .int64: elementSize = 8
        }
        var total = elementSize
        for n in shape {
            let (product, overflow) = total.multipliedReportingOverflow(by: n)
            guard !overflow else { throw fail("a shape whose size fits in memory", "shape \(shapeText)") }
            total = product
        }
        guard total <= file.bytes.count - dataOffset else {
            throw FileFormatError(path: file.path, offset: dataOffset, expected: "\(total) bytes of data for shape \(shapeText)",
                                  found: "\(file.bytes.count - dataOffset) bytes")
        }
    }

    /// Converts elements `range` (float16 or float64) to float32 into `out`.
    func convert(elements range: Range<Int>, into out: inout [Float]) {
        let base = file.bytes.baseAddress! + dataOffset
        for (j, i) in range.enumerated() {
            switch element {
            case .float16:
                out[j] = Float(Float16(bitPattern: UInt16(littleEndian: base.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))))
            case .float64:
                out[j] = Float(Double(bitPattern: UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))))
            case .float32, .int64:
                preconditionFailure("convert is for float16 and float64 data")
            }
        }
    }

    /// The text of `key`'s value in a Python dict literal such as
    /// `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`.
    static func value(of key: String, in header: String) -> String? {
        guard let keyRange = header.range(of: "'\(key)'") ?? header.range(of: "\"\(key)\"") else { return nil }
        var rest = header[keyRange.upperBound...].drop { $0 == " " }
        guard rest.first == ":" else { return nil }
        rest = rest.dropFirst().drop { $0 == " " }
        if rest.first == "(" {
            guard let close = rest.firstIndex(of: ")") else { return nil }
            return String(rest[...close])
        }
        let end = rest.firstIndex { $0 == "," || $0 == "}" } ?? rest.endIndex
        return rest[..<end].trimmingCharacters(in: [" "])
    }
}

private extension String {
    func trimmingQuotes() -> String { trimmingCharacters(in: ["'", "\""]) }
}
