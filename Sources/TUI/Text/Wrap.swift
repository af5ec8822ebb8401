/// `text` broken into lines of at most `width` columns: at spaces where it can, inside a word
/// only when the word alone is wider than a line (CJK text, which has no spaces, breaks
/// anywhere). Newlines in `text` start new lines; an empty text is one empty line.
public func wrap(_ text: String, toWidth width: Int) -> [String] {
    guard width > 0 else { return [] }
    var lines = [String]()
    for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
        var line = ""
        var lineWidth = 0
        for word in paragraph.split(separator: " ", omittingEmptySubsequences: false) {
            let wordWidth = displayWidth(of: word)
            let gap = line.isEmpty ? 0 : 1
            if lineWidth + gap + wordWidth <= width {
                if gap == 1 { line += " " }
                line += word
                lineWidth += gap + wordWidth
                continue
            }
            if !line.isEmpty { lines.append(line) }
            line = ""
            lineWidth = 0
            // A word wider than a line is cut where it reaches the edge.
            for character in word {
                let characterWidth = displayWidth(of: character)
                if lineWidth + characterWidth > width && !line.isEmpty {
                    lines.append(line)
                    line = ""
                    lineWidth = 0
                }
                line.append(character)
                lineWidth += characterWidth
            }
        }
        lines.append(line)
    }
    return lines
}
