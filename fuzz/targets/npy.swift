// fuzz-modules: Core
// fuzz-max-len: 4096
@testable import Core
import Foundation

/// libFuzzer target: any bytes as a NumPy `.npy` file, read as vectors (float32 mapped,
/// float16/float64 converted) and as ids (int64). Every row of what reads is touched.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNpy(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzInput.withFile(data, size, named: "vectors.npy") { path in
        if let matrix = try? VectorFile.readMatrix(path: path) {
            precondition(matrix.values.count == matrix.rows * matrix.dimension)
        }
        if let ids = try? VectorFile.readIDs(path: path) { _ = ids.reduce(0, &+) }
    }
    return 0
}
