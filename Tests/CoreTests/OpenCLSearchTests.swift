import Foundation
import XCTest
@testable import Core

final class OpenCLSearchTests: XCTestCase {
    /// Uploads `data` as slabs of at most `slabRows` rows each.
    private func slabs(_ data: [Float], dimension d: Int, slabRows: Int, precision: DevicePrecision,
                       on device: OpenCLDevice) throws -> [DeviceSlab] {
        let rows = data.count / d
        let staging = try device.makeBuffer(byteCount: 256 * d * 4)
        var result = [DeviceSlab]()
        var first = 0
        while first < rows {
            let count = min(slabRows, rows - first)
            let slab = try DeviceSlab.allocate(on: device, firstRow: first, rowCount: count, dimension: d,
                                               precision: precision)
            try data.withUnsafeBufferPointer {
                try slab.write(rows: $0.baseAddress! + first * d, count: count, atRow: 0, staging: staging)
            }
            result.append(slab)
            first += count
        }
        return result
    }

    /// fp32 device search equals brute force for d ∈ {37, 128, 1024}, IP and L2, over several
    /// slabs and several tiles per slab (small temp budget), with 1, 3 and 13 queries (every
    /// queries-per-item kernel variant, padded blocks included).
    func testFP32SearchMatchesBruteForce() throws {
        let device = try CLTest.device()
        for (d, rows) in [(37, 2500), (128, 1800), (1024, 600)] {
            let data = CLTest.uniform(count: rows * d, seed: UInt64(d))
            let queries = CLTest.uniform(count: 13 * d, seed: UInt64(d) + 1)
            let slabs = try slabs(data, dimension: d, slabRows: rows / 2 + 7, precision: .fp32, on: device)
            XCTAssertEqual(slabs.count, 2)
            for metric in [Metric.innerProduct, .l2] {
                let k = 10
                let reference = CLTest.bruteForce(data: data, queries: queries, dimension: d, metric: metric, k: k)
                for n in [1, 3, 13] {
                    // A budget that holds the query block and ~90 rows: several tiles per slab.
                    let budget = DeviceSearchPlan.paddedQueries(n) * d * 4 + n * 90 * 6 + n * k * 8
                    let plan = try DeviceSearchPlan(queryCount: n, dimension: d, k: k, maxSlabRows: slabs[0].rowCount,
                                                    tempBudgetBytes: budget, device: device.info, preferredTileRows: 64)
                    XCTAssertEqual(plan.queryBlock, n)
                    XCTAssertLessThan(plan.tileRows, slabs[0].rowCount / 2, "d=\(d) n=\(n): expected several tiles")
                    XCTAssertLessThanOrEqual(plan.scratchBytes, budget)
                    let result = try device.search(queries: queries, slabs: slabs, metric: metric, plan: plan)
                    // The budget-only entry point (which may split the queries into blocks) agrees.
                    let byBudget = try device.search(queries: queries, queryCount: n, dimension: d, slabs: slabs,
                                                     metric: metric, k: k, tempBudgetBytes: budget)
                    XCTAssertEqual(byBudget.ids, result.ids)
                    XCTAssertEqual(result.queryCount, n)
                    XCTAssertEqual(result.k, k)
                    let expected = (ids: Array(reference.ids.prefix(n)), scores: Array(reference.scores.prefix(n)))
                    CLTest.assertMatches(result, expected, metric: metric, relative: 1e-4, "d=\(d) \(metric) n=\(n)")
                }
            }
        }
    }

    /// With the default budget (one tile per slab, all queries in one block) and a single slab.
    func testFP32SearchWithLargeBudgetAndK() throws {
        let device = try CLTest.device()
        let d = 128, rows = 3000, n = 4
        let data = CLTest.uniform(count: rows * d, seed: 77)
        let queries = CLTest.uniform(count: n * d, seed: 78)
        let slabs = try slabs(data, dimension: d, slabRows: rows, precision: .fp32, on: device)
        for metric in [Metric.innerProduct, .l2] {
            for k in [1, 1024] {
                let reference = CLTest.bruteForce(data: data, queries: queries, dimension: d, metric: metric, k: k)
                let result = try device.search(queries: queries, queryCount: n, dimension: d, slab: slabs[0],
                                               metric: metric, k: k, tempBudgetBytes: 64 << 20)
                CLTest.assertMatches(result, reference, metric: metric, relative: 1e-4, "\(metric) k=\(k)")
            }
        }
    }

