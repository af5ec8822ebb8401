import Foundation
import XCTest
@testable import Core

/// Placement on OpenCL devices, run on whatever devices the machine has (PoCL on the CPU in
/// CI: one device by default, two with POCL_DEVICES="pthread pthread", which scripts/test
/// also runs). Shard and replicate tests use every device there is.
final class DevicePlacementTests: XCTestCase {
    let registry = DeviceRegistry.shared

    func accelerators() throws -> [DeviceRegistry.Device] {
        let devices = registry.accelerators
        // No device is a failure (CI has PoCL): XCTUnwrap fails the test and stops it.
        _ = try XCTUnwrap(devices.first, "no OpenCL device: \(registry.note ?? "")")
        return devices
    }

    /// Small slabs and a small scratch budget, so that every search spans several slabs and tiles.
    func options(slabBytes: Int, tempBytes: Int = 256 << 10) -> MoveOptions {
        var options = MoveOptions()
        options.maxSlabBytes = slabBytes
        options.tempBudgetBytes = tempBytes
        options.chunkBytes = 100 << 10
        return options
    }

    func flat(rows: Int, d: Int, metric: Metric, seed: UInt64) throws -> (FlatIndex, VectorMatrix) {
        let data = randomMatrix(rows: rows, dimension: d, seed: seed)
        let index = FlatIndex(dimension: d, metric: metric)
        try index.add(data, ids: nil)
        return (index, data)
    }

    func testFP32OnEveryLayoutMatchesTheCPU() throws {
        let devices = try accelerators()
        for metric in [Metric.innerProduct, .l2] {
            for d in [37, 128, 1024] {
                let rows = d == 1024 ? 1200 : 3000
                let (cpu, data) = try flat(rows: rows, d: d, metric: metric, seed: UInt64(d))
                let queries = randomMatrix(rows: 7, dimension: d, seed: 77)
                let expected = try cpu.search(queries, k: 10)
                let slabBytes = rows * d * 4 / 3 + 4 * d  // three or four slabs per device
                for layout in [Layout.single, .shard, .replicate] {
                    let targetDevices = layout == .single ? [devices[0]] : devices
                    let placed = try IndexMover.move(cpu, to: PlacementTarget(devices: targetDevices, layout: layout, precision: .fp32),
                                                     options: options(slabBytes: slabBytes))
                    let device = try XCTUnwrap(placed as? DeviceFlatIndex)
                    XCTAssertGreaterThan(device.shards[0].slabCount, 1)
                    let result = try placed.search(queries, k: 10)
                    assertMatchesReference(result, (expected.ids.chunked(10), expected.scores.map(Double.init).chunked(10)),
                                           tolerance: 1e-4)
                    XCTAssertEqual(try placed.reconstruct(id: Int64(rows - 1)), data.row(rows - 1))
                }
            }
        }
    }

    func testFP16RecallAndTolerance() throws {
        let devices = try accelerators()
        for metric in [Metric.innerProduct, .l2] {
            let (cpu, _) = try flat(rows: 4000, d: 128, metric: metric, seed: 3)
            let queries = randomMatrix(rows: 20, dimension: 128, seed: 4)
            let expected = try cpu.search(queries, k: 10)
            let placed = try IndexMover.move(cpu, to: PlacementTarget(devices: devices, layout: .shard, precision: .fp16),
                                             options: options(slabBytes: 300 << 10))
            let result = try placed.search(queries, k: 10)
            var hits = 0
            for q in 0..<20 { hits += Set(result.ids(ofQuery: q)).intersection(expected.ids(ofQuery: q)).count }
            XCTAssertGreaterThanOrEqual(Double(hits) / 200, 0.99, "fp16 recall@10 vs fp32 CPU")
            // fp16 keeps 11 significant bits: scores within 1e-2 relative of the CPU's (documented tolerance).
            for (a, b) in zip(result.scores, expected.scores) {
                XCTAssertLessThanOrEqual(abs(a - b), 1e-2 * max(1, abs(b)))
            }
        }
    }

