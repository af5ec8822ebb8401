import Core
import Foundation

/// What the Index and Devices panes show about the open index: a snapshot taken when it was
/// opened and after every move.
struct IndexSummary: Equatable, Sendable {
    /// The rows one device holds.
    struct Shard: Equatable, Sendable {
        /// The device's name (`cpu`, `cl0`, …).
        var device: String
        /// The rows it holds (all of them, for a replica).
        var rows: Range<Int>
        /// Bytes of vector data there.
        var bytes: Int
    }

    /// The file the index was opened from.
    var path: String
    /// FAISS's class name (`IndexIDMap2`, `IndexFlatIP`).
    var className: String
    /// The class of the index the id map wraps, if any.
    var innerClassName: String?
    var dimension: Int
    var count: Int
    var metric: Metric
    /// How vectors are stored where they live (flat vectors: fp32 on the host, fp32 or fp16 on devices).
    var precision: DevicePrecision
    /// How the vectors are coded, for people: "fp32", "fp16", "8-bit scalar codes (QT_8bit)",
    /// "PQ codes, 32 × 8 bits".
    var coding: String
    /// Bytes the index holds, all components together.
    var bytes: Int
    /// Where the vectors live, for people ("host RAM (memory-mapped)", "fp16 on cl0").
    var placement: String
    /// Where the rows are, device by device.
    var shards: [Shard]
    /// How the rows are spread when on several devices.
    var layout: Layout
    /// Whether 64-bit ids are kept beside the vectors (in host memory).
    var hasIDs: Bool { idMapKind != nil }
    /// The IDMap the index is wrapped in, if any.
    var idMapKind: IDMapIndex.Kind?
    /// Whether an IVF index keeps 64-bit ids in its inverted lists (no IDMap needed).
    var idsInLists: Bool
    /// Bytes of those ids.
    var idBytes: Int
    /// Whether the index holds plain vectors (a flat index, with or without an id map): only
    /// those move to OpenCL devices and convert to other types.
    var holdsFlatVectors: Bool
    /// The search-time knob of an approximate index (IVF's nprobe, HNSW's efSearch), if any.
    var tuning: SearchTuning?
    /// The structure of a compressed or graph index, briefly ("nlist 1024 · lists 12–310 …"),
    /// empty for flat indexes.
    var structure: String
    /// Vectors per inverted list, list by list (IVF indexes; empty for others).
    var listSizes: [Int]
    /// Nodes per HNSW layer from layer 0 (empty for other indexes).
    var nodesPerLayer: [Int]

    /// A summary of `index`, opened from `path`, searched with `parameters` (the session's).
    init(index: any VectorIndex, path: String, parameters: SearchParameters = SearchParameters()) {
        self.path = path
        className = index.faissClassName
        dimension = index.dimension
        count = index.count
        metric = index.metric
        bytes = index.memoryUsage.reduce(0) { $0 + $1.bytes }
        let wrapper = index as? IDMapIndex
        let inner: any VectorIndex = wrapper?.inner ?? index
        innerClassName = wrapper?.inner.faissClassName
        idMapKind = wrapper?.kind
        idsInLists = inner is IVFIndex
        idBytes = (wrapper?.ids.count ?? 0) * 8
        holdsFlatVectors = inner is FlatRows
        // A refine index is tuned, and lists, through its base.
        let searched = inner.tunedIndex
        switch searched {
        case let ivf as IVFIndex: tuning = .nprobe(parameters.nprobe ?? ivf.nprobe, nlist: ivf.nlist)
        case let hnsw as HNSWIndex: tuning = .efSearch(parameters.efSearch ?? hnsw.efSearch)
        default: tuning = nil
        }
        structure = IndexSummary.describe((inner as? IndexDetails)?.details ?? [])
        listSizes = (searched as? IVFIndex)?.listSizes ?? []
        nodesPerLayer = (searched as? HNSWIndex)?.nodesPerLayer ?? []
        coding = IndexSummary.coding(of: inner)
        if let device = inner as? DeviceFlatIndex {
            precision = device.precision
            layout = device.layout
            placement = device.placementDescription
            shards = device.shards.map { Shard(device: $0.device.name, rows: $0.rows, bytes: $0.residentBytes) }
        } else {
            precision = .fp32
            layout = .single
            placement = (inner as? FlatRows)?.placementDescription ?? "host RAM"
            shards = [Shard(device: MemoryLedger.hostDevice, rows: 0..<index.count,
                            bytes: inner.memoryUsage.reduce(0) { $0 + $1.bytes })]
        }
    }

