import Core
import Encoder
import TUI
import XCTest
@testable import VecTUI

/// Every error of the vocabulary maps to its domain's exit code (README, "Exit codes").
final class ErrorDomainTests: XCTestCase {
    func testEachDomainHasItsOwnExitCode() {
        let codes = ErrorDomain.allCases.map(\.exitCode)
        XCTAssertEqual(codes, [2, 3, 4, 130, 64, 1])
        XCTAssertEqual(Set(codes).count, codes.count)
    }

    func testInputErrorsExitWith2() {
        let errors: [any Error] = [
            FileFormatError(path: "a.index", offset: 4, expected: "a fourcc", found: "XXXX"),
            UnsupportedIndexError(path: "a.index", offset: 0, what: "IwLS"),
            FileSystemError(path: "a.index", operation: "open", errno: ENOENT),
            FileChangedError(path: "a.index", change: .truncated),
            IndexError.invalidK(0),
            ProductQuantizer.validate(dimension: 64, m: 12, nbits: 8)!,
            TrainingError.nonFiniteInput,
            HNSWError.tooManyVectors(1 << 40),
            EmbeddingError("model x not found"),
            ThemeError.unknownTheme(name: "purple", available: ["dark"]),
            TerminalError.notATerminal,
            InputMismatchError(description: "q.npy: no queries"),
            CocoaError(.fileReadNoSuchFile),
        ]
        for error in errors { XCTAssertEqual(ErrorDomain.of(error).exitCode, 2, "\(error)") }
        XCTAssertThrowsError(try IndexFactory.make("IVF0,Flat", dimension: 8, metric: .l2)) { error in
            XCTAssertTrue(error is IndexFactoryError)
            XCTAssertEqual(ErrorDomain.of(error).exitCode, 2)
        }
    }

    func testDeviceErrorsExitWith3() {
        let errors: [any Error] = [
            OpenCLError.allocationFailed(device: "cl0", bytes: 1 << 30, call: "clCreateBuffer", code: -4),
            DeviceError.unknownDevice("gpu9", available: ["cpu", "cl0"], note: nil),
            DeviceError.outOfMemory(device: "cl0", detail: "1 GiB more"),
        ]
        for error in errors { XCTAssertEqual(ErrorDomain.of(error), .device, "\(error)") }
        XCTAssertEqual(ErrorDomain.device.exitCode, 3)
    }

    func testServerErrorsAreRemoteAndTheRestOfEmbeddingIsInput() {
        XCTAssertEqual(ErrorDomain.of(EmbeddingError.remote("cannot connect to the embedding server at h:1")).exitCode, 4)
        XCTAssertEqual(ErrorDomain.of(EmbeddingError("no model chosen")).exitCode, 2)
        XCTAssertEqual(ErrorDomain.of(EmbeddingError.cancelled).exitCode, 130)
        XCTAssertThrowsError(try EmbeddingServerClient.endpointCandidates(for: "ftp://h/v1")) { error in
            XCTAssertEqual(ErrorDomain.of(error), .input, "a URL the user gave is input, not the server's fault")
        }
    }

    func testInterruptionsUsageAndTheRest() {
        XCTAssertEqual(ErrorDomain.of(CancellationError()).exitCode, 130)
        XCTAssertEqual(ErrorDomain.of(UsageError(description: "give --text or --texts, not both")).exitCode, 64)
        struct Unclassified: Error {}
        XCTAssertEqual(ErrorDomain.of(Unclassified()).exitCode, 1)
    }
}
