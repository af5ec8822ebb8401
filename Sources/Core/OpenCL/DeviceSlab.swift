/// How vectors are stored on a device. Arithmetic is always fp32.
public enum DevicePrecision: String, Sendable, CustomStringConvertible {
    /// 4 bytes per component, exact.
    case fp32
    /// 2 bytes per component (IEEE binary16, rounded to nearest even), widened to fp32 to compute.
    case fp16

    /// Bytes per stored component.
    public var bytesPerComponent: Int { self == .fp32 ? 4 : 2 }

    /// `fp32` or `fp16`.
    public var description: String { rawValue }
}

/// A contiguous run of database rows stored row-major in one device buffer: rows
/// `firstRow ..< firstRow + rowCount` of the index, `dimension` components each, starting at
/// byte 0 of `buffer`. Search results from a slab carry global row ids (`firstRow` added).
public struct DeviceSlab: Sendable {
    /// The buffer holding the rows (it may be larger than the rows need).
    public let buffer: OpenCLBuffer
    /// The global row number of the slab's first row.
    public let firstRow: Int
    /// How many rows the slab holds.
    public let rowCount: Int
    /// Components per row.
    public let dimension: Int
    /// Storage format of the components.
    public let precision: DevicePrecision

    /// Wraps an existing buffer; throws if it is too small for `rowCount × dimension` components.
    public init(buffer: OpenCLBuffer, firstRow: Int, rowCount: Int, dimension: Int,
                precision: DevicePrecision) throws {
        guard firstRow >= 0, rowCount >= 0, dimension > 0 else {
            throw buffer.device.invalid("a slab needs firstRow ≥ 0, rowCount ≥ 0 and dimension > 0 "
                + "(got \(firstRow), \(rowCount), \(dimension))")
        }
        let needed = DeviceSlab.byteCount(rows: rowCount, dimension: dimension, precision: precision)
        guard needed <= buffer.byteCount else {
            throw buffer.device.invalid("a slab of \(rowCount) × \(dimension) \(precision) needs \(needed) "
                + "bytes but its buffer has \(buffer.byteCount)")
        }
        self.buffer = buffer
        self.firstRow = firstRow
        self.rowCount = rowCount
        self.dimension = dimension
        self.precision = precision
    }

    /// Allocates a buffer for `rowCount` rows on `device` (touched, so that out-of-memory is
    /// reported now) and wraps it as a slab; an empty slab still takes one row (CL has no
    /// zero-byte buffers).
    public static func allocate(on device: OpenCLDevice, firstRow: Int, rowCount: Int, dimension: Int,
                                precision: DevicePrecision, touch: Bool = true) throws -> DeviceSlab {
        let bytes = byteCount(rows: max(rowCount, 1), dimension: max(dimension, 1), precision: precision)
        let buffer = try device.makeBuffer(byteCount: bytes, touch: touch)
        return try DeviceSlab(buffer: buffer, firstRow: firstRow, rowCount: rowCount, dimension: dimension,
                              precision: precision)
    }

    /// Bytes that `rows × dimension` components take in `precision`.
    public static func byteCount(rows: Int, dimension: Int, precision: DevicePrecision) -> Int {
        rows * dimension * precision.bytesPerComponent
    }

    /// The most rows of `dimension` components one buffer of `maxAllocationBytes` can hold.
    public static func maxRows(dimension: Int, precision: DevicePrecision, maxAllocationBytes: Int) -> Int {
        maxAllocationBytes / max(1, dimension * precision.bytesPerComponent)
    }

    /// The device the slab lives on.
    public var device: OpenCLDevice { buffer.device }

    /// Bytes the slab's rows occupy (not counting any slack at the end of the buffer).
    public var usedBytes: Int { DeviceSlab.byteCount(rows: rowCount, dimension: dimension, precision: precision) }

    /// Writes `count` fp32 host rows into slab-local rows `row ..< row + count`. An fp32 slab is
    /// written directly; an fp16 slab goes through `staging` (an fp32 buffer on the same device of
    /// at least one row), one staging-full at a time, converted on the device, so device memory
    /// never holds an fp32 copy of more than one staging buffer.
    public func write(rows source: UnsafePointer<Float>, count: Int, atRow row: Int,
                      staging: OpenCLBuffer? = nil) throws {
        try checkRows(row, count, "write")
        guard count > 0 else { return }
        let d = dimension
        switch precision {
        case .fp32:
            try buffer.write(from: source, count: count * d * 4, at: row * d * 4)
        case .fp16:
            let staging = try stagingBuffer(staging)
            let chunkRows = staging.byteCount / (d * 4)
            var done = 0
            while done < count {
                let n = min(chunkRows, count - done)
                try staging.write(from: source + done * d, count: n * d * 4)
                try device.convertFP32ToFP16(from: staging, sourceElement: 0, to: buffer,
                                             destinationElement: (row + done) * d, count: n * d)
                done += n
            }
        }
    }

