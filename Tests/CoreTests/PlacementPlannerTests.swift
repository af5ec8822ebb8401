import XCTest
@testable import Core

final class PlacementPlannerTests: XCTestCase {
    /// Search-R1's wiki-18 index: 21,015,324 × 768 fp32 inner product, 64.6 GB.
    let searchR1 = IndexShape(className: "IndexFlatIP", rows: 21_015_324, dimension: 768, hasIDs: false)

    func gpu(_ name: String, gibibytes: Int) -> PlanDevice {
        let bytes = gibibytes << 30
        return PlanDevice(name: name, capacityBytes: bytes, maxAllocationBytes: bytes / 4,
                          tempBudgetBytes: PlanDevice.defaultTempBudget(memoryBytes: bytes))
    }

    func testSearchR1OnOne80GiBDevice() {
        let device = gpu("gpu0", gibibytes: 80)
        XCTAssertEqual(searchR1.vectorBytes(.fp32), 64_559_075_328)

        let fp16 = PlacementPlanner.evaluate(searchR1, on: [device], layout: .single, precision: .fp16)
        // Exactly the allocation FAISS failed on: the fp16 copy made while the fp32 copy is still there.
        XCTAssertEqual(fp16.residentBytesPerDevice, [32_279_537_664])
        XCTAssertEqual(fp16.peakBytesPerDevice, [32_279_537_664 + (64 << 20) + (1 << 30)])
        XCTAssertTrue(fp16.fits)
        XCTAssertEqual(fp16.slabsPerDevice, [2])  // a quarter of 80 GiB per allocation

        let fp32 = PlacementPlanner.evaluate(searchR1, on: [device], layout: .single, precision: .fp32)
        XCTAssertEqual(fp32.peakBytesPerDevice, [64_559_075_328 + (64 << 20) + (1 << 30)])
        XCTAssertTrue(fp32.fits, "fp32 fits one 80 GiB device when uploaded in chunks")
        XCTAssertEqual(fp32.slabsPerDevice, [4])

        let sharded = PlacementPlanner.evaluate(searchR1, on: [device, gpu("gpu1", gibibytes: 80)], layout: .shard, precision: .fp32)
        XCTAssertEqual(sharded.rowsPerDevice, [10_507_662, 10_507_662])
        XCTAssertTrue(sharded.fits)
    }

    func testSearchR1OnA40GiBDeviceIsRefusedWithOptions() {
        let small = gpu("gpu0", gibibytes: 40)
        let candidates = PlacementPlanner.options(searchR1, devices: [small, gpu("gpu1", gibibytes: 40)])
        let request = PlacementPlanner.evaluate(searchR1, on: [small], layout: .single, precision: .fp32)
        XCTAssertFalse(request.fits)
        XCTAssertThrowsError(try PlacementRefusal.check(request, shape: searchR1, candidates: candidates)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("gpu0 would need 61.2 GiB at peak"), text)
            XCTAssertTrue(text.contains("may use 40.0 GiB"), text)
            XCTAssertTrue(text.contains("fp16 on gpu0"), text)
            XCTAssertTrue(text.contains("fp32 sharded over gpu0, gpu1"), text)
            XCTAssertTrue(text.contains("SQ8 ≈ 15.0 GiB"), text)
            XCTAssertTrue(text.contains("IVF32768,PQ64 ≈ 1.5 GiB"), text)
        }
    }

    func testSlabsFollowTheMaxAllocation() {
        let shape = IndexShape(className: "IndexFlatL2", rows: 1000, dimension: 10, hasIDs: true)
        let device = PlanDevice(name: "cl0", capacityBytes: 1 << 20, maxAllocationBytes: 4000, tempBudgetBytes: 0)
        let option = PlacementPlanner.evaluate(shape, on: [device], layout: .single, precision: .fp32)
        XCTAssertEqual(option.slabsPerDevice, [10])  // 100 rows of 40 bytes per slab
        XCTAssertEqual(PlacementPlanner.shardRows(total: 10, parts: 3), [3, 3, 4])
    }

    func testLedgerTracksCurrentAndPeak() {
        let ledger = MemoryLedger()
        var chunk: LedgerEntry? = ledger.record(device: "cl0", kind: .staging, bytes: 64)
        let slab = ledger.record(device: "cl0", kind: .vectors, bytes: 1000)
        XCTAssertEqual(ledger.currentBytes(device: "cl0"), 1064)
        chunk = nil
        XCTAssertNil(chunk)
        XCTAssertEqual(ledger.currentBytes(device: "cl0"), 1000)
        XCTAssertEqual(ledger.peakBytes(device: "cl0"), 1064)
        ledger.resetPeaks()
        XCTAssertEqual(ledger.peakBytes(device: "cl0"), 1000)
        slab.release()
        XCTAssertEqual(ledger.currentBytes(device: "cl0"), 0)
    }

    func testByteSizes() {
        XCTAssertEqual(ByteSize.parse("80GiB"), 80 << 30)
        XCTAssertEqual(ByteSize.parse("2 GiB"), 2 << 30)
        XCTAssertEqual(ByteSize.parse("64.6GB"), 64_600_000_000)
        XCTAssertEqual(ByteSize.parse("512M"), 512 << 20)
        XCTAssertEqual(ByteSize.parse("1048576"), 1_048_576)
        XCTAssertNil(ByteSize.parse("lots"))
        XCTAssertNil(ByteSize.parse("5 parsecs"))
        XCTAssertEqual(ByteSize.format(64_559_075_328), "60.1 GiB")
    }
}