    /// A separately opened device (own context and program cache) with explicit work-groups of
    /// 64 rows, as GPUs run the scoring kernel, over a row count that is not a multiple of 64.
    func testExplicitWorkGroupsOnAPrivateContext() throws {
        let shared = try CLTest.device()
        let device = try OpenCLDevice(info: shared.info, rowGroupOverride: 64)
        XCTAssertFalse(device === shared)
        let d = 37, rows = 1001, n = 5, k = 16
        let data = CLTest.uniform(count: rows * d, seed: 61)
        let queries = CLTest.uniform(count: n * d, seed: 62)
        for precision in [DevicePrecision.fp32, .fp16] {
            let slab = try slabs(data, dimension: d, slabRows: rows, precision: precision, on: device)
            for metric in [Metric.innerProduct, .l2] {
                let result = try device.search(queries: queries, queryCount: n, dimension: d, slabs: slab,
                                               metric: metric, k: k, tempBudgetBytes: 1 << 20)
                if precision == .fp32 {
                    let reference = CLTest.bruteForce(data: data, queries: queries, dimension: d, metric: metric, k: k)
                    CLTest.assertMatches(result, reference, metric: metric, relative: 1e-4, "\(metric)")
                } else {
                    let rounded = data.map { Float(Float16($0)) }
                    let reference = CLTest.bruteForce(data: rounded, queries: queries, dimension: d, metric: metric, k: k)
                    CLTest.assertMatches(result, reference, metric: metric, relative: 1e-4, "fp16 \(metric)")
                }
            }
        }
    }

    /// fp16 storage: recall@10 against the fp32 device results ≥ 0.99, scores close.
    func testFP16RecallAgainstFP32() throws {
        let device = try CLTest.device()
        let d = 128, rows = 4000, n = 20, k = 10
        let data = CLTest.gaussian(count: rows * d, seed: 31)
        let queries = CLTest.gaussian(count: n * d, seed: 32)
        let full = try slabs(data, dimension: d, slabRows: 1500, precision: .fp32, on: device)
        let half = try slabs(data, dimension: d, slabRows: 1500, precision: .fp16, on: device)
        for metric in [Metric.innerProduct, .l2] {
            let exact = try device.search(queries: queries, queryCount: n, dimension: d, slabs: full,
                                          metric: metric, k: k, tempBudgetBytes: 1 << 20)
            let approx = try device.search(queries: queries, queryCount: n, dimension: d, slabs: half,
                                           metric: metric, k: k, tempBudgetBytes: 1 << 20)
            var hits = 0
            for q in 0..<n {
                hits += Set(exact.ids(ofQuery: q)).intersection(approx.ids(ofQuery: q)).count
                // The best score moves by at most the fp16 rounding of the vectors (relative 2^-11 per
                // component), here well under 1 % of the score's scale.
                let scale = metric == .l2 ? Double(exact.scores[q * k]) : Double(d).squareRoot() * 3
                XCTAssertLessThan(abs(Double(approx.scores[q * k] - exact.scores[q * k])), 0.01 * scale)
            }
            let recall = Double(hits) / Double(n * k)
            XCTAssertGreaterThanOrEqual(recall, 0.99, "\(metric) fp16 recall@10 = \(recall)")
        }
    }

