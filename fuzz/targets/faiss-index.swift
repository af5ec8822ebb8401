// fuzz-modules: Core
// fuzz-max-len: 16384
@testable import Core
import Foundation

/// libFuzzer target: any bytes as a FAISS index file (every fourcc the reader knows: flat,
/// IDMap/IDMap2, HNSW flat, IVF flat/SQ/PQ, SQ, PQ). Errors are fine; crashes, over-reads and
/// runaway allocations are not. An index that reads is then searched and reconstructed, so
/// the structure search trusts (HNSW links, IVF lists, id maps, codes) is exercised too.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFaissIndex(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzInput.withFile(data, size, named: "index.faiss") { path in
        guard let index = try? FaissIndexFile.read(path: path) else { return }
        precondition(index.count >= 0 && index.dimension >= 0)
        _ = index.memoryUsage
        guard index.dimension > 0, index.dimension <= 4096 else { return }
        let d = index.dimension
        let queries = VectorMatrix(rows: 2, dimension: d, values: (0..<(2 * d)).map { Float($0 % 7) - 3 })
        if let result = try? index.search(queries, k: 5) {
            precondition(result.ids.count == 2 * 5 && result.scores.count == 2 * 5)
        }
        for id in [Int64(0), Int64(index.count - 1), -1] {
            if let vector = try? index.reconstruct(id: id) { precondition(vector.count == d) }
        }
        if let mapped = index as? IDMapIndex, let first = mapped.ids.first {
            _ = try? index.reconstruct(id: first)
        }
    }
    return 0
}
