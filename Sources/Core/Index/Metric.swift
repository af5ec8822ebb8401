/// How two vectors are compared, with FAISS's numbering (`faiss/MetricType.h`).
public enum Metric: Int32, Sendable, CustomStringConvertible {
    /// Inner product: larger is more similar.
    case innerProduct = 0
    /// Squared Euclidean distance: smaller is more similar.
    case l2 = 1

    /// True when a larger score means a better match.
    public var largerIsBetter: Bool { self == .innerProduct }

    /// The score FAISS reports for an empty result slot (−FLT_MAX for IP, +FLT_MAX for L2).
    public var sentinelScore: Float {
        largerIsBetter ? -Float.greatestFiniteMagnitude : Float.greatestFiniteMagnitude
    }

    /// FAISS's name for the metric, as scripts and `info` print it.
    public var description: String { self == .innerProduct ? "inner_product" : "l2" }

    /// Parses the CLI spelling (`ip`, `l2`, or the FAISS names).
    public init?(name: String) {
        switch name.lowercased() {
        case "ip", "inner_product", "innerproduct", "metric_inner_product": self = .innerProduct
        case "l2", "metric_l2": self = .l2
        default: return nil
        }
    }

    /// FAISS's names for every metric value a file may hold, for error messages.
    static func faissName(rawValue: Int32) -> String? {
        switch rawValue {
        case 0: return "METRIC_INNER_PRODUCT"
        case 1: return "METRIC_L2"
        case 2: return "METRIC_L1"
        case 3: return "METRIC_Linf"
        case 4: return "METRIC_Lp"
        case 20: return "METRIC_Canberra"
        case 21: return "METRIC_BrayCurtis"
        case 22: return "METRIC_JensenShannon"
        case 23: return "METRIC_Jaccard"
        case 24: return "METRIC_NaNEuclidean"
        case 25: return "METRIC_GOWER"
        default: return nil
        }
    }
}

/// The answer to a batch of queries: `queryCount` rows of `k` results, row-major, best first.
/// Empty slots (k larger than the index) hold id −1 and the metric's sentinel score, as in FAISS.
public struct SearchResult: Sendable, Equatable {
    /// The id of an empty result slot (FAISS's −1, when fewer than k vectors pass). Other
    /// negative ids are real: an IDMap may hold any 64-bit id.
    public static let paddingID: Int64 = -1

    public let queryCount: Int
    public let k: Int
    public var scores: [Float]
    public var ids: [Int64]

    public init(queryCount: Int, k: Int, scores: [Float], ids: [Int64]) {
        precondition(scores.count == queryCount * k && ids.count == queryCount * k)
        self.queryCount = queryCount
        self.k = k
        self.scores = scores
        self.ids = ids
    }

    /// The ids of query `q`'s results.
    public func ids(ofQuery q: Int) -> ArraySlice<Int64> { ids[(q * k)..<((q + 1) * k)] }
    /// The scores of query `q`'s results.
    public func scores(ofQuery q: Int) -> ArraySlice<Float> { scores[(q * k)..<((q + 1) * k)] }
}
