import Foundation
/// Every allocation that matters, by device and kind, with the current total and the peak
/// since the last reset. Entries release themselves when freed (or deinitialised), so the
/// ledger stays right even when a move is cancelled half-way.
public final class MemoryLedger: Sendable {
    /// What an allocation holds.
    public enum Kind: String, CaseIterable, Sendable {
        /// Vector data in the device's own memory (anonymous memory, on the host).
        case vectors
        /// Vector data borrowed from a memory-mapped file: page cache, shared, reclaimable.
        case mappedVectors = "mapped vectors"
        /// 64-bit ids of an IDMap (kept on the host).
        case ids
        /// Cached per-row norms for L2 search.
        case norms
        /// Search tiles and results.
        case scratch
        /// Upload and download chunks during moves and saves.
        case staging
    }

    /// The host's name in the ledger and on the command line.
    public static let hostDevice = "cpu"

    /// One device's bytes of one kind.
    public struct Usage: Sendable, Equatable {
        public let device: String
        public let kind: Kind
        public let currentBytes: Int
        public let peakBytes: Int
    }

    /// The ledger the whole program records into.
    public static let shared = MemoryLedger()

    /// Bytes per device and kind, now and at the peak.
    private struct Totals {
        var current: [String: [Kind: Int]] = [:]
        var peakByKind: [String: [Kind: Int]] = [:]
        var peakTotal: [String: Int] = [:]
    }

    private let totals = Locked(Totals())

    public init() {}

    /// Records `bytes` on `device`; the returned entry gives them back when released.
    public func record(device: String, kind: Kind, bytes: Int) -> LedgerEntry {
        let entry = LedgerEntry(ledger: self, device: device, kind: kind)
        entry.resize(to: bytes)
        return entry
    }

    fileprivate func adjust(device: String, kind: Kind, by delta: Int) {
        guard delta != 0 else { return }
        totals.withLock { t in
            let value = t.current[device, default: [:]][kind, default: 0] + delta
            t.current[device, default: [:]][kind] = value
            t.peakByKind[device, default: [:]][kind] = max(t.peakByKind[device, default: [:]][kind, default: 0], value)
            let total = t.current[device, default: [:]].values.reduce(0, +)
            t.peakTotal[device] = max(t.peakTotal[device, default: 0], total)
        }
    }

    /// Bytes held now on `device` (all kinds, or one).
    public func currentBytes(device: String, kind: Kind? = nil) -> Int {
        totals.withLock { t in
            guard let kinds = t.current[device] else { return 0 }
            return kind.map { kinds[$0, default: 0] } ?? kinds.values.reduce(0, +)
        }
    }

    /// The most bytes `device` held at once since the last `resetPeaks`.
    public func peakBytes(device: String) -> Int {
        totals.withLock { $0.peakTotal[device, default: 0] }
    }

    /// Starts measuring peaks afresh from the current totals (before a move, say).
    public func resetPeaks() {
        totals.withLock { t in
            t.peakByKind = t.current
            t.peakTotal = t.current.mapValues { $0.values.reduce(0, +) }
        }
    }

    /// Every (device, kind) with bytes now or at the peak, sorted by device then kind.
    public func snapshot() -> [Usage] {
        totals.withLock { t in
            var out = [Usage]()
            for device in Set(t.current.keys).union(t.peakByKind.keys).sorted() {
                for kind in Kind.allCases {
                    let now = t.current[device]?[kind] ?? 0, peak = t.peakByKind[device]?[kind] ?? 0
                    if now != 0 || peak != 0 { out.append(Usage(device: device, kind: kind, currentBytes: now, peakBytes: peak)) }
                }
            }
            return out
        }
    }
}

/// A live allocation in a `MemoryLedger`; resizable, released on `release()` or deinit.
public final class LedgerEntry: Sendable {
    private weak let ledger: MemoryLedger?
    public let device: String
    public let kind: MemoryLedger.Kind
    private let recorded = Locked(0)

    /// The bytes recorded now.
    public var bytes: Int { recorded.withLock { $0 } }

    fileprivate init(ledger: MemoryLedger, device: String, kind: MemoryLedger.Kind) {
        self.ledger = ledger
        self.device = device
        self.kind = kind
    }

    deinit { release() }

    /// Changes the recorded size (an owned buffer that grew, say).
    public func resize(to newBytes: Int) {
        // Under the entry's lock, so two resizes never record the same delta twice (lock order:
        // entry, then ledger).
        recorded.withLock { bytes in
            ledger?.adjust(device: device, kind: kind, by: newBytes - bytes)
            bytes = newBytes
        }
    }

    /// Gives the bytes back.
    public func release() { resize(to: 0) }
}
