// fuzz-modules: Core Encoder
// fuzz-max-len: 4096
@testable import Encoder
import Foundation

/// libFuzzer target: any bytes as a model's vocab.txt (and, after the first newline-free
/// prefix, as text to tokenize). The tokenizer is built when the vocabulary has [UNK], [CLS]
/// and [SEP]; then texts are encoded. Errors are fine, crashes are not.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzVocabulary(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = FuzzInput.data(data, size)
    let loaded = FuzzInput.withFile(data, size, named: "vocab.txt") { _ in
        try? TokenizerLoader.load(folder: FuzzInput.folder, json: JSONFiles(folder: FuzzInput.folder), tokenizerConfig: [:],
                                  maxLength: 64, lowercaseInput: false, vocabularySize: 1 << 20)
    }
    guard let tokenizer = loaded else { return 0 }
    let text = String(decoding: bytes, as: UTF8.self)
    for sample in [text, "Café naïve — C++ & 中文 😀 [CLS] x", String(text.reversed())] {
        let ids = tokenizer.encode(sample)
        precondition(ids.count <= 64 && ids.first == tokenizer.classID && ids.last == tokenizer.separatorID)
    }
    return 0
}