    /// Reads slab-local rows `rows` into `destination` as fp32. An fp16 slab is widened on the
    /// device into `staging` (an fp32 buffer of at least one row), one staging-full at a time.
    public func read(rows: Range<Int>, into destination: UnsafeMutablePointer<Float>,
                     staging: OpenCLBuffer? = nil) throws {
        try checkRows(rows.lowerBound, rows.count, "read")
        guard !rows.isEmpty else { return }
        let d = dimension
        switch precision {
        case .fp32:
            try buffer.read(into: destination, count: rows.count * d * 4, at: rows.lowerBound * d * 4)
        case .fp16:
            let staging = try stagingBuffer(staging)
            let chunkRows = staging.byteCount / (d * 4)
            var done = 0
            while done < rows.count {
                let n = min(chunkRows, rows.count - done)
                try device.convertFP16ToFP32(from: buffer, sourceElement: (rows.lowerBound + done) * d,
                                             to: staging, destinationElement: 0, count: n * d)
                try staging.read(into: destination + done * d, count: n * d * 4)
                done += n
            }
        }
    }

    private func checkRows(_ row: Int, _ count: Int, _ what: String) throws {
        guard row >= 0, count >= 0, row <= rowCount, count <= rowCount - row else {
            throw device.invalid("\(what) of rows \(row)..<\(row + count) is outside a slab of \(rowCount) rows")
        }
    }

    private func stagingBuffer(_ staging: OpenCLBuffer?) throws -> OpenCLBuffer {
        guard let staging, staging.device === device, staging.byteCount >= dimension * 4 else {
            throw device.invalid("an fp16 slab needs an fp32 staging buffer on the same device "
                + "of at least one row (\(dimension * 4) bytes)")
        }
        return staging
    }
}

extension OpenCLDevice {
    /// Converts `count` fp32 values of `source` (from element `sourceElement`) to fp16 in
    /// `destination` (from element `destinationElement`), rounding to nearest even.
    public func convertFP32ToFP16(from source: OpenCLBuffer, sourceElement: Int = 0,
                                  to destination: OpenCLBuffer, destinationElement: Int, count: Int) throws {
        try convert("f32_to_f16", source, sourceElement, 4, destination, destinationElement, 2, count)
    }

    /// Widens `count` fp16 values of `source` (from element `sourceElement`) to fp32 in
    /// `destination` (from element `destinationElement`); exact.
    public func convertFP16ToFP32(from source: OpenCLBuffer, sourceElement: Int = 0,
                                  to destination: OpenCLBuffer, destinationElement: Int = 0, count: Int) throws {
        try convert("f16_to_f32", source, sourceElement, 2, destination, destinationElement, 4, count)
    }

    /// Largest element count one conversion launch covers (global sizes stay within 32 bits).
    private static let conversionLaunchElements = 1 << 30

    private func convert(_ kernelName: String, _ source: OpenCLBuffer, _ sourceElement: Int, _ sourceSize: Int,
                         _ destination: OpenCLBuffer, _ destinationElement: Int, _ destinationSize: Int,
                         _ count: Int) throws {
        guard source.device === self, destination.device === self else {
            throw invalid("\(kernelName): both buffers must live on this device")
        }
        guard sourceElement >= 0, destinationElement >= 0, count >= 0 else {
            throw invalid("\(kernelName): negative offset or count")
        }
        try source.checkRange(offset: sourceElement * sourceSize, count: count * sourceSize, kernelName)
        try destination.checkRange(offset: destinationElement * destinationSize, count: count * destinationSize,
                                   kernelName)
        guard count > 0 else { return }
        let program = try program(named: OpenCLKernels.conversionProgram, source: OpenCLKernels.conversionSource)
        let kernel = try kernel(kernelName, in: program)
        var done = 0
        while done < count {
            let n = min(OpenCLDevice.conversionLaunchElements, count - done)
            try kernel.set(0, source)
            try kernel.set(1, ulong: sourceElement + done)
            try kernel.set(2, destination)
            try kernel.set(3, ulong: destinationElement + done)
            try kernel.set(4, ulong: n)
            try kernel.enqueue(global: [n])
            done += n
        }
    }
}
