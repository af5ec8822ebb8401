import Foundation
import XCTest
@testable import Core

/// Shared helpers of the OpenCL tests (in this file so that every OpenCL test file can use them).
enum CLTest {
    /// Device cl0, or a skip when this machine has no OpenCL device and the run allows that
    /// (`VECTUI_ALLOW_NO_OPENCL=1`); CI has PoCL, so there a missing device is a failure.
    static func device(_ index: Int = 0) throws -> OpenCLDevice {
        if OpenCLRuntime.devices.isEmpty && ProcessInfo.processInfo.environment["VECTUI_ALLOW_NO_OPENCL"] == "1" {
            throw XCTSkip("no OpenCL device: \(OpenCLRuntime.inventory.note ?? "")")
        }
        return try OpenCLRuntime.device(at: index)
    }

    /// Deterministic uniform values in [−1, 1) (SplitMix64).
    static func uniform(count: Int, seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in Float(rng.unit() * 2 - 1) }
    }

    /// Deterministic standard-normal values (Box–Muller over SplitMix64).
    static func gaussian(count: Int, seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            let u1 = max(rng.unit(), 1e-300)
            let u2 = rng.unit()
            return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
        }
    }

    /// Plain brute force in Double: per query every row's score, sorted best first (ties by id).
    static func bruteForce(data: [Float], queries: [Float], dimension d: Int, metric: Metric,
                           k: Int) -> (ids: [[Int64]], scores: [[Double]]) {
        let rows = data.count / d
        let n = queries.count / d
        var allIDs = [[Int64]](), allScores = [[Double]]()
        data.withUnsafeBufferPointer { x in
            queries.withUnsafeBufferPointer { q in
                var scored = [(Double, Int64)](repeating: (0, 0), count: rows)
                for qi in 0..<n {
                    let qp = q.baseAddress! + qi * d
                    for r in 0..<rows {
                        let xp = x.baseAddress! + r * d
                        var s = 0.0
                        if metric == .innerProduct {
                            for j in 0..<d { s += Double(qp[j]) * Double(xp[j]) }
                        } else {
                            for j in 0..<d { let t = Double(qp[j]) - Double(xp[j]); s += t * t }
                        }
                        scored[r] = (s, Int64(r))
                    }
                    let larger = metric.largerIsBetter
                    let top = scored.sorted { (a: (Double, Int64), b: (Double, Int64)) -> Bool in
                        if a.0 != b.0 { return larger ? a.0 > b.0 : a.0 < b.0 }
                        return a.1 < b.1
                    }.prefix(k)
                    allIDs.append(top.map(\.1))
                    allScores.append(top.map(\.0))
                }
            }
        }
        return (allIDs, allScores)
    }

    /// Asserts ids equal to the oracle's except among scores tied within the tolerance, scores
    /// within `relative` of the oracle's, and padding (id −1, sentinel) after the real rows.
    static func assertMatches(_ result: SearchResult, _ reference: (ids: [[Int64]], scores: [[Double]]),
                              metric: Metric, relative: Double, _ context: String,
                              file: StaticString = #filePath, line: UInt = #line) {
        var failures = 0
        for q in 0..<result.queryCount where failures < 5 {
            let ids = Array(result.ids(ofQuery: q)), scores = Array(result.scores(ofQuery: q))
            let expectedIDs = reference.ids[q], expectedScores = reference.scores[q]
            for j in 0..<expectedIDs.count {
                let expected = expectedScores[j]
                let tolerance = relative * max(abs(expected), 1e-3)
                if abs(Double(scores[j]) - expected) > tolerance {
                    XCTFail("\(context): query \(q) rank \(j): score \(scores[j]) vs \(expected)", file: file, line: line)
                    failures += 1
                }
                if ids[j] != expectedIDs[j] {
                    let rank = expectedIDs.firstIndex(of: ids[j])
                    let tied = rank.map { abs(expectedScores[$0] - expected) <= 2 * tolerance } ?? false
                    if !tied {
                        XCTFail("\(context): query \(q) rank \(j): id \(ids[j]), expected \(expectedIDs[j])",
                                file: file, line: line)
                        failures += 1
                    }
                }
            }
            for j in expectedIDs.count..<result.k where ids[j] != -1 || scores[j] != metric.sentinelScore {
                XCTFail("\(context): query \(q) slot \(j) should be padding, got (\(ids[j]), \(scores[j]))",
                        file: file, line: line)
                failures += 1
            }
        }
    }

    /// Runs this test binary again with `environment` added, on one test, and returns its exit
    /// status and output.
    static func runChild(test: String, environment: [String: String]) throws -> (status: Int32, output: String) {
        let process = Process()
        let binary = Bundle.main.executablePath ?? CommandLine.arguments[0]
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [test]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

final class OpenCLRuntimeTests: XCTestCase {
    func testInventoryListsDevices() throws {
        let inventory = OpenCLRuntime.inventory
        if inventory.devices.isEmpty {
            XCTAssertNotNil(inventory.note, "an empty inventory must say why")
            if ProcessInfo.processInfo.environment["VECTUI_ALLOW_NO_OPENCL"] == "1" {
                throw XCTSkip("no OpenCL device: \(inventory.note ?? "")")
            }
            XCTFail("expected at least one OpenCL device (PoCL): \(inventory.note ?? "")")
            return
        }
        for (position, device) in inventory.devices.enumerated() {
            XCTAssertEqual(device.index, position)
            XCTAssertFalse(device.name.isEmpty)
            XCTAssertFalse(device.platformName.isEmpty)
            XCTAssertGreaterThan(device.globalMemoryBytes, 0)
            XCTAssertGreaterThan(device.maxAllocationBytes, 0)
            XCTAssertLessThanOrEqual(device.maxAllocationBytes, device.globalMemoryBytes)
            XCTAssertGreaterThanOrEqual(device.computeUnits, 1)
            XCTAssertTrue(device.openCLVersion.hasPrefix("OpenCL"), device.openCLVersion)
            XCTAssertNotNil(device.deviceID)
        }
        XCTAssertEqual(inventory.devices.map(\.platformIndex), inventory.devices.map(\.platformIndex).sorted())
    }

    func testSharedDevicesAreOpenedOnce() throws {
        let first = try CLTest.device()
        XCTAssertTrue(first === (try OpenCLRuntime.device(at: 0)))
        XCTAssertEqual(first.description, "cl0 (\(first.info.name))")
        XCTAssertThrowsError(try OpenCLRuntime.device(at: 99)) { error in
            guard case OpenCLError.noSuchDevice(99, _) = error else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".hasPrefix("no OpenCL device cl99"), "\(error)")
        }
    }

    func testErrorsNameDeviceCallAndCode() {
        XCTAssertEqual(OpenCLError.name(ofCode: -4), "CL_MEM_OBJECT_ALLOCATION_FAILURE")
        XCTAssertEqual(OpenCLError.name(ofCode: -5), "CL_OUT_OF_RESOURCES")
        XCTAssertEqual(OpenCLError.name(ofCode: -1001), "CL_PLATFORM_NOT_FOUND_KHR")
        XCTAssertNil(OpenCLError.name(ofCode: -12345))
        XCTAssertEqual(OpenCLError.describe(code: -12345), "CL error -12345")
        let error = OpenCLError.allocationFailed(device: "cl1 (Some GPU)", bytes: 1024,
                                                 call: "clEnqueueWriteBuffer (touch)", code: -4)
        XCTAssertEqual(error.description, "OpenCL device cl1 (Some GPU): allocating 1024 bytes failed in "
            + "clEnqueueWriteBuffer (touch) with CL_MEM_OBJECT_ALLOCATION_FAILURE (-4)")
        XCTAssertTrue(error.isOutOfMemory)
        let call = OpenCLError.callFailed(device: "cl0 (X)", call: "clEnqueueNDRangeKernel(topk)", code: -5)
        XCTAssertEqual(call.description,
                       "OpenCL device cl0 (X): clEnqueueNDRangeKernel(topk) failed with CL_OUT_OF_RESOURCES (-5)")
        XCTAssertTrue(call.isOutOfMemory)
        XCTAssertEqual(call.code, -5)
        XCTAssertFalse(OpenCLError.invalidArgument(device: "cl0", message: "m").isOutOfMemory)
    }

    func testBuildFailureCarriesTheLog() throws {
        let device = try CLTest.device()
        XCTAssertThrowsError(try device.program(named: "broken", source: "__kernel void f(__global float* x) { x[0] = y; }")) { error in
            guard case let OpenCLError.buildFailed(_, program, code, log) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(program, "broken")
            XCTAssertEqual(code, -11)
            XCTAssertFalse(log.isEmpty)
            XCTAssertTrue("\(error)".contains("CL_BUILD_PROGRAM_FAILURE"), "\(error)")
        }
        // A good program builds once and is then served from the cache.
        let source = "__kernel void g(__global float* x) { x[get_global_id(0)] = 1.0f; }"
        let a = try device.program(named: "test-cache", source: source)
        let b = try device.program(named: "test-cache", source: source)
        XCTAssertEqual(a, b)
    }

    /// With the ICD loader pointed at an empty vendor folder there is no platform: an empty
    /// inventory with a reason, not a crash or an error.
    func testNoPlatformGivesEmptyInventoryWithReason() throws {
        let child = try CLTest.runChild(test: "CoreTests.OpenCLRuntimeTests/testChildProbe",
                                        environment: ["OCL_ICD_VENDORS": "/nonexistent-vectui-vendors",
                                                      "VECTUI_OPENCL_PROBE": "inventory"])
        XCTAssertEqual(child.status, 0, child.output)
        XCTAssertTrue(child.output.contains("PROBE devices=0 note=no OpenCL platform"), child.output)
    }

    /// `POCL_DEVICES="pthread pthread"` gives two devices, and both search correctly.
    func testTwoPoCLDevices() throws {
        let device = try CLTest.device()
        guard device.info.platformName.contains("Portable Computing Language") else {
            throw XCTSkip("cl0 is not PoCL")
        }
        let child = try CLTest.runChild(test: "CoreTests.OpenCLRuntimeTests/testChildProbe",
                                        environment: ["POCL_DEVICES": "pthread pthread",
                                                      "VECTUI_OPENCL_PROBE": "search"])
        XCTAssertEqual(child.status, 0, child.output)
        XCTAssertTrue(child.output.contains("PROBE devices=2"), child.output)
        XCTAssertTrue(child.output.contains("PROBE searched cl0 cl1"), child.output)
    }

    /// Entry point of the child processes above; does nothing in a normal run.
    func testChildProbe() throws {
        guard let probe = ProcessInfo.processInfo.environment["VECTUI_OPENCL_PROBE"] else { return }
        let inventory = OpenCLRuntime.inventory
        print("PROBE devices=\(inventory.devices.count) note=\(inventory.note ?? "-")")
        guard probe == "search" else { return }
        let d = 37, rows = 900, n = 3, k = 7
        let data = CLTest.uniform(count: rows * d, seed: 11)
        let queries = CLTest.uniform(count: n * d, seed: 12)
        let reference = CLTest.bruteForce(data: data, queries: queries, dimension: d, metric: .l2, k: k)
        var searched = [String]()
        for index in inventory.devices.indices {
            let device = try OpenCLRuntime.device(at: index)
            let slab = try DeviceSlab.allocate(on: device, firstRow: 0, rowCount: rows, dimension: d, precision: .fp32)
            try slab.write(rows: data, count: rows, atRow: 0)
            let result = try device.search(queries: queries, queryCount: n, dimension: d, slab: slab,
                                           metric: .l2, k: k, tempBudgetBytes: 64 << 10)
            CLTest.assertMatches(result, reference, metric: .l2, relative: 1e-4, "cl\(index)")
            searched.append("cl\(index)")
        }
        print("PROBE searched \(searched.joined(separator: " "))")
    }
}
