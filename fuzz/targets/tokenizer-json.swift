// fuzz-modules: Core Encoder
// fuzz-max-len: 8192
@testable import Encoder
import Foundation

/// libFuzzer target: any bytes as a model's tokenizer.json (parsed with JSONSerialization and
/// its vocab scanned byte for byte by `VocabularyScanner`). A tokenizer that builds then
/// encodes a few texts, which must come back framed by [CLS] … [SEP] within the length.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTokenizerJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let loaded = FuzzInput.withFile(data, size, named: "tokenizer.json") { _ in
        try? TokenizerLoader.load(folder: FuzzInput.folder, json: JSONFiles(folder: FuzzInput.folder), tokenizerConfig: [:],
                                  maxLength: 32, lowercaseInput: false, vocabularySize: 1 << 20)
    }
    guard let tokenizer = loaded else { return 0 }
    for sample in ["hello world", "Café naïve — C++ & 中文 😀 [CLS] x", "", String(repeating: "ab", count: 80)] {
        let ids = tokenizer.encode(sample)
        precondition(ids.count <= 32 && ids.first == tokenizer.classID && ids.last == tokenizer.separatorID)
    }
    return 0
}
