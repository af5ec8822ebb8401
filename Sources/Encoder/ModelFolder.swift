import Foundation

/// A Hugging Face / sentence-transformers model folder, read and checked: the BERT
/// configuration, the tokenizer, the pooling and normalisation modules, max_seq_length and
/// prompts. Every missing file or bad field is an `EmbeddingError` naming the file and field.
public struct ModelFolder: Sendable {
    /// How token vectors become one sentence vector (1_Pooling/config.json); several modes
    /// are concatenated in sentence-transformers' order (cls, max, mean, mean-sqrt-len).
    public enum Pooling: String, Sendable, CaseIterable {
        case cls, max, mean, meanSqrtLength = "mean_sqrt_len"
    }

    public let path: String
    public let config: BertConfig
    public let tokenizer: WordPieceTokenizer
    public let pooling: [Pooling]
    public let normalizes: Bool
    /// config_sentence_transformers.json's prompts (e.g. "query" → "query: ").
    public let prompts: [String: String]
    public let defaultPromptName: String?
    public var weightsPath: String { path + "/model.safetensors" }

    /// The query prompt: prompts["query"], else the default prompt, else "".
    public var queryPrompt: String { prompts["query"] ?? defaultPromptName.flatMap { prompts[$0] } ?? "" }
    /// The prompt for catalog texts: "document", "passage" or "corpus", else the default prompt.
    public var documentPrompt: String {
        prompts["document"] ?? prompts["passage"] ?? prompts["corpus"] ?? defaultPromptName.flatMap { prompts[$0] } ?? ""
    }

    /// Reads the folder at `path` (no weights yet: `BertModel` maps them).
    public init(path: String) throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else {
            throw EmbeddingError("\(path): no such model folder")
        }
        self.path = path
        let json = JSONFiles(folder: path)
        config = try BertConfig(json.required("config.json"), file: path + "/config.json")
        guard FileManager.default.fileExists(atPath: path + "/model.safetensors") else {
            throw EmbeddingError("\(path)/model.safetensors: missing (only safetensors weights are read; pytorch_model.bin is a pickle)")
        }

        // modules.json: Transformer, Pooling, optional Normalize; anything else changes the vectors.
        var poolingFolder = "1_Pooling"
        var normalizes = false
        if let modules = try json.optional("modules.json") as? [[String: Any]] {
            for module in modules {
                let type = module["type"] as? String ?? "?"
                switch type.split(separator: ".").last.map(String.init) ?? type {
                case "Transformer": break
                case "Pooling": poolingFolder = module["path"] as? String ?? poolingFolder
                case "Normalize": normalizes = true
                default: throw EmbeddingError("\(path)/modules.json: module type \(type) is not supported (Transformer, Pooling, Normalize)")
                }
            }
        } else if json.exists("modules.json") {
            throw EmbeddingError("\(path)/modules.json: not a list of modules")
        }
        self.normalizes = normalizes
        pooling = try Self.readPooling(json.optional(poolingFolder + "/config.json") as? [String: Any],
                                       file: "\(path)/\(poolingFolder)/config.json")

        let sentenceConfig = try json.optional("sentence_bert_config.json") as? [String: Any] ?? [:]
        let tokenizerConfig = try json.optional("tokenizer_config.json") as? [String: Any] ?? [:]
        var maxLength = config.maxPositions
        if let value = sentenceConfig["max_seq_length"] {
            guard let number = value as? Int, number >= 2 else {
                throw EmbeddingError("\(path)/sentence_bert_config.json: max_seq_length \(value) is not a length ≥ 2")
            }
            maxLength = number
        } else if let modelMax = tokenizerConfig["model_max_length"] as? Double, modelMax >= 2, modelMax < 1e7 {
            maxLength = min(Int(modelMax), maxLength)
        }
        maxLength = min(maxLength, config.maxPositions)
        tokenizer = try TokenizerLoader.load(folder: path, json: json, tokenizerConfig: tokenizerConfig, maxLength: maxLength,
                                             lowercaseInput: sentenceConfig["do_lower_case"] as? Bool ?? false,
                                             vocabularySize: config.vocabularySize)

