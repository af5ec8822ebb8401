import Foundation

/// Byte counts as people write them: `80GiB`, `2 GiB`, `512MiB`, `64.6GB`, `1048576`.
public enum ByteSize {
    /// Parses a size; binary units (KiB, MiB, GiB, TiB, and K/M/G/T) and decimal ones (KB, MB, GB, TB).
    public static func parse(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix { $0.isNumber || $0 == "." }
        guard let number = Double(digits), number >= 0 else { return nil }
        let unit = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces).lowercased()
        let multipliers: [String: Double] = [
            "": 1, "b": 1, "k": 1024, "kib": 1024, "m": Double(1 << 20), "mib": Double(1 << 20), "g": Double(1 << 30), "gib": Double(1 << 30),
            "t": Double(1 << 40), "tib": Double(1 << 40), "kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
        ]
        guard let multiplier = multipliers[unit] else { return nil }
        let value = number * multiplier
        guard value < 9e18 else { return nil }
        return Int(value.rounded())
    }

    /// A size in binary units with one decimal ("60.1 GiB").
    public static func format(_ bytes: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while abs(value) >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(bytes) B" }
        return String(format: "%.1f %@", value, units[unit])
    }
}

