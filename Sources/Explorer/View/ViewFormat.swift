import Core
import Foundation

/// Number formats shared by the panes.
public enum ViewFormat {
    /// "100,000".
    public static func count(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (offset, character) in digits.enumerated() {
            if offset > 0 && (digits.count - offset) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return value < 0 ? "-" + out : out
    }

    /// A score with three decimals ("0.873"), or "—" for FAISS's empty-slot sentinels.
    static func score(_ value: Float) -> String {
        guard value.isFinite, abs(value) < Float.greatestFiniteMagnitude / 2 else { return "—" }
        return String(format: "%.3f", value)
    }

    /// "0.84 ms", "12.3 ms", "1.20 s".
    static func milliseconds(_ value: Double) -> String {
        if value < 10 { return String(format: "%.2f ms", value) }
        if value < 1000 { return String(format: "%.1f ms", value) }
        return String(format: "%.2f s", value / 1000)
    }

    /// "3.0/16.0 GiB" (one unit when both share it), else "512.0 MiB / 16.0 GiB".
    static func usage(_ used: Int, of total: Int) -> String {
        let usedText = ByteSize.format(used), totalText = ByteSize.format(total)
        let usedParts = usedText.split(separator: " "), totalParts = totalText.split(separator: " ")
        if usedParts.count == 2, totalParts.count == 2, usedParts[1] == totalParts[1] {
            return "\(usedParts[0])/\(totalText)"
        }
        return "\(usedText) / \(totalText)"
    }

    /// A byte rate: "412.5 MiB/s".
    static func rate(bytesPerSecond: Double) -> String {
        ByteSize.format(Int(bytesPerSecond.rounded())) + "/s"
    }

    /// "rows 0–49,999", "all 100,000 rows".
    static func rows(_ range: Range<Int>, of total: Int) -> String {
        if range.count == total { return "all \(count(total)) rows" }
        if range.isEmpty { return "no rows" }
        return "rows \(count(range.lowerBound))–\(count(range.upperBound - 1))"
    }

    /// The metric as people say it.
    static func metric(_ metric: Metric) -> String {
        metric == .innerProduct ? "inner product" : "L2 (squared)"
    }
}
