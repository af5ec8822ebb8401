import Foundation

/// BERT's tokenizer exactly as Hugging Face's `tokenizers` runs it (BertNormalizer,
/// BertPreTokenizer, WordPiece, the [CLS] … [SEP] template), so the model sees the same ids as
/// under sentence-transformers:
/// 1. special tokens typed in the text (`[CLS]`, `[SEP]`…) are matched first and kept whole;
/// 2. cleaning drops NUL, U+FFFD and control/format characters except tab and newlines, and
///    turns every whitespace character into a space;
/// 3. CJK ideographs get spaces around them;
/// 4. accents are stripped (NFD, nonspacing marks dropped), then characters lowercased, as
///    configured (stripping follows lowercasing when the config leaves it unset);
/// 5. words split on whitespace, every punctuation character its own word;
/// 6. greedy longest-match WordPiece with `##` continuations; a word longer than 100
///    characters, or one with a piece missing from the vocabulary, becomes [UNK];
/// 7. truncated to `maxLength` ids including [CLS] and [SEP].
public struct WordPieceTokenizer: Sendable {
    /// The normalizer's switches (tokenizer.json's `normalizer`, or tokenizer_config.json).
    public struct Normalization: Sendable, Equatable {
        public var cleanText = true
        public var handleChineseChars = true
        public var stripAccents = true
        public var lowercase = true
        public init(cleanText: Bool = true, handleChineseChars: Bool = true, stripAccents: Bool = true, lowercase: Bool = true) {
            self.cleanText = cleanText
            self.handleChineseChars = handleChineseChars
            self.stripAccents = stripAccents
            self.lowercase = lowercase
        }
    }

    /// Token → id, keyed by the token's UTF-8 bytes: Hugging Face compares tokens byte for
    /// byte, while Swift's String equality would make "é" and "e\u{301}" the same token.
    public let vocabulary: [[UInt8]: Int32]
    public let normalization: Normalization
    public let unknownID: Int32
    public let classID: Int32
    public let separatorID: Int32
    /// Ids per sequence, [CLS] and [SEP] included (sentence-transformers' max_seq_length).
    public let maxLength: Int
    /// sentence_bert_config.json's `do_lower_case`: the whole text lowercased before tokenizing.
    public let lowercaseInput: Bool
    public let continuationPrefix: String
    public let maxCharactersPerWord: Int
    /// Added tokens matched literally in the raw text, longest first.
    private let specialTokens: [(text: [Unicode.Scalar], id: Int32)]
    /// First characters of the special tokens, to skip the search everywhere else.
    private let specialStarts: Set<Unicode.Scalar>

    public init(vocabulary: [[UInt8]: Int32], normalization: Normalization, unknown: Int32, classToken: Int32, separator: Int32,
                specialTokens: [String: Int32], maxLength: Int, lowercaseInput: Bool = false,
                continuationPrefix: String = "##", maxCharactersPerWord: Int = 100) {
        self.vocabulary = vocabulary
        self.normalization = normalization
        self.unknownID = unknown
        self.classID = classToken
        self.separatorID = separator
        self.maxLength = max(2, maxLength)
        self.lowercaseInput = lowercaseInput
        self.continuationPrefix = continuationPrefix
        self.maxCharactersPerWord = maxCharactersPerWord
        self.specialTokens = specialTokens.filter { !$0.key.isEmpty }
            .map { (Array($0.key.unicodeScalars), $0.value) }
            .sorted { $0.text.count != $1.text.count ? $0.text.count > $1.text.count : $0.id < $1.id }
        self.specialStarts = Set(self.specialTokens.map { $0.text[0] })
    }

    /// The ids the model reads for `text`: [CLS], pieces (truncated), [SEP].
    public func encode(_ text: String) -> [Int32] {
        var ids: [Int32] = [classID]
        let budget = maxLength - 2
        let input = lowercaseInput ? text.lowercased() : text
        forEachSegment(of: Array(input.unicodeScalars)) { segment, special in
            if ids.count - 1 >= budget { return }
            if let special {
                ids.append(special)
                return
            }
            for word in words(of: normalize(segment)) {
                if ids.count - 1 >= budget { return }
                appendPieces(of: word, to: &ids, budget: budget)
            }
        }
        ids.append(separatorID)
        return ids
    }

    /// id → token text, for showing ids as pieces (built on each call: keep it for many texts).
    public func tokenNames() -> [Int32: String] {
        Dictionary(vocabulary.map { ($0.value, String(decoding: $0.key, as: UTF8.self)) }, uniquingKeysWith: { first, _ in first })
    }

    /// The pieces of `text` as strings, without [CLS]/[SEP] (for showing how a query was read).
    public func pieces(_ text: String, names: [Int32: String]? = nil) -> [String] {
        let names = names ?? tokenNames()
        return encode(text).dropFirst().dropLast().map { names[$0] ?? "?" }
    }

    // MARK: - Steps

