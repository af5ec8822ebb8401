// fuzz-modules: Core Encoder
// fuzz-max-len: 4096
@testable import Encoder
import Foundation

/// libFuzzer target: any bytes as a model.safetensors file. The header is validated, then
/// every tensor is read with its own shape; errors are fine, crashes and over-reads are not.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafeTensors(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzInput.withFile(data, size, named: "model.safetensors") { path in
        guard let file = try? SafeTensorsFile(path: path) else { return }
        for (name, entry) in file.entries {
            if let tensor = try? file.floats(name, shape: entry.shape), tensor.count > 0 {
                _ = tensor[0] + tensor[tensor.count - 1]
            }
        }
    }
    return 0
}