        let sentenceTransformers = try json.optional("config_sentence_transformers.json") as? [String: Any] ?? [:]
        prompts = (sentenceTransformers["prompts"] as? [String: Any] ?? [:]).compactMapValues { $0 as? String }
        defaultPromptName = sentenceTransformers["default_prompt_name"] as? String
    }

    private static func readPooling(_ config: [String: Any]?, file: String) throws -> [Pooling] {
        guard let config else { return [.mean] }   // sentence-transformers' default for a plain model
        if let unsupported = ["pooling_mode_weightedmean_tokens", "pooling_mode_lasttoken"].first(where: { config[$0] as? Bool == true }) {
            throw EmbeddingError("\(file): \(unsupported) is not supported (cls, mean, max, mean_sqrt_len)")
        }
        if config["include_prompt"] as? Bool == false {
            throw EmbeddingError("\(file): include_prompt false (prompt tokens left out of pooling) is not supported")
        }
        if let mode = config["pooling_mode"] as? String {
            guard let pooling = Pooling(rawValue: mode == "mean_sqrt_len_tokens" ? "mean_sqrt_len" : mode) else {
                throw EmbeddingError("\(file): pooling_mode \(mode) is not supported (cls, mean, max, mean_sqrt_len)")
            }
            return [pooling]
        }
        let modes: [(String, Pooling)] = [("pooling_mode_cls_token", .cls), ("pooling_mode_max_tokens", .max),
                                          ("pooling_mode_mean_tokens", .mean), ("pooling_mode_mean_sqrt_len_tokens", .meanSqrtLength)]
        let chosen = modes.filter { config[$0.0] as? Bool == true }.map(\.1)
        guard !chosen.isEmpty else { throw EmbeddingError("\(file): no pooling mode is set") }
        return chosen
    }
}

/// config.json of a BERT-family model.
public struct BertConfig: Sendable, Equatable {
    public let hidden: Int
    public let layers: Int
    public let heads: Int
    public let intermediate: Int
    public let maxPositions: Int
    public let typeVocabularySize: Int
    public let vocabularySize: Int
    public let layerNormEpsilon: Float

    /// Architectures whose weights and forward pass are BERT's (the encoder is the same).
    static let supportedArchitectures: Set<String> = ["BertModel", "BertForMaskedLM", "BertForPreTraining", "BertForSequenceClassification"]

    init(_ json: Any, file: String) throws {
        guard let fields = json as? [String: Any] else { throw EmbeddingError("\(file): not a JSON object") }
        let modelType = fields["model_type"] as? String
        let architectures = fields["architectures"] as? [String] ?? []
        guard modelType == "bert" || (modelType == nil && !architectures.isEmpty),
              architectures.allSatisfy({ Self.supportedArchitectures.contains($0) }) else {
            throw EmbeddingError("\(file): architectures \(architectures) / model_type \(modelType ?? "none") is not a BERT model (supported: BertModel)")
        }
        func integer(_ name: String, default value: Int? = nil, minimum: Int = 1) throws -> Int {
            guard let raw = fields[name] ?? value else { throw EmbeddingError("\(file): \(name) is missing") }
            guard let number = raw as? Int, number >= minimum else { throw EmbeddingError("\(file): \(name) \(raw) is not an integer ≥ \(minimum)") }
            return number
        }
        hidden = try integer("hidden_size")
        layers = try integer("num_hidden_layers")
        heads = try integer("num_attention_heads")
        intermediate = try integer("intermediate_size")
        maxPositions = try integer("max_position_embeddings", minimum: 2)
        typeVocabularySize = try integer("type_vocab_size", default: 2)
        vocabularySize = try integer("vocab_size")
        guard hidden % heads == 0 else {
            throw EmbeddingError("\(file): hidden_size \(hidden) is not a multiple of num_attention_heads \(heads)")
        }
        let epsilon = fields["layer_norm_eps"] as? Double ?? 1e-12
        guard epsilon > 0, epsilon < 1 else { throw EmbeddingError("\(file): layer_norm_eps \(epsilon) is not in (0, 1)") }
        layerNormEpsilon = Float(epsilon)
        let activation = fields["hidden_act"] as? String ?? "gelu"
        guard activation == "gelu" else {
            throw EmbeddingError("\(file): hidden_act \(activation) is not supported (gelu, the exact erf form)")
        }
        let positions = fields["position_embedding_type"] as? String ?? "absolute"
        guard positions == "absolute" else {
            throw EmbeddingError("\(file): position_embedding_type \(positions) is not supported (absolute)")
        }
    }
}