    /// k larger than the rows: every row once, then id −1 with the metric's sentinel score.
    func testKLargerThanRowsPads() throws {
        let device = try CLTest.device()
        let d = 5, rows = 6, k = 9
        let data = CLTest.uniform(count: rows * d, seed: 3)
        let queries = CLTest.uniform(count: 2 * d, seed: 4)
        let slabs = try slabs(data, dimension: d, slabRows: 4, precision: .fp32, on: device)
        for metric in [Metric.innerProduct, .l2] {
            let reference = CLTest.bruteForce(data: data, queries: queries, dimension: d, metric: metric, k: k)
            let result = try device.search(queries: queries, queryCount: 2, dimension: d, slabs: slabs,
                                           metric: metric, k: k, tempBudgetBytes: 1 << 16)
            CLTest.assertMatches(result, reference, metric: metric, relative: 1e-4, "\(metric)")
            XCTAssertEqual(Set(result.ids(ofQuery: 0).prefix(rows)), Set(0..<Int64(rows)))
            XCTAssertEqual(Array(result.ids(ofQuery: 1).suffix(3)), [-1, -1, -1])
            XCTAssertEqual(Array(result.scores(ofQuery: 1).suffix(3)), Array(repeating: metric.sentinelScore, count: 3))
        }
        // No rows at all, and no queries.
        let empty = try DeviceSlab.allocate(on: device, firstRow: 0, rowCount: 0, dimension: d, precision: .fp32)
        let none = try device.search(queries: queries, queryCount: 2, dimension: d, slab: empty, metric: .l2,
                                     k: 3, tempBudgetBytes: 1 << 16)
        XCTAssertEqual(none.ids, Array(repeating: -1, count: 6))
        XCTAssertEqual(none.scores, Array(repeating: Float.greatestFiniteMagnitude, count: 6))
        let noQueries = try device.search(queries: queries, queryCount: 0, dimension: d, slabs: slabs,
                                          metric: .innerProduct, k: 3, tempBudgetBytes: 1 << 16)
        XCTAssertEqual(noQueries.queryCount, 0)
    }

    func testRefusesWhatItCannotDo() throws {
        let device = try CLTest.device()
        let d = 8
        let data = CLTest.uniform(count: 10 * d, seed: 1)
        let slab = try slabs(data, dimension: d, slabRows: 10, precision: .fp32, on: device)[0]
        func expectInvalid(_ message: String, _ body: () throws -> SearchResult) {
            XCTAssertThrowsError(try body()) { error in
                guard case OpenCLError.invalidArgument = error else { return XCTFail("\(error)") }
                XCTAssertTrue("\(error)".contains(message), "\(error)")
            }
        }
        expectInvalid("k = 5000 is outside") {
            try device.search(queries: data, queryCount: 1, dimension: d, slab: slab, metric: .l2, k: 5000,
                              tempBudgetBytes: 1 << 20)
        }
        expectInvalid("too small") {
            try device.search(queries: data, queryCount: 1, dimension: d, slab: slab, metric: .l2, k: 4,
                              tempBudgetBytes: 100)
        }
        expectInvalid("has dimension 8") {
            try device.search(queries: data, queryCount: 1, dimension: 4, slab: slab, metric: .l2, k: 4,
                              tempBudgetBytes: 1 << 20)
        }
    }

    /// The plan's tile shape follows the budget and its scratch never exceeds it.
    func testPlanFollowsBudget() throws {
        let device = try CLTest.device()
        var lastTile = 0
        for budget in [1 << 16, 1 << 20, 1 << 24, 1 << 28] {
            let plan = try DeviceSearchPlan(queryCount: 100, dimension: 768, k: 100, maxSlabRows: 10_000_000,
                                            tempBudgetBytes: budget, device: device.info)
            XCTAssertLessThanOrEqual(plan.scratchBytes, budget)
            XCTAssertGreaterThanOrEqual(plan.queryBlock * plan.tileRows, lastTile)
            lastTile = plan.queryBlock * plan.tileRows
        }
        let big = try DeviceSearchPlan(queryCount: 5000, dimension: 768, k: 10, maxSlabRows: 1_000_000,
                                       tempBudgetBytes: 1 << 30, device: device.info)
        XCTAssertEqual(big.queryBlock, 1024)
        XCTAssertLessThanOrEqual(big.scratchBytes, 1 << 30)
    }

    func testMergingShards() {
        let a = SearchResult(queryCount: 1, k: 3, scores: [9, 5, 1], ids: [10, 11, 12])
        let b = SearchResult(queryCount: 1, k: 3, scores: [7, 5, -Float.greatestFiniteMagnitude], ids: [20, 21, -1])
        let merged = SearchResult.merging([a, b], metric: .innerProduct)
        XCTAssertEqual(merged.ids, [10, 20, 11])
        XCTAssertEqual(merged.scores, [9, 7, 5])
        let l2 = SearchResult.merging([SearchResult(queryCount: 1, k: 2, scores: [1, 4], ids: [1, 2]),
                                       SearchResult(queryCount: 1, k: 2, scores: [2, .greatestFiniteMagnitude], ids: [3, -1])],
                                      metric: .l2)
        XCTAssertEqual(l2.ids, [1, 3])
    }
}
