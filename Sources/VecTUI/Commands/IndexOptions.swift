import ArgumentParser
import Core

/// Opens an index file for a command, describing what is in it.
struct OpenedIndex {
    let path: String
    let index: any VectorIndex
    let fileBytes: Int
    let fileFourCC: String

    init(path: String) throws {
        index = try FaissIndexFile.read(path: path)
        self.path = path
        let file = try MappedFile(path: path)
        fileBytes = file.bytes.count
        fileFourCC = String(decoding: file.bytes.prefix(4), as: UTF8.self)
    }

    /// The flat index holding the vectors (the index itself, or the one an IDMap wraps).
    var flat: FlatIndex? {
        if let flat = index as? FlatIndex { return flat }
        return (index as? IDMapIndex)?.inner as? FlatIndex
    }
}

/// Queries for `search` and `bench`, checked against the index's dimension.
func loadQueries(path: String, for opened: OpenedIndex) throws -> VectorMatrix {
    let queries = try VectorFile.readMatrix(path: path)
    guard queries.dimension == opened.index.dimension else {
        throw InputMismatchError(description: "\(path): the queries have dimension \(queries.dimension), but \(opened.path) has dimension \(opened.index.dimension)")
    }
    return queries
}
