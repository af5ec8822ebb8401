/// A small, owned, row-major batch of float32 vectors: queries, or vectors to add.
/// Large datasets travel as `VectorStorage` instead, which may be memory-mapped.
public struct VectorMatrix: Sendable, Equatable {
    public let rows: Int
    public let dimension: Int
    public var values: [Float]

    /// - Precondition: `values.count == rows * dimension`.
    public init(rows: Int, dimension: Int, values: [Float]) {
        precondition(values.count == rows * dimension, "matrix shape does not match its values")
        self.rows = rows
        self.dimension = dimension
        self.values = values
    }

    /// One vector as a 1 × d matrix.
    public init(vector: [Float]) {
        self.init(rows: 1, dimension: vector.count, values: vector)
    }

    /// Row `i` as an array.
    public func row(_ i: Int) -> [Float] { Array(values[(i * dimension)..<((i + 1) * dimension)]) }

    /// Rows `range` as a new matrix.
    public func rows(_ range: Range<Int>) -> VectorMatrix {
        VectorMatrix(rows: range.count, dimension: dimension,
                     values: Array(values[(range.lowerBound * dimension)..<(range.upperBound * dimension)]))
    }
}
