import CKernels
import Core
import Foundation
import Synchronization

/// Worker threads for the encoder's many short parallel steps. One query's forward pass is
/// ~40 steps of 20–200 µs each; waking a parked thread for every step (what Dispatch does)
/// costs about as much as the step, so in practice one core did all the work. The team's
/// helpers stay awake, spinning, while steps keep coming, and park after `spinSeconds` idle.
final class SpinningTeam: @unchecked Sendable {
    // @unchecked: `body` is written only by the caller of `forEachSlice` before it publishes a
    // new generation (release) and read by helpers after they see it (acquire).

    /// The process's team (its threads live as long as the process; parked when idle).
    static let shared = SpinningTeam()

    /// Threads taking part in a step, the calling thread included.
    let size: Int
    /// One step at a time: encoders on two threads (a catalog job and a query) take turns.
    private let stepLock = NSLock()
    private let generation = Atomic<Int>(0)
    private let finished = Atomic<Int>(0)
    private let sleepers: [Sleeper]
    private var body: ((Int) -> Void)?
    private let spinSeconds = 0.002

    /// A helper's parking place (see `park`).
    private final class Sleeper: Sendable {
        let sleeping = Atomic<Bool>(false)
        let wake = DispatchSemaphore(value: 0)
    }

    private init(size: Int = Parallel.workerCount) {
        self.size = max(1, size)
        sleepers = (1..<max(1, size)).map { _ in Sleeper() }
        for (index, sleeper) in sleepers.enumerated() {
            let thread = Thread { self.helperLoop(part: index + 1, sleeper: sleeper) }
            thread.name = "vectui-encoder-\(index + 1)"
            thread.start()
        }
    }

    /// Calls `body(part, range)` for `parts` (≤ `size`) contiguous slices of `0..<count`, one
    /// per thread, and returns when all are done.
    func forEachSlice(of count: Int, parts requested: Int, _ body: (Int, Range<Int>) -> Void) {
        let parts = max(1, min(requested, count, size))
        if parts == 1 {
            body(0, 0..<count)
            return
        }
        stepLock.lock()
        defer { stepLock.unlock() }
        withoutActuallyEscaping(body) { body in
            self.body = { part in
                guard part < parts else { return }
                body(part, (count * part / parts)..<(count * (part + 1) / parts))
            }
            let posted = generation.add(1, ordering: .releasing).newValue
            for sleeper in sleepers where sleeper.sleeping.exchange(false, ordering: .acquiringAndReleasing) {
                sleeper.wake.signal()
            }
            self.body!(0)
            let expected = posted * (size - 1)
            while finished.load(ordering: .acquiring) < expected { vectui_cpu_relax() }
            self.body = nil
        }
    }

    private func helperLoop(part: Int, sleeper: Sleeper) {
        var seen = 0
        while true {
            var idleSince = 0.0, spins = 0
            while generation.load(ordering: .acquiring) == seen {
                vectui_cpu_relax()
                spins += 1
                guard spins & 1023 == 0 else { continue }
                let now = ProcessInfo.processInfo.systemUptime
                if idleSince == 0 {
                    idleSince = now
                } else if now - idleSince > spinSeconds {
                    park(sleeper, seen: seen)
                    idleSince = 0
                }
            }
            seen += 1
            body?(part)
            finished.add(1, ordering: .releasing)
        }
    }

    /// Sleeps until the caller posts a step after `seen`; the caller signals every helper it
    /// finds sleeping, after publishing the step.
    private func park(_ sleeper: Sleeper, seen: Int) {
        sleeper.sleeping.store(true, ordering: .sequentiallyConsistent)
        if generation.load(ordering: .sequentiallyConsistent) != seen {
            // Work arrived meanwhile: if the caller already took the flag it has signalled; consume that.
            if !sleeper.sleeping.exchange(false, ordering: .sequentiallyConsistent) { sleeper.wake.wait() }
        } else {
            sleeper.wake.wait()
        }
    }
}