/// Reads JSON files of one folder, with errors that name them.
struct JSONFiles {
    let folder: String

    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: folder + "/" + name) }

    func required(_ name: String) throws -> Any {
        guard let value = try optional(name) else { throw EmbeddingError("\(folder)/\(name): missing") }
        return value
    }

    /// The parsed file, or nil when it does not exist.
    func optional(_ name: String) throws -> Any? {
        let file = folder + "/" + name
        guard FileManager.default.fileExists(atPath: file) else { return nil }
        guard let data = FileManager.default.contents(atPath: file) else { throw EmbeddingError("\(file): cannot be read") }
        do {
            return try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw EmbeddingError("\(file): not valid JSON")
        }
    }
}

/// Builds the tokenizer from tokenizer.json (what sentence-transformers' fast tokenizer reads),
/// else from vocab.txt and tokenizer_config.json.
enum TokenizerLoader {
    static func load(folder: String, json: JSONFiles, tokenizerConfig: [String: Any], maxLength: Int,
                     lowercaseInput: Bool, vocabularySize: Int) throws -> WordPieceTokenizer {
        var vocabulary = [[UInt8]: Int32]()
        var normalization = WordPieceTokenizer.Normalization()
        var unknownName = tokenizerConfig["unk_token"] as? String ?? "[UNK]"
        var classifierName = tokenizerConfig["cls_token"] as? String ?? "[CLS]"
        var separatorName = tokenizerConfig["sep_token"] as? String ?? "[SEP]"
        var prefix = "##"
        var maxCharacters = 100
        var special = [String: Int32]()
        let vocabularyFile: String

        if let tokenizer = try json.optional("tokenizer.json") {
            let file = folder + "/tokenizer.json"
            vocabularyFile = file
            guard let fields = tokenizer as? [String: Any], let model = fields["model"] as? [String: Any] else {
                throw EmbeddingError("\(file): no model object")
            }
            guard model["type"] as? String == "WordPiece" else {
                throw EmbeddingError("\(file): model.type \(model["type"] ?? "none") is not supported (WordPiece)")
            }
            guard model["vocab"] is [String: Any], let data = FileManager.default.contents(atPath: file),
                  let entries = VocabularyScanner.entries(ofObjectNamed: "vocab", in: data) else {
                throw EmbeddingError("\(file): model.vocab is missing or not an object of token ids")
            }
            for (token, id) in entries {
                guard id >= 0, id <= Int(Int32.max) else { throw EmbeddingError("\(file): model.vocab id \(id) is out of range") }
                if vocabulary[token] == nil { vocabulary[token] = Int32(id) }
            }
            unknownName = model["unk_token"] as? String ?? unknownName
            prefix = model["continuing_subword_prefix"] as? String ?? prefix
            maxCharacters = model["max_input_chars_per_word"] as? Int ?? maxCharacters
            if let normalizer = fields["normalizer"] as? [String: Any] {
                guard normalizer["type"] as? String == "BertNormalizer" else {
                    throw EmbeddingError("\(file): normalizer.type \(normalizer["type"] ?? "none") is not supported (BertNormalizer)")
                }
                let lowercase = normalizer["lowercase"] as? Bool ?? true
                normalization = .init(cleanText: normalizer["clean_text"] as? Bool ?? true,
                                      handleChineseChars: normalizer["handle_chinese_chars"] as? Bool ?? true,
                                      stripAccents: normalizer["strip_accents"] as? Bool ?? lowercase, lowercase: lowercase)
            } else {
                normalization = .init(cleanText: false, handleChineseChars: false, stripAccents: false, lowercase: false)
            }
            if let preTokenizer = fields["pre_tokenizer"] as? [String: Any], preTokenizer["type"] as? String != "BertPreTokenizer" {
                throw EmbeddingError("\(file): pre_tokenizer.type \(preTokenizer["type"] ?? "none") is not supported (BertPreTokenizer)")
            }
            for case let token as [String: Any] in fields["added_tokens"] as? [Any] ?? [] {
                guard let content = token["content"] as? String, let id = token["id"] as? Int else { continue }
                guard id >= 0, id <= Int(Int32.max) else { throw EmbeddingError("\(file): added_tokens id \(id) (\(content)) is out of range") }
                special[content] = Int32(id)
            }
            if let post = fields["post_processor"] as? [String: Any] {
                if let cls = post["cls"] as? [Any], let name = cls.first as? String { classifierName = name }
                if let sep = post["sep"] as? [Any], let name = sep.first as? String { separatorName = name }
                if let single = post["single"] as? [[String: Any]] {
                    let names = single.compactMap { ($0["SpecialToken"] as? [String: Any])?["id"] as? String }
                    if names.count == 2 { (classifierName, separatorName) = (names[0], names[1]) }
                }
            }
        } else {
            let file = folder + "/vocab.txt"
            vocabularyFile = file
            guard let data = FileManager.default.contents(atPath: file) else {
                throw EmbeddingError("\(file): missing (and no tokenizer.json)")
            }
            guard String(data: data, encoding: .utf8) != nil else { throw EmbeddingError("\(file): not UTF-8") }
            // One token a line, byte for byte (a trailing \r dropped, as Python's universal newlines do).
            var lines = [UInt8](data).split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
                line.last == 0x0D ? Array(line.dropLast()) : Array(line)
            }
            if lines.last == [] { lines.removeLast() }
            for (id, line) in lines.enumerated() where vocabulary[line] == nil {
                vocabulary[line] = Int32(id)
            }
            let lowercase = tokenizerConfig["do_lower_case"] as? Bool ?? true
            normalization = .init(cleanText: true, handleChineseChars: tokenizerConfig["tokenize_chinese_chars"] as? Bool ?? true,
                                  stripAccents: tokenizerConfig["strip_accents"] as? Bool ?? lowercase, lowercase: lowercase)
            for key in ["unk_token", "sep_token", "pad_token", "cls_token", "mask_token"] {
                let name = tokenizerConfig[key] as? String ?? ["unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]",
                                                               "cls_token": "[CLS]", "mask_token": "[MASK]"][key]!
                if let id = vocabulary[Array(name.utf8)] { special[name] = id }
            }
        }
        func id(_ name: String, _ role: String) throws -> Int32 {
            guard let id = vocabulary[Array(name.utf8)] ?? special[name] else {
                throw EmbeddingError("\(vocabularyFile): no \(name) token (the \(role) token)")
            }
            guard id < vocabularySize else {
                throw EmbeddingError("\(vocabularyFile): \(name) has id \(id), past config.json's vocab_size \(vocabularySize)")
            }
            return id
        }
        let unknown = try id(unknownName, "unknown-word")
        let classifier = try id(classifierName, "[CLS]")
        let separator = try id(separatorName, "[SEP]")
        let outOfRange = vocabulary.first(where: { $0.value >= vocabularySize }).map { (String(decoding: $0.key, as: UTF8.self), $0.value) }
            ?? special.first(where: { $0.value >= vocabularySize }).map { ($0.key, $0.value) }
        if let (token, id) = outOfRange {
            throw EmbeddingError("\(vocabularyFile): token \(token) has id \(id), past config.json's vocab_size \(vocabularySize)")
        }
        return WordPieceTokenizer(vocabulary: vocabulary, normalization: normalization, unknown: unknown, classToken: classifier,
                                  separator: separator, specialTokens: special, maxLength: maxLength,
                                  lowercaseInput: lowercaseInput, continuationPrefix: prefix, maxCharactersPerWord: maxCharacters)
    }
}

