// fuzz-modules: Core
// fuzz-max-len: 4096
@testable import Core
import Foundation

/// libFuzzer target: any bytes as an `.fvecs` file (each row: int32 d, then d float32).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFvecs(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzInput.withFile(data, size, named: "vectors.fvecs") { path in
        if let matrix = try? VectorFile.readMatrix(path: path) {
            precondition(matrix.values.count == matrix.rows * matrix.dimension && matrix.dimension > 0)
        }
    }
    return 0
}
