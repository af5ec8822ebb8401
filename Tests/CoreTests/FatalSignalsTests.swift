import Core
import Foundation
import XCTest

/// The line the fatal-signal handler writes: the signal's name and the job that was running
/// (the crashing thread's innermost, else the newest of any thread). The handler itself is
/// tested by crashing the real binary (tests/interop/test_fatal_signals.py, tests/e2e).
final class FatalSignalsTests: XCTestCase {
    private let suffix = " (VECTUI_BACKTRACE=1 prints a backtrace)\n"

    func testTheLineNamesTheSignalAndTheInnermostJob() {
        XCTAssertEqual(FatalSignals.describe(SIGBUS), "vectui: fatal: bus error (SIGBUS)" + suffix)
        FatalSignals.during("searching /x/index.faiss") {
            XCTAssertEqual(FatalSignals.describe(SIGSEGV),
                           "vectui: fatal: segmentation fault (SIGSEGV) while searching /x/index.faiss" + suffix)
            FatalSignals.during("reading /x/catalog.jsonl") {
                XCTAssertEqual(FatalSignals.describe(SIGABRT),
                               "vectui: fatal: abort (SIGABRT) while reading /x/catalog.jsonl" + suffix)
            }
            XCTAssertTrue(FatalSignals.describe(SIGFPE).contains("while searching /x/index.faiss"))
        }
        XCTAssertEqual(FatalSignals.describe(SIGILL),
                       "vectui: fatal: Swift runtime trap or illegal instruction (SIGILL)" + suffix)
    }

    func testAThreadWithoutAJobNamesTheNewestJobOfAnyThread() {
        let entered = DispatchSemaphore(value: 0)
        let checked = DispatchSemaphore(value: 0)
        Thread {
            FatalSignals.during("moving /x/index.faiss to cl0") {
                entered.signal()
                checked.wait()
            }
        }.start()
        entered.wait()
        XCTAssertTrue(FatalSignals.describe(SIGBUS).contains("while moving /x/index.faiss to cl0"))
        // The calling thread's own job wins over another thread's newer one.
        FatalSignals.during("searching /y/index.faiss") {
            XCTAssertTrue(FatalSignals.describe(SIGBUS).contains("while searching /y/index.faiss"))
        }
        checked.signal()
    }

    func testALongJobIsCutNotOverrun() {
        let long = String(repeating: "x", count: 1000)
        FatalSignals.during(long) {
            let line = FatalSignals.describe(SIGSEGV)
            XCTAssertTrue(line.hasSuffix(suffix))
            XCTAssertTrue(line.contains("while " + String(repeating: "x", count: 199) + " ("))
            XCTAssertFalse(line.contains(String(repeating: "x", count: 200)))
        }
    }
}
