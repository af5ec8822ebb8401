import Core
import Foundation

/// A `.safetensors` file, mapped: an 8-byte little-endian header length, a JSON header
/// `{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {…}}`, then the
/// tensors' bytes. Every entry is checked against the file before any tensor is used: offsets
/// inside the data, byte count equal to shape × element size, a known dtype.
public final class SafeTensorsFile: Sendable {

    /// Element sizes of the dtypes safetensors defines; a name not here is refused when read.
    static let elementSizes: [String: Int] = ["F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2,
                                              "I8": 1, "U64": 8, "U32": 4, "U16": 2, "U8": 1, "BOOL": 1,
                                              "F8_E4M3": 1, "F8_E5M2": 1]

    /// One tensor's entry in the header.
    public struct Entry: Sendable {
        /// The safetensors dtype name ("F32", "BF16", "I64"…).
        public let dtype: String
        public let shape: [Int]
        /// Byte range inside the file (header already added).
        public let bytes: Range<Int>
        public var count: Int { shape.reduce(1, *) }
    }

    public let path: String
    public let entries: [String: Entry]
    private let file: MappedFile

    /// Maps `path` and validates its header.
    /// - Throws: `EmbeddingError` naming the file and the tensor or field that is wrong.
    public init(path: String) throws {
        self.path = path
        do {
            file = try MappedFile(path: path)
        } catch {
            throw EmbeddingError("\(error)")
        }
        let bytes = file.bytes
        guard bytes.count >= 8 else {
            throw EmbeddingError("\(path): not a safetensors file: \(bytes.count) bytes, shorter than the 8-byte header length")
        }
        let headerLength = Int(truncatingIfNeeded: bytes.loadUnaligned(as: UInt64.self).littleEndian)
        guard headerLength >= 2, headerLength <= bytes.count - 8 else {
            throw EmbeddingError("\(path): header length \(UInt64(bytes.loadUnaligned(as: UInt64.self).littleEndian)) does not fit in the file (\(bytes.count) bytes)")
        }
        let headerData = Data(bytes[8..<(8 + headerLength)])
        guard let header = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any] else {
            throw EmbeddingError("\(path): the header (\(headerLength) bytes) is not a JSON object")
        }
        let dataStart = 8 + headerLength
        let dataLength = bytes.count - dataStart
        var entries = [String: Entry]()
        for (name, value) in header where name != "__metadata__" {
            guard let fields = value as? [String: Any] else {
                throw EmbeddingError("\(path): tensor \(name): header entry is not an object")
            }
            guard let dtypeName = fields["dtype"] as? String else {
                throw EmbeddingError("\(path): tensor \(name): no dtype")
            }
            guard let elementSize = Self.elementSizes[dtypeName] else {
                throw EmbeddingError("\(path): tensor \(name): unknown dtype \(dtypeName)")
            }
            guard let shapeValues = fields["shape"] as? [Any],
                  let shape = Self.integers(shapeValues), shape.allSatisfy({ $0 >= 0 }) else {
                throw EmbeddingError("\(path): tensor \(name): shape is not a list of sizes")
            }
            guard let offsetValues = fields["data_offsets"] as? [Any], let offsets = Self.integers(offsetValues),
                  offsets.count == 2 else {
                throw EmbeddingError("\(path): tensor \(name): data_offsets is not [begin, end]")
            }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin >= 0, begin <= end, end <= dataLength else {
                throw EmbeddingError("\(path): tensor \(name): data_offsets [\(begin), \(end)] run past the end of the data (\(dataLength) bytes)")
            }
            let (elements, overflow) = shape.reduce((1, false)) { partial, size in
                let product = partial.0.multipliedReportingOverflow(by: size)
                return (product.partialValue, partial.1 || product.overflow)
            }
            let byteCount = elements.multipliedReportingOverflow(by: elementSize)
            guard !overflow, !byteCount.overflow, byteCount.partialValue == end - begin else {
                throw EmbeddingError("\(path): tensor \(name): shape \(shape) of \(dtypeName) needs a different byte count than data_offsets give (\(end - begin))")
            }
            entries[name] = Entry(dtype: dtypeName, shape: shape, bytes: (dataStart + begin)..<(dataStart + end))
        }
        self.entries = entries
    }

    /// The tensor `name` as float32 with exactly `shape`: the mapped bytes themselves for an
    /// aligned F32 tensor (no copy), otherwise converted once into memory owned by the result.
    /// - Throws: `EmbeddingError` naming the file and tensor when it is absent or its shape differs.
    public func floats(_ name: String, shape expected: [Int]) throws -> Tensor {
        guard let entry = entries[name] else {
            throw EmbeddingError("\(path): tensor \(name) is missing")
        }
        guard entry.shape == expected else {
            throw EmbeddingError("\(path): tensor \(name) has shape \(entry.shape); config.json implies \(expected)")
        }
        guard ["F32", "F16", "BF16"].contains(entry.dtype) else {
            throw EmbeddingError("\(path): tensor \(name): dtype \(entry.dtype) is not supported for weights (F32, F16 or BF16)")
        }
        let raw = UnsafeRawBufferPointer(rebasing: file.bytes[entry.bytes])
        let count = entry.count
        if entry.dtype == "F32", let base = raw.baseAddress, Int(bitPattern: base) % MemoryLayout<Float>.alignment == 0 {
            return Tensor(owner: file, pointer: base.assumingMemoryBound(to: Float.self), count: count, mapped: true)
        }
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
        switch entry.dtype {
        case "F32":
            for i in 0..<count { buffer[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
        case "F16":
            for i in 0..<count { buffer[i] = Float(Float16(bitPattern: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))) }
        default:   // BF16
            for i in 0..<count {
                let bits = UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                buffer[i] = Float(bitPattern: UInt32(bits) << 16)
            }
        }
        return Tensor(owner: OwnedFloats(buffer), pointer: UnsafePointer(buffer), count: count, mapped: false)
    }

    private static func integers(_ values: [Any]) -> [Int]? {
        var result = [Int]()
        for value in values {
            guard let number = value as? NSNumber, let int = Int(exactly: number.doubleValue) else { return nil }
            result.append(int)
        }
        return result
    }
}

/// Float32 weights ready for BLAS: a pointer into the mapped file, or into a converted copy
/// that this value keeps alive.
public struct Tensor: @unchecked Sendable {
    // @unchecked: the pointee is never written after construction.
    private let owner: AnyObject
    public let pointer: UnsafePointer<Float>
    public let count: Int
    /// Whether the floats are the file's own mapped bytes (F32) rather than a converted copy.
    public let mapped: Bool

    init(owner: AnyObject, pointer: UnsafePointer<Float>, count: Int, mapped: Bool) {
        self.owner = owner
        self.pointer = pointer
        self.count = count
        self.mapped = mapped
    }

    public subscript(i: Int) -> Float { pointer[i] }
}

/// Floats converted from F16/BF16 (or unaligned F32), freed with the last tensor using them.
private final class OwnedFloats {
    let pointer: UnsafeMutablePointer<Float>
    init(_ pointer: UnsafeMutablePointer<Float>) { self.pointer = pointer }
    deinit { pointer.deallocate() }
}