    func testSavingFromDevicesGivesTheCPUFileBytes() throws {
        let devices = try accelerators()
        let folder = TemporaryFolder()
        let (cpu, data) = try flat(rows: 2500, d: 37, metric: .l2, seed: 9)
        let wrapped = try IDMapIndex(kind: .idMap2, inner: cpu, ids: (0..<2500).map { Int64($0) * 3 + 1_000_000_000_000 })
        try FaissIndexFile.write(wrapped, to: folder.file("cpu.index"))
        let placed = try IndexMover.move(wrapped, to: PlacementTarget(devices: devices, layout: .shard, precision: .fp32),
                                         options: options(slabBytes: 64 << 10))
        XCTAssertTrue(placed is IDMapIndex)
        try FaissIndexFile.write(placed, to: folder.file("device.index"), chunkBytes: 50 << 10)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: folder.file("device.index"))),
                       try Data(contentsOf: URL(fileURLWithPath: folder.file("cpu.index"))))

        // fp16 saves the fp16 values widened to fp32, as FAISS's index_gpu_to_cpu does.
        let half = try IndexMover.move(cpu, to: PlacementTarget(devices: [devices[0]], layout: .single, precision: .fp16),
                                       options: options(slabBytes: 64 << 10))
        try FaissIndexFile.write(half, to: folder.file("half.index"))
        let back = try FaissIndexFile.read(path: folder.file("half.index"))
        XCTAssertEqual(try back.reconstruct(id: 17), data.row(17).map { Float(Float16($0)) })

        // And back to the host: the same vectors.
        let home = try IndexMover.move(placed, to: PlacementTarget(devices: [try registry.device(named: "cpu")], layout: .single, precision: .fp32))
        XCTAssertTrue((home as? IDMapIndex)?.inner is FlatIndex)
        XCTAssertEqual(try home.reconstruct(id: 1_000_000_000_000 + 3 * 2499), data.row(2499))
    }

    func testMovePeakIsResidentPlusOneChunk() throws {
        let device = try accelerators()[0]
        let (cpu, _) = try flat(rows: 20000, d: 128, metric: .innerProduct, seed: 5)  // 10 MiB fp32
        var options = options(slabBytes: 4 << 20)
        options.chunkBytes = 1 << 20
        let resident = 20000 * 128 * 4
        // A budget just above resident + chunk + scratch: the move must fit in it.
        options.memoryBudgets[device.name] = resident + (1 << 20) + (256 << 10) + 4096
        MemoryLedger.shared.resetPeaks()
        let hostBefore = MemoryLedger.shared.currentBytes(device: MemoryLedger.hostDevice)
        var placed: (any VectorIndex)? = try IndexMover.move(cpu, to: PlacementTarget(devices: [device], layout: .single, precision: .fp32),
                                                             options: options)
        let devicePeak = MemoryLedger.shared.peakBytes(device: device.name)
        XCTAssertLessThanOrEqual(devicePeak, resident + (1 << 20) + (256 << 10), "device peak from the ledger")
        XCTAssertGreaterThanOrEqual(devicePeak, resident)
        XCTAssertLessThanOrEqual(MemoryLedger.shared.peakBytes(device: MemoryLedger.hostDevice) - hostBefore, 1 << 20,
                                 "extra host memory during the move is one chunk")
        _ = try placed?.search(randomMatrix(rows: 2, dimension: 128, seed: 1), k: 5)
        XCTAssertLessThanOrEqual(MemoryLedger.shared.peakBytes(device: device.name), resident + (1 << 20) + (256 << 10))
        placed = nil  // frees the fp32 copy: the budget now has room for the fp16 one only


        // fp16: the device never holds an fp32 copy beyond one chunk.
        MemoryLedger.shared.resetPeaks()
        let before = MemoryLedger.shared.currentBytes(device: device.name)
        let half = try IndexMover.move(cpu, to: PlacementTarget(devices: [device], layout: .single, precision: .fp16), options: options)
        XCTAssertLessThanOrEqual(MemoryLedger.shared.peakBytes(device: device.name) - before, resident / 2 + (1 << 20))
        XCTAssertEqual(half.count, 20000)
    }

    /// The process's own view: PoCL's "device" memory is host RAM, so the process's anonymous
    /// memory may grow by the device copy and one chunk, and nothing like a second copy. (The
    /// source is memory-mapped: its pages are file-backed page cache, not counted here.)
    func testMovePeakAnonymousMemoryOfTheProcess() throws {
        let device = try accelerators()[0]
        let folder = TemporaryFolder()
        try FaissIndexFile.write(try flat(rows: 100_000, d: 128, metric: .innerProduct, seed: 12).0, to: folder.file("big.index"))
        let mapped = try FaissIndexFile.read(path: folder.file("big.index"))
        var options = MoveOptions()
        options.chunkBytes = 4 << 20
        let resident = 100_000 * 128 * 4  // 48.8 MiB
        _ = try IndexMover.move(try flat(rows: 10, d: 128, metric: .innerProduct, seed: 1).0,
                                to: PlacementTarget(devices: [device], layout: .single, precision: .fp32))  // context warm
        let sampler = AnonymousMemorySampler()
        let placed = try IndexMover.move(mapped, to: PlacementTarget(devices: [device], layout: .single, precision: .fp32), options: options)
        let growth = sampler.stop()
        XCTAssertLessThanOrEqual(growth, resident + (4 << 20) + (8 << 20), "peak anonymous RSS grew by \(ByteSize.format(growth))")
        XCTAssertGreaterThanOrEqual(growth, resident / 2, "the sampler saw the device copy arrive")
        XCTAssertEqual(placed.count, 100_000)
    }

    func testTooBigIsRefusedWithOptionsAndTheIndexStays() throws {
        let devices = try accelerators()
        let (cpu, _) = try flat(rows: 10000, d: 64, metric: .l2, seed: 6)  // 2.4 MiB fp32
        var options = MoveOptions()
        options.memoryBudgets[devices[0].name] = 2 << 20
        options.tempBudgetBytes = 128 << 10
        options.chunkBytes = 256 << 10
        let before = MemoryLedger.shared.currentBytes(device: devices[0].name)
        XCTAssertThrowsError(try IndexMover.move(cpu, to: PlacementTarget(devices: [devices[0]], layout: .single, precision: .fp32),
                                                 candidates: [devices[0]], options: options)) { error in
            let text = "\(error)"
            XCTAssertTrue(error is PlacementRefusal, text)
            XCTAssertTrue(text.contains("\(devices[0].name) would need 2.8 MiB at peak"), text)
            XCTAssertTrue(text.contains("may use 2.0 MiB"), text)
            XCTAssertTrue(text.contains("fp16 on \(devices[0].name)"), text)
            XCTAssertTrue(text.contains("SQ8"), text)
        }
        XCTAssertEqual(MemoryLedger.shared.currentBytes(device: devices[0].name), before)
        XCTAssertEqual(try cpu.search(randomMatrix(rows: 1, dimension: 64, seed: 1), k: 3).ids.count, 3)
    }

    func testCancelledMoveFreesEverything() throws {
        let devices = try accelerators()
        let (cpu, _) = try flat(rows: 8000, d: 64, metric: .innerProduct, seed: 8)
        let before = devices.map { MemoryLedger.shared.currentBytes(device: $0.name) }
        var calls = 0
        XCTAssertThrowsError(try IndexMover.move(cpu, to: PlacementTarget(devices: devices, layout: .shard, precision: .fp16),
                                                 options: options(slabBytes: 256 << 10)) { progress in
            calls += 1
            return progress.rowsDone < 3000  // cancel half-way through the upload
        }) { error in XCTAssertTrue(error is CancellationError, "\(error)") }
        XCTAssertGreaterThan(calls, 3)
        XCTAssertEqual(devices.map { MemoryLedger.shared.currentBytes(device: $0.name) }, before)
        XCTAssertEqual(MemoryLedger.shared.currentBytes(device: MemoryLedger.hostDevice, kind: .staging), 0)
    }

    func testIndexesThatCannotMoveSaySo() throws {
        let devices = try accelerators()
        XCTAssertThrowsError(try registry.resolve("gpu7")) { error in
            XCTAssertTrue("\(error)".contains("no device named 'gpu7'"), "\(error)")
        }
        XCTAssertThrowsError(try registry.resolve("cpu,\(devices[0].name)"))
        let placed = try IndexMover.move(try flat(rows: 10, d: 4, metric: .l2, seed: 1).0,
                                         to: PlacementTarget(devices: [devices[0]], layout: .single, precision: .fp32))
        XCTAssertThrowsError(try placed.add(randomMatrix(rows: 1, dimension: 4, seed: 1), ids: nil)) { error in
            XCTAssertTrue("\(error)".contains("move it to cpu first"), "\(error)")
        }
    }
}

/// Samples this process's anonymous resident memory every millisecond on a background
/// thread; `stop()` returns the peak growth over the value at start.
final class AnonymousMemorySampler: Sendable {
    private let start: Int
    private let state: Locked<(peak: Int, running: Bool)>
    private let done = DispatchSemaphore(value: 0)

    init() {
        let start = HostInfo.current().residentAnonymousBytes
        self.start = start
        state = Locked((start, true))
        Thread.detachNewThread { [self] in
            while true {
                let now = HostInfo.current().residentAnonymousBytes
                let keepGoing = state.withLock { state in
                    state.peak = max(state.peak, now)
                    return state.running
                }
                if !keepGoing { break }
                usleep(1000)
            }
            done.signal()
        }
    }

    func stop() -> Int {
        state.withLock { $0.running = false }
        done.wait()
        return state.withLock { $0.peak } - start
    }
}

extension Array {
    /// Rows of `width` elements.
    func chunked(_ width: Int) -> [[Element]] {
        stride(from: 0, to: count, by: width).map { Array(self[$0..<Swift.min($0 + width, count)]) }
    }
}
