/// A long job (a move, a save or a conversion) as the Jobs pane shows it.
struct JobState: Equatable, Sendable {
    /// Where the job is.
    enum Status: Equatable, Sendable {
        case running
        /// Cancel was asked; the job stops at its next chunk.
        case cancelling
        case finished
        case cancelled
        case failed(String)
    }

    /// The job's number (shared with request tags).
    let id: Int
    /// "Move to cl0 (fp32)", "Save to products.index".
    var title: String
    /// What it does now ("uploading to cl0").
    var phase = "starting"
    /// Rows done, of `total`.
    var done = 0
    var total: Int
    /// Bytes per row, for the throughput.
    var rowBytes: Int
    /// When it started and, once over, ended (runtime clock seconds).
    var startedAt: Double
    var endedAt: Double?
    var status: Status = .running
    /// Whether `done` counts rows of `rowBytes` all along, so a rate and a time left mean
    /// something (moves and saves); a conversion's phases count different things.
    var countsRows = true
    /// Whether the job works on the index (moves, saves, conversions: one at a time, and
    /// quitting asks first); loading a text model does not.
    var touchesIndex = true

    /// Whether it is still working (cancelling included).
    var isRunning: Bool { status == .running || status == .cancelling }

    /// The part done, 0…1.
    var fraction: Double { total > 0 ? Double(done) / Double(total) : 0 }

    /// Rows per second so far, once measurable.
    func rowsPerSecond(now: Double) -> Double? {
        guard countsRows else { return nil }
        let elapsed = (endedAt ?? now) - startedAt
        guard elapsed > 0, done > 0 else { return nil }
        return Double(done) / elapsed
    }

    /// Seconds left at the rate so far, while running.
    func secondsLeft(now: Double) -> Double? {
        guard isRunning, let rate = rowsPerSecond(now: now), rate > 0 else { return nil }
        return Double(total - done) / rate
    }
}