/// Reads a JSON object of token → id pairs straight from the file's bytes, keeping each token's
/// exact bytes (a parsed [String: Any] would merge canonically equivalent tokens).
enum VocabularyScanner {
    /// The pairs of the first object under key `name` (`"vocab": {…}`), or nil when absent or malformed.
    static func entries(ofObjectNamed name: String, in data: Data) -> [([UInt8], Int)]? {
        let bytes = [UInt8](data)
        let key = Array("\"\(name)\"".utf8)
        var i = 0
        search: while i + key.count <= bytes.count {
            guard bytes[i] == key[0], Array(bytes[i..<(i + key.count)]) == key else {
                i += 1
                continue
            }
            var j = skipSpace(bytes, i + key.count)
            guard j < bytes.count, bytes[j] == UInt8(ascii: ":") else { i += 1; continue search }
            j = skipSpace(bytes, j + 1)
            guard j < bytes.count, bytes[j] == UInt8(ascii: "{") else { i += 1; continue search }
            return pairs(bytes, from: j + 1)
        }
        return nil
    }

    private static func pairs(_ bytes: [UInt8], from start: Int) -> [([UInt8], Int)]? {
        var result = [([UInt8], Int)]()
        var i = skipSpace(bytes, start)
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { return result }
        while i < bytes.count {
            guard let (token, afterToken) = string(bytes, at: i) else { return nil }
            i = skipSpace(bytes, afterToken)
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return nil }
            i = skipSpace(bytes, i + 1)
            var id = 0, digits = 0
            while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39, digits < 12 {
                id = id * 10 + Int(bytes[i] - 0x30)
                i += 1
                digits += 1
            }
            guard digits > 0 else { return nil }
            result.append((token, id))
            i = skipSpace(bytes, i)
            guard i < bytes.count else { return nil }
            if bytes[i] == UInt8(ascii: "}") { return result }
            guard bytes[i] == UInt8(ascii: ",") else { return nil }
            i = skipSpace(bytes, i + 1)
        }
        return nil
    }

    /// A JSON string starting at `start` (the opening quote): its UTF-8 bytes, and the index after it.
    private static func string(_ bytes: [UInt8], at start: Int) -> ([UInt8], Int)? {
        guard start < bytes.count, bytes[start] == UInt8(ascii: "\"") else { return nil }
        var out = [UInt8](), i = start + 1
        while i < bytes.count {
            let byte = bytes[i]
            if byte == UInt8(ascii: "\"") { return (out, i + 1) }
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                i += 1
                continue
            }
            guard i + 1 < bytes.count else { return nil }
            let escape = bytes[i + 1]
            i += 2
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard var unit = hex4(bytes, i) else { return nil }
                i += 4
                if (0xD800..<0xDC00).contains(unit), i + 6 <= bytes.count, bytes[i] == UInt8(ascii: "\\"),
                   bytes[i + 1] == UInt8(ascii: "u"), let low = hex4(bytes, i + 2), (0xDC00..<0xE000).contains(low) {
                    unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                }
                out.append(contentsOf: UTF8.encode(Unicode.Scalar(unit) ?? "\u{FFFD}")!)
            default: return nil
            }
        }
        return nil
    }

    private static func hex4(_ bytes: [UInt8], _ i: Int) -> UInt32? {
        guard i + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for byte in bytes[i..<(i + 4)] {
            guard let digit = Int(String(UnicodeScalar(byte)), radix: 16) else { return nil }
            value = value * 16 + UInt32(digit)
        }
        return value
    }

    private static func skipSpace(_ bytes: [UInt8], _ start: Int) -> Int {
        var i = start
        while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
        return i
    }
}