    /// `IndexDetails` in one line, the search knob left out (the pane shows it on its own line):
    /// "nlist 1024 · lists 12–310, mean 97.7 · code 32 B · PQ 32×8 bits".
    static func describe(_ details: [(name: String, value: JSONValue)]) -> String {
        var values: [String: JSONValue] = [:]
        for detail in details { values[detail.name] = detail.value }
        func int(_ name: String) -> Int? { if case let .int(v)? = values[name] { return Int(v) } else { return nil } }
        func text(_ name: String) -> String? { if case let .string(v)? = values[name] { return v } else { return nil } }
        var parts: [String] = []
        if let nlist = int("nlist") {
            parts.append("nlist \(ViewFormat.count(nlist))")
            if let low = int("list_size_min"), let high = int("list_size_max"), case let .double(mean)? = values["list_size_mean"] {
                parts.append("lists \(ViewFormat.count(low))–\(ViewFormat.count(high)), mean \(String(format: "%.1f", mean))")
            }
            if let empty = int("empty_lists"), empty > 0 { parts.append("\(ViewFormat.count(empty)) empty") }
        }
        if let m = int("pq_m"), let bits = int("pq_nbits") { parts.append("PQ \(m)×\(bits) bits") }
        if let sq = text("sq_type") { parts.append(sq) }
        if let refine = text("refine_index"), case let .double(factor)? = values["k_factor"] {
            parts.append("refined by \(refine) × k_factor \(factor.formatted(.number))")
        }
        if let code = int("code_size") { parts.append("code \(code) B") }
        if let m = int("M") {
            parts.append("M \(m)")
            if let top = int("max_level") { parts.append("levels \(top + 1)") }
            if let ef = int("efConstruction") { parts.append("efConstruction \(ef)") }
        }
        return parts.joined(separator: " · ")
    }

    /// How `index` codes its vectors (the precision of flat ones is filled in by `init`).
    static func coding(of index: any VectorIndex) -> String {
        func quantizer(_ sq: ScalarQuantizer) -> String { "scalar codes, \(sq.codeSize) B each (\(sq.type))" }
        func product(_ pq: ProductQuantizer) -> String { "PQ codes, \(pq.m) × \(pq.nbits) bits" }
        switch index {
        case let device as DeviceFlatIndex: return "\(device.precision)"
        case let ivf as IVFIndex:
            switch ivf.encoding {
            case .flat: return "fp32"
            case let .scalarQuantizer(sq): return quantizer(sq) + (ivf.byResidual ? " of residuals" : "")
            case let .productQuantizer(pq): return product(pq) + (ivf.byResidual ? " of residuals" : "")
            }
        case let sq as ScalarQuantizerIndex: return quantizer(sq.quantizer)
        case let pq as PQIndex: return product(pq.pq)
        case is HNSWIndex: return "fp32, with a graph"
        case let refine as RefineIndex: return "\(coding(of: refine.base)), re-ranked by \(coding(of: refine.refine))"
        default: return "fp32"
        }
    }

    /// What the placement planner needs to know.
    var shape: IndexShape {
        IndexShape(className: className, rows: count, dimension: dimension, hasIDs: hasIDs)
    }

    /// Whether the vectors are in host memory.
    var isOnHost: Bool { shards.allSatisfy { $0.device == MemoryLedger.hostDevice } }

    /// "nprobe 8 of 1,024 lists", "efSearch 16", or nil for exact indexes.
    var tuningSummary: String? {
        switch tuning {
        case let .nprobe(nprobe, nlist)?: return "nprobe \(nprobe) of \(ViewFormat.count(nlist)) lists"
        case let .efSearch(ef)?: return "efSearch \(ef)"
        case nil: return nil
        }
    }

    /// The knob's name: "nprobe" or "efSearch" (empty for exact indexes).
    var tuningName: String {
        switch tuning {
        case .nprobe?: return "nprobe"
        case .efSearch?: return "efSearch"
        case nil: return ""
        }
    }

    /// "fp32 on cpu", "fp16 sharded over cl0, cl1": where the vectors are, briefly.
    var placementSummary: String {
        let names = shards.map(\.device).joined(separator: ", ")
        switch layout {
        case .single: return "\(precision) on \(names)"
        case .shard: return "\(precision) sharded over \(names)"
        case .replicate: return "\(precision) replicated on \(names)"
        }
    }
}


/// The search-time knob of an approximate index.
enum SearchTuning: Equatable, Sendable {
    /// IVF: lists scanned per query, of `nlist`.
    case nprobe(Int, nlist: Int)
    /// HNSW: the candidate list size.
    case efSearch(Int)
}
