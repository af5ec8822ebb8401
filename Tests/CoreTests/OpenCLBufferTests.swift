import XCTest
@testable import Core

final class OpenCLBufferTests: XCTestCase {
    func testBytesRoundTrip() throws {
        let device = try CLTest.device()
        let count = 1 << 20
        let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }
        let buffer = try device.makeBuffer(byteCount: count, touch: true)
        XCTAssertEqual(buffer.byteCount, count)
        try buffer.write(from: bytes, count: count)
        var back = [UInt8](repeating: 0, count: count)
        try buffer.read(into: &back, count: count)
        XCTAssertEqual(back, bytes)

        // Partial transfers at offsets.
        let patch: [UInt8] = [1, 2, 3, 4, 5]
        try buffer.write(from: patch, count: patch.count, at: 1000)
        var window = [UInt8](repeating: 0, count: 7)
        try buffer.read(into: &window, count: 7, at: 999)
        XCTAssertEqual(window, [bytes[999], 1, 2, 3, 4, 5, bytes[1005]])

        // Device-side copy.
        let other = try device.makeBuffer(byteCount: 64)
        try buffer.copy(to: other, count: 32, from: 1000, to: 16)
        var copied = [UInt8](repeating: 0, count: 5)
        try other.read(into: &copied, count: 5, at: 16)
        XCTAssertEqual(copied, patch)
    }

    func testTransfersOutsideTheBufferAreRefused() throws {
        let device = try CLTest.device()
        let buffer = try device.makeBuffer(byteCount: 16)
        var scratch = [UInt8](repeating: 0, count: 32)
        XCTAssertThrowsError(try buffer.read(into: &scratch, count: 8, at: 12)) { error in
            guard case OpenCLError.invalidArgument = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try buffer.write(from: scratch, count: 17))
        XCTAssertThrowsError(try buffer.write(from: scratch, count: 1, at: -1))
        XCTAssertThrowsError(try device.makeBuffer(byteCount: 0))
    }

    func testAllocationLargerThanMaxAllocationFails() throws {
        let device = try CLTest.device()
        let tooBig = device.info.maxAllocationBytes + 1
        XCTAssertThrowsError(try device.makeBuffer(byteCount: tooBig, touch: true)) { error in
            guard let error = error as? OpenCLError,
                  case let .allocationTooLarge(_, bytes, maxAllocationBytes) = error else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(bytes, tooBig)
            XCTAssertEqual(maxAllocationBytes, device.info.maxAllocationBytes)
            XCTAssertTrue(error.isOutOfMemory)
            XCTAssertTrue(error.description.contains("cl0"), error.description)
        }
        XCTAssertThrowsError(try DeviceSlab.allocate(on: device, firstRow: 0, rowCount: tooBig / 4 + 1,
                                                     dimension: 1, precision: .fp32))
    }

    /// fp32 → fp16 on the device rounds exactly as Swift's `Float16(x)` (nearest, ties to even),
    /// including subnormals, overflow to infinity, signed zeros, infinities and NaN; fp16 → fp32
    /// is exact.
    func testFP16ConversionMatchesSwift() throws {
        let device = try CLTest.device()
        var values = CLTest.uniform(count: 4000, seed: 5).enumerated().map { i, v -> Float in
            // Spread over the whole fp16 range and beyond: 2^-30 … 2^20.
            v * Float(pow(2.0, Double(i % 51) - 30))
        }
        values += [0, -0, 1, -1, 65504, 65519, 65520, 70000, -70000, 6.1035156e-05, 5.9604645e-08,
                   2.9802322e-08, 2.9802326e-08, 1e-9, .infinity, -.infinity, .nan,
                   1 + Float(1) / 2048, 1 + Float(3) / 2048, 2049, 2051]
        let n = values.count
        let offset = 3  // convert into the fp16 buffer at an element offset
        let source = try device.makeBuffer(byteCount: n * 4)
        try source.write(from: values, count: n * 4)
        let half = try device.makeBuffer(byteCount: (n + offset) * 2)
        try device.convertFP32ToFP16(from: source, to: half, destinationElement: offset, count: n)
        var bits = [UInt16](repeating: 0, count: n)
        try half.read(into: &bits, count: n * 2, at: offset * 2)
        for i in 0..<n {
            let expected = Float16(values[i])
            if expected.isNaN {
                XCTAssertTrue(Float16(bitPattern: bits[i]).isNaN, "value \(values[i])")
            } else {
                XCTAssertEqual(bits[i], expected.bitPattern, "value \(values[i]) (index \(i))")
            }
        }

        let widened = try device.makeBuffer(byteCount: n * 4)
        try device.convertFP16ToFP32(from: half, sourceElement: offset, to: widened, count: n)
        var back = [Float](repeating: 0, count: n)
        try widened.read(into: &back, count: n * 4)
        for i in 0..<n {
            let expected = Float(Float16(bitPattern: bits[i]))
            if expected.isNaN { XCTAssertTrue(back[i].isNaN) } else { XCTAssertEqual(back[i].bitPattern, expected.bitPattern) }
        }
        XCTAssertThrowsError(try device.convertFP32ToFP16(from: source, to: half, destinationElement: 4, count: n))
    }

    /// Slab writes and reads at row offsets; fp16 goes through a staging buffer smaller than the
    /// data (several chunks) and comes back as the fp16 rounding of what was written.
    func testSlabsWriteAndReadRows() throws {
        let device = try CLTest.device()
        let d = 37, rows = 50
        let data = CLTest.uniform(count: rows * d, seed: 9).map { $0 * 100 }
        let staging = try device.makeBuffer(byteCount: 3 * d * 4 + 8)  // three rows per chunk
        for precision in [DevicePrecision.fp32, .fp16] {
            let slab = try DeviceSlab.allocate(on: device, firstRow: 1000, rowCount: rows + 10, dimension: d,
                                               precision: precision)
            XCTAssertEqual(slab.usedBytes, (rows + 10) * d * precision.bytesPerComponent)
            try slab.write(rows: data, count: rows, atRow: 10, staging: staging)
            var back = [Float](repeating: 0, count: rows * d)
            try slab.read(rows: 10..<(10 + rows), into: &back, staging: staging)
            let expected = precision == .fp32 ? data : data.map { Float(Float16($0)) }
            XCTAssertEqual(back, expected, "\(precision)")
            XCTAssertThrowsError(try slab.write(rows: data, count: rows, atRow: 11, staging: staging))
        }
        let half = try DeviceSlab.allocate(on: device, firstRow: 0, rowCount: 2, dimension: d, precision: .fp16)
        XCTAssertThrowsError(try half.write(rows: data, count: 1, atRow: 0, staging: nil)) { error in
            XCTAssertTrue("\(error)".contains("staging"), "\(error)")
        }
        let small = try device.makeBuffer(byteCount: 16)
        XCTAssertThrowsError(try DeviceSlab(buffer: small, firstRow: 0, rowCount: 1, dimension: 37, precision: .fp32))
    }
}