    /// Calls `body` with the stretches between special tokens (id nil) and each special token.
    private func forEachSegment(of scalars: [Unicode.Scalar], _ body: (ArraySlice<Unicode.Scalar>, Int32?) -> Void) {
        var start = 0, i = 0
        while i < scalars.count {
            if specialStarts.contains(scalars[i]), let match = specialTokens.first(where: { token in
                i + token.text.count <= scalars.count && scalars[i..<(i + token.text.count)].elementsEqual(token.text)
            }) {
                if start < i { body(scalars[start..<i], nil) }
                body([], match.id)
                i += match.text.count
                start = i
            } else {
                i += 1
            }
        }
        if start < scalars.count { body(scalars[start...], nil) }
    }

    /// BertNormalizer: clean, space out CJK, strip accents, lowercase.
    func normalize(_ input: ArraySlice<Unicode.Scalar>) -> [Unicode.Scalar] {
        var scalars = [Unicode.Scalar]()
        scalars.reserveCapacity(input.count + 8)
        var ascii = true
        for scalar in input {
            if normalization.cleanText {
                if scalar.value == 0 || scalar.value == 0xFFFD || Self.isControl(scalar) { continue }
                if Self.isWhitespace(scalar) {
                    scalars.append(" ")
                    continue
                }
            }
            if normalization.handleChineseChars && Self.isCJK(scalar) {
                scalars.append(" ")
                scalars.append(scalar)
                scalars.append(" ")
                continue
            }
            if scalar.value >= 0x80 { ascii = false }
            scalars.append(scalar)
        }
        if ascii {
            if normalization.lowercase {
                for i in scalars.indices where scalars[i].value >= 0x41 && scalars[i].value <= 0x5A {
                    scalars[i] = Unicode.Scalar(scalars[i].value + 32)!
                }
            }
            return scalars
        }
        if normalization.stripAccents {
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars)
            scalars = String(view).decomposedStringWithCanonicalMapping.unicodeScalars
                .filter { $0.properties.generalCategory != .nonspacingMark }
        }
        if normalization.lowercase {
            var lowered = [Unicode.Scalar]()
            lowered.reserveCapacity(scalars.count)
            for scalar in scalars {
                if scalar.value < 0x80 || !scalar.properties.changesWhenLowercased {
                    lowered.append(scalar.value >= 0x41 && scalar.value <= 0x5A ? Unicode.Scalar(scalar.value + 32)! : scalar)
                } else {
                    lowered.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
                }
            }
            scalars = lowered
        }
        return scalars
    }

    /// BertPreTokenizer: split on whitespace; each punctuation character is a word of its own.
    func words(of scalars: [Unicode.Scalar]) -> [ArraySlice<Unicode.Scalar>] {
        var words = [ArraySlice<Unicode.Scalar>]()
        var start = 0
        for (i, scalar) in scalars.enumerated() {
            if Self.isWhitespace(scalar) {
                if start < i { words.append(scalars[start..<i]) }
                start = i + 1
            } else if Self.isPunctuation(scalar) {
                if start < i { words.append(scalars[start..<i]) }
                words.append(scalars[i...i])
                start = i + 1
            }
        }
        if start < scalars.count { words.append(scalars[start...]) }
        return words
    }

    /// WordPiece: greedy longest match from the left, continuations with `##`.
    private func appendPieces(of word: ArraySlice<Unicode.Scalar>, to ids: inout [Int32], budget: Int) {
        guard word.count <= maxCharactersPerWord else {
            ids.append(unknownID)
            return
        }
        // The word's UTF-8 bytes, and where each character's bytes start.
        var bytes = [UInt8](), starts = [Int]()
        for scalar in word {
            starts.append(bytes.count)
            bytes.append(contentsOf: UTF8.encode(scalar)!)
        }
        starts.append(bytes.count)
        let prefix = Array(continuationPrefix.utf8)
        var pieces = [Int32]()
        var start = 0
        while start < word.count {
            var end = word.count
            var found: Int32?
            while end > start {
                let piece = bytes[starts[start]..<starts[end]]
                if let id = vocabulary[start > 0 ? prefix + piece : Array(piece)] {
                    found = id
                    break
                }
                end -= 1
            }
            guard let id = found else {
                pieces = [unknownID]
                break
            }
            pieces.append(id)
            start = end
        }
        for id in pieces where ids.count - 1 < budget { ids.append(id) }
    }

    // MARK: - Character classes (as the tokenizers crate defines them)

    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x20, 0x09, 0x0A, 0x0D: true
        case 0..<0x80: false
        default: scalar.properties.isWhitespace
        }
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: return false
        case 0x20..<0x7F: return false
        default:
            switch scalar.properties.generalCategory {
            case .control, .format, .surrogate, .privateUse, .unassigned: return true
            default: return false
            }
        }
    }

    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if (33...47).contains(v) || (58...64).contains(v) || (91...96).contains(v) || (123...126).contains(v) { return true }
        if v < 0x80 { return false }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation: return true
        default: return false
        }
    }

    static func isCJK(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
             0x2B740...0x2B81F, 0x2B820...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F: true
        default: false
        }
    }
}
