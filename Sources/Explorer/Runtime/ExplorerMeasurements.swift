import Foundation

/// Timings the runtime collects with `--measure`, printed after the terminal is restored:
/// keypresses that change only the UI (key read → frame on screen), similar-product queries
/// (Enter → neighbours on screen, and the search alone), asks by meaning (Enter → results on
/// screen, and embedding and search alone), and filter keystrokes.
struct ExplorerMeasurements {
    /// Milliseconds from reading a UI-only key to the frame being flushed.
    var redraws: [Double] = []
    /// Milliseconds from the key that asked for neighbours to the frame showing them.
    var queriesShown: [Double] = []
    /// Milliseconds the searches themselves took.
    var searches: [Double] = []
    /// Milliseconds from a filter keystroke to the frame showing its matches.
    var filtersShown: [Double] = []
    /// Milliseconds the filters themselves took (those whose matches were shown), with their query.
    var filters: [(query: String, milliseconds: Double)] = []
    /// Milliseconds from the Enter that asked a text to the frame showing its results.
    var asksShown: [Double] = []
    /// Milliseconds the asks' embedding and search took.
    var askEmbeds: [Double] = []
    var askSearches: [Double] = []
    /// When each pending tagged request was asked for.
    var askedAt: [Int: Double] = [:]

    /// The report, one line per kind of timing.
    func report(productCount: Int, size: String) -> String {
        func summary(_ values: [Double]) -> String {
            guard !values.isEmpty else { return "none" }
            let sorted = values.sorted()
            func at(_ fraction: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * fraction))] }
            return String(format: "%d, p50 %.2f ms, p95 %.2f ms, max %.2f ms", sorted.count, at(0.5), at(0.95), sorted.last!)
        }
        let slowest = filters.sorted { $0.milliseconds > $1.milliseconds }.prefix(3)
            .map { String(format: "'%@' %.2f ms", $0.query, $0.milliseconds) }.joined(separator: ", ")
        return """
        vectui measure (\(size)): UI-only keypress to frame: \(summary(redraws))
        vectui measure: similar-products query, Enter to results on screen: \(summary(queriesShown))
        vectui measure: similar-products search alone: \(summary(searches))
        vectui measure: ask by meaning, Enter to results on screen: \(summary(asksShown))
        vectui measure: ask's embedding alone: \(summary(askEmbeds)); its search alone: \(summary(askSearches))
        vectui measure: filter keystroke to matches on screen (\(productCount) titles): \(summary(filtersShown))
        vectui measure: title filter alone: \(summary(filters.map(\.milliseconds))); slowest: \(slowest)
        """
    }
}
