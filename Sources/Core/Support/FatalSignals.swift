import CSystem
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What vectui says when it dies of a fatal signal (SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT,
/// SIGFPE): the handler in CSystem (`vectui_fatal_signals.h`) gives the terminal back, prints
/// one line naming the signal and the job that was running, and exits with 128 + the signal.
/// `VECTUI_BACKTRACE=1` hands the signal on to the Swift runtime's backtracer instead.
public enum FatalSignals {
    /// Installs the handler for the whole process (idempotent). Call it first in `main`,
    /// before any file is mapped, so the mapping guard's SIGBUS handler sits in front of it.
    public static func install() {
        vectui_fatal_install()
        _ = debugCrash  // read the environment once, outside any job
    }

    /// Puts the handler back in front after loading a library that installs its own (the
    /// OpenCL driver's LLVM does); nothing when `install` was never called (tests).
    public static func reclaim() {
        vectui_fatal_reclaim()
    }

    /// Runs `body` with `what` ("searching /x/index.faiss") as the job a fatal signal names;
    /// a thread's innermost job wins, and a thread with none (a worker of a parallel loop)
    /// reports the newest job of any thread.
    public static func during<T>(_ what: String, _ body: () throws -> T) rethrows -> T {
        let job = enter(what)
        defer { leave(job) }
        return try body()
    }

    /// A job entered with `enter`, for `leave`.
    public struct Job: Sendable {
        fileprivate let slot: Int32
    }

    /// Makes `what` the calling thread's innermost job until `leave`: `during` for code whose
    /// job is the rest of a closure (`let job = FatalSignals.enter(…); defer { FatalSignals.leave(job) }`).
    public static func enter(_ what: String) -> Job {
        let job = Job(slot: vectui_fatal_context_push(what))
        if let debugCrash, what.hasPrefix(debugCrash.jobPrefix) { crash(debugCrash.kind) }
        return job
    }

    /// Ends a job begun with `enter` (on the same thread).
    public static func leave(_ job: Job) {
        vectui_fatal_context_pop(job.slot)
    }

    /// The line a fatal `signal` would print now (with the calling thread's job).
    public static func describe(_ signal: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 512)
        _ = vectui_fatal_describe(signal, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    // MARK: - Crashing on purpose (tests)

    /// A way to die: a real fault of one signal, or a failed Swift runtime check.
    public enum CrashKind: String, CaseIterable, Sendable {
        case segv = "SEGV", bus = "BUS", ill = "ILL", trap = "TRAP", abrt = "ABRT", fpe = "FPE"
        /// An array index out of range: the runtime prints its "Fatal error" line, then traps.
        case swift = "swift"

        /// The signal it dies of on this machine.
        public var signal: Int32 {
            switch self {
            case .segv: return SIGSEGV
            case .bus: return SIGBUS
            case .ill: return SIGILL
            case .trap: return SIGTRAP
            case .abrt: return SIGABRT
            case .fpe: return SIGFPE
            case .swift:
                #if arch(x86_64)
                return SIGILL
                #else
                return SIGTRAP
                #endif
            }
        }
    }

    /// Dies of `kind`, for the end-to-end tests of the handler.
    public static func crash(_ kind: CrashKind) -> Never {
        if kind == .swift {
            let empty = [Int](repeating: 0, count: Int(getpid() % 1))  // 0, opaque to the optimiser
            _ = empty[empty.count]
        } else {
            vectui_fatal_crash(kind.signal)
        }
        fatalError("\(kind.rawValue) did not end the process")
    }

    /// `VECTUI_DEBUG_CRASH=KIND[:JOB]`: die of KIND (SEGV, BUS, ILL, TRAP, ABRT, FPE, swift)
    /// at the start of the first job whose description starts with JOB (any job when empty),
    /// so tests crash vectui for real in the middle of a command or an explorer search.
    private static let debugCrash: (kind: CrashKind, jobPrefix: String)? = {
        guard let raw = getenv("VECTUI_DEBUG_CRASH").map({ String(cString: $0) }), !raw.isEmpty else { return nil }
        let parts = raw.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard let kind = CrashKind(rawValue: String(parts[0])) else { return nil }
        return (kind, parts.count > 1 ? String(parts[1]) : "")
    }()
}
