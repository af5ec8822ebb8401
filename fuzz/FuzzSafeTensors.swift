import Foundation

/// libFuzzer target: any bytes as a model.safetensors file. The header is validated, then
/// every tensor is read with its own shape; errors are fine, crashes and over-reads are not.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafeTensors(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let path = NSTemporaryDirectory() + "vectui-fuzz-\(getpid()).safetensors"
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes: data, count: size))
    defer { unlink(path) }
    guard let file = try? SafeTensorsFile(path: path) else { return 0 }
    for (name, entry) in file.entries {
        if let tensor = try? file.floats(name, shape: entry.shape), tensor.count > 0 {
            _ = tensor[0] + tensor[tensor.count - 1]
        }
    }
    return 0
}
