// Display width of text in terminal columns, after Unicode East Asian Width (UAX #11):
// Wide and Fullwidth take two columns, combining marks and other zero-width code points none,
// everything else printable one. Computed from the range tables in UnicodeWidthTable.swift, so
// it never depends on the C locale (glibc's wcwidth answers -1 for everything under "C").

// MARK: - Width

/// Columns one Unicode scalar takes on a terminal: 0 (controls, combining and zero-width marks), 1 or 2.
public func displayWidth(of scalar: Unicode.Scalar) -> Int {
    let value = scalar.value
    if value >= 0x20 && value < 0x7F { return 1 }
    if value < 0x20 || (value >= 0x7F && value < 0xA0) { return 0 }
    if value < 0x300 { return 1 }
    if UnicodeWidthTable.contains(value, in: UnicodeWidthTable.zeroWidth) { return 0 }
    if UnicodeWidthTable.contains(value, in: UnicodeWidthTable.wide) { return 2 }
    return 1
}

/// Columns one grapheme cluster takes: the width of its first non-zero-width scalar, or 2 for an
/// emoji with presentation selector U+FE0F, a flag (regional-indicator pair) or an emoji ZWJ sequence.
public func displayWidth(of character: Character) -> Int {
    let scalars = character.unicodeScalars
    guard let first = scalars.first else { return 0 }
    if scalars.index(after: scalars.startIndex) == scalars.endIndex { return displayWidth(of: first) }

    var base: Unicode.Scalar? = nil
    var width = 0
    var regionalIndicators = 0
    var emojiPresentation = false
    for scalar in scalars {
        if scalar.value == 0xFE0F {
            emojiPresentation = true
            continue
        }
        if scalar.value >= 0x1F1E6 && scalar.value <= 0x1F1FF { regionalIndicators += 1 }
        if base == nil {
            let scalarWidth = displayWidth(of: scalar)
            if scalarWidth > 0 {
                base = scalar
                width = scalarWidth
            }
        }
    }
    guard let base else { return 0 }
    if regionalIndicators >= 2 { return 2 }
    if emojiPresentation && base.properties.isEmoji { return 2 }
    return width
}

/// Columns a string takes: the sum over its grapheme clusters.
/// - Complexity: O(n) in the string's length, with a fast path for printable ASCII.
public func displayWidth(of string: String) -> Int {
    var isPrintableASCII = true
    for byte in string.utf8 where byte < 0x20 || byte >= 0x7F {
        isPrintableASCII = false
        break
    }
    if isPrintableASCII { return string.utf8.count }
    var total = 0
    for character in string { total += displayWidth(of: character) }
    return total
}

/// Columns a substring takes: the sum over its grapheme clusters.
public func displayWidth(of string: Substring) -> Int {
    displayWidth(of: String(string))
}

// MARK: - Fitting text to a width

/// Horizontal placement of text inside a wider space.
public enum Alignment: Sendable, Equatable {
    case left, center, right
}

/// Which part of a too-long string gives way to the ellipsis.
public enum TruncationMode: Sendable, Equatable {
    /// Keep the start: `"a long ti…"`.
    case tail
    /// Keep the end: `"…/data/products.index"`.
    case head
    /// Keep both ends: `"products…2024.index"`.
    case middle
}

/// Shortens `text` to at most `width` columns, marking the cut with `ellipsis`; never splits a
/// wide glyph, so the result can be one column narrower than `width`.
/// - Parameters:
///   - text: the text to fit.
///   - width: the most columns the result may take; 0 or less gives "".
///   - ellipsis: the mark for removed text (`"…"`, or `"..."` for ASCII terminals).
///   - mode: which end to cut (default: the tail).
/// - Returns: `text` unchanged when it fits, else a shortened copy ending (or starting) with `ellipsis`.
public func truncate(_ text: String, toWidth width: Int, ellipsis: String = "…",
                     mode: TruncationMode = .tail) -> String {
    guard width > 0 else { return "" }
    if displayWidth(of: text) <= width { return text }
    let ellipsisWidth = displayWidth(of: ellipsis)
    if ellipsisWidth > width { return leadingGraphemes(of: ellipsis, fitting: width) }
    let room = width - ellipsisWidth
    switch mode {
    case .tail:
        return leadingGraphemes(of: text, fitting: room) + ellipsis
    case .head:
        return ellipsis + trailingGraphemes(of: text, fitting: room)
    case .middle:
        let front = leadingGraphemes(of: text, fitting: (room + 1) / 2)
        let back = trailingGraphemes(of: text, fitting: room - displayWidth(of: front))
        return front + ellipsis + back
    }
}

/// Truncates (with `ellipsis`) or pads with spaces so that `text` takes exactly `width` columns.
/// - Parameters:
///   - text: the text to fit.
///   - width: the exact number of columns of the result (0 or less gives "").
///   - alignment: where the text sits when it is narrower than `width`.
///   - ellipsis: the mark for removed text.
///   - mode: which end to cut when the text is too wide.
/// - Returns: a string whose `displayWidth` is exactly `max(width, 0)`.
public func fit(_ text: String, toWidth width: Int, alignment: Alignment = .left,
                ellipsis: String = "…", mode: TruncationMode = .tail) -> String {
    guard width > 0 else { return "" }
    let shown = truncate(text, toWidth: width, ellipsis: ellipsis, mode: mode)
    let gap = width - displayWidth(of: shown)
    switch alignment {
    case .left:
        return shown + String(repeating: " ", count: gap)
    case .right:
        return String(repeating: " ", count: gap) + shown
    case .center:
        let left = gap / 2
        return String(repeating: " ", count: left) + shown + String(repeating: " ", count: gap - left)
    }
}

/// The longest prefix of `text` (whole graphemes) that takes at most `width` columns.
func leadingGraphemes(of text: String, fitting width: Int) -> String {
    var used = 0
    var end = text.startIndex
    for index in text.indices {
        let characterWidth = displayWidth(of: text[index])
        if used + characterWidth > width { break }
        used += characterWidth
        end = text.index(after: index)
    }
    return String(text[..<end])
}

/// The longest suffix of `text` (whole graphemes) that takes at most `width` columns.
func trailingGraphemes(of text: String, fitting width: Int) -> String {
    var used = 0
    var start = text.endIndex
    while start > text.startIndex {
        let previous = text.index(before: start)
        let characterWidth = displayWidth(of: text[previous])
        if used + characterWidth > width { break }
        used += characterWidth
        start = previous
    }
    return String(text[start...])
}
