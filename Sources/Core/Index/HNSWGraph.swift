#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The link structure of an HNSW index, laid out exactly as FAISS's `HNSW` struct
/// (`faiss/impl/HNSW.h`, faiss-format.md §12.2): node i's neighbours on layer l are
/// `neighbors[offsets[i] + cum[l] ..< offsets[i] + cum[l + 1]]`, padded with −1.
///
/// Neighbour ids are always owned (a file's are copied out and validated when read): search
/// follows them without bounds checks, so no other process may change them under it.
final class HNSWGraph {
    /// Probability of a new node's top layer being 0, 1, 2, … (FAISS `assign_probas`).
    var assignProbas: [Double]
    /// Cumulative neighbour slots per layer: [0, 2M, 3M, …] (FAISS `cum_nneighbor_per_level`).
    var cumNeighbors: [Int32]
    /// Per node: its top layer + 1.
    var levels: [Int32]
    /// Per node: where its slots start in `neighbors`; one more entry than nodes.
    var offsets: [Int]
    /// A node on the top layer, or −1 when empty.
    var entryPoint: Int32
    /// The top layer (−1 when empty).
    var maxLevel: Int32
    /// The level generator (FAISS seeds `HNSW::rng` with 12345 when an HNSW is created or read).
    var rng = FaissRandomGenerator(seed: 12345)

    private(set) var neighborCount: Int
    private var owned: UnsafeMutablePointer<Int32>?
    private(set) var ownedCapacity = 0

    /// An empty graph with FAISS's default tables for `m` links per node (2m on layer 0).
    init(m: Int) {
        let (probas, cum) = HNSWGraph.defaultTables(m: m)
        assignProbas = probas
        cumNeighbors = cum
        levels = []
        offsets = [0]
        entryPoint = -1
        maxLevel = -1
        neighborCount = 0
    }

    /// A graph read from a file, taking ownership of its validated neighbour ids (allocated
    /// with room for at least one id).
    init(assignProbas: [Double], cumNeighbors: [Int32], levels: [Int32], offsets: [Int],
         adoptingNeighbors neighbors: UnsafeMutablePointer<Int32>, neighborCount: Int, entryPoint: Int32, maxLevel: Int32) {
        self.assignProbas = assignProbas
        self.cumNeighbors = cumNeighbors
        self.levels = levels
        self.offsets = offsets
        self.entryPoint = entryPoint
        self.maxLevel = maxLevel
        self.neighborCount = neighborCount
        owned = neighbors
        ownedCapacity = max(neighborCount, 1)
    }

    deinit { owned?.deallocate() }

    /// FAISS `set_default_probas(M, 1/ln M)`, reproducing its float rounding: for level
    /// 0, 1, …, p = exp(−level/mult)·(1 − exp(−1/mult)) stored through a float, until p < 1e-9.
    static func defaultTables(m: Int) -> (probas: [Double], cum: [Int32]) {
        let levelMult = Float(1.0 / log(Double(m)))
        var probas = [Double]()
        var cum: [Int32] = [0]
        var total = 0
        var level = 0
        while true {
            let a = Float(-level) / levelMult
            let b = Float(-1) / levelMult
            let p = Float(exp(Double(a)) * (1 - exp(Double(b))))
            if Double(p) < 1e-9 { break }
            probas.append(Double(p))
            total += level == 0 ? 2 * m : m
            cum.append(Int32(total))
            level += 1
        }
        return (probas, cum)
    }

    /// Number of nodes.
    var count: Int { levels.count }

    /// Links per node on the upper layers (FAISS `nb_neighbors(1)`; M is not stored in files).
    var m: Int {
        if cumNeighbors.count > 2 { return Int(cumNeighbors[2] - cumNeighbors[1]) }
        return cumNeighbors.count > 1 ? Int(cumNeighbors[1]) / 2 : 0
    }

    /// Start of the neighbour ids; valid until the next change.
    var neighborBase: UnsafeRawPointer {
        if let owned { return UnsafeRawPointer(owned) }
        return UnsafeRawPointer(bitPattern: 64)!
    }

    /// Writable neighbour ids.
    func mutableNeighbors() -> UnsafeMutablePointer<Int32> {
        reserveNeighbors(neighborCount)
        return owned!
    }

    /// The neighbour ids as raw bytes, for writing.
    var neighborBytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: neighborCount == 0 ? nil : neighborBase, count: neighborCount * 4)
    }

    /// Bytes the neighbour ids take.
    var neighborByteCount: Int { neighborCount * 4 }

    /// Neighbour slots a node gets on average: FAISS draws a node's top layer with
    /// `assignProbas` and gives it every slot up to that layer (2M on layer 0, M above).
    var expectedSlotsPerNode: Double {
        var expected = 0.0
        for (level, probability) in assignProbas.enumerated() where level + 1 < cumNeighbors.count {
            expected += probability * Double(cumNeighbors[level + 1])
        }
        return expected
    }

    /// Makes room for `total` nodes: their levels and offsets, and the neighbour slots they
    /// are expected to take plus a margin (1 % and 4,096 slots; the levels are drawn at random).
    func reserve(nodes total: Int) {
        guard total > count else { return }
        levels.reserveCapacity(total)
        offsets.reserveCapacity(total + 1)
        let expected = Int((Double(total - count) * expectedSlotsPerNode * 1.01).rounded(.up)) + 4096
        reserveNeighbors(neighborCount + expected, exactly: true)
    }

    private func reserveNeighbors(_ wanted: Int, exactly: Bool = false) {
        if owned != nil && wanted <= ownedCapacity { return }
        let capacity = exactly ? wanted : max(wanted, max(ownedCapacity * 3 / 2, 4096))
        let fresh = UnsafeMutablePointer<Int32>.allocate(capacity: max(capacity, 1))
        if neighborCount > 0 {
            UnsafeMutableRawPointer(fresh).copyMemory(from: neighborBase, byteCount: neighborCount * 4)
        }
        owned?.deallocate()
        owned = fresh
        ownedCapacity = capacity
    }

    /// FAISS `random_level`: draws f in [0, 1] and walks down `assign_probas`.
    func randomLevel() -> Int {
        var f = Double(rng.randFloat())
        for level in 0..<assignProbas.count {
            if f < assignProbas[level] { return level }
            f -= assignProbas[level]
        }
        return assignProbas.count - 1
    }

    /// FAISS `prepare_level_tab(n)`: draws the levels of `n` new nodes and appends their
    /// (empty) neighbour slots. Returns the highest new level.
    func prepareLevels(count n: Int) -> Int {
        var localMax = 0
        var newLevels = [Int32]()
        newLevels.reserveCapacity(n)
        var total = offsets.last!
        var newOffsets = [Int]()
        newOffsets.reserveCapacity(n)
        for _ in 0..<n {
            let level = randomLevel()
            newLevels.append(Int32(level + 1))
            localMax = max(localMax, level)
            total += Int(cumNeighbors[level + 1])
            newOffsets.append(total)
        }
        levels.append(contentsOf: newLevels)
        offsets.append(contentsOf: newOffsets)
        let oldCount = neighborCount
        reserveNeighbors(total)
        (owned! + oldCount).initialize(repeating: -1, count: total - oldCount)
        neighborCount = total
        return localMax
    }

    /// What to keep to undo an `add` (levels, slots, entry point, generator state).
    struct Snapshot {
        let nodes: Int
        let neighbors: [Int32]
        let entryPoint: Int32
        let maxLevel: Int32
        let rng: FaissRandomGenerator
    }

    /// The state before an add: copies the neighbour ids of the current nodes.
    func snapshot() -> Snapshot {
        let base = neighborBase
        let copy = [Int32](unsafeUninitializedCapacity: neighborCount) { buffer, initialized in
            if neighborCount > 0 { UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: base, byteCount: neighborCount * 4) }
            initialized = neighborCount
        }
        return Snapshot(nodes: count, neighbors: copy, entryPoint: entryPoint, maxLevel: maxLevel, rng: rng)
    }

    /// Puts back the state `snapshot` recorded.
    func restore(_ snapshot: Snapshot) {
        levels.removeSubrange(snapshot.nodes...)
        offsets.removeSubrange((snapshot.nodes + 1)...)
        neighborCount = snapshot.neighbors.count
        if neighborCount > 0 {
            let target = mutableNeighbors()
            snapshot.neighbors.withUnsafeBytes { UnsafeMutableRawPointer(target).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        }
        entryPoint = snapshot.entryPoint
        maxLevel = snapshot.maxLevel
        rng = snapshot.rng
    }

    /// How many nodes have each top layer (index 0 = layer 0 only).
    var nodesPerLevel: [Int] {
        var histogram = [Int]()
        for level in levels {
            let top = Int(level) - 1
            if top >= histogram.count { histogram += [Int](repeating: 0, count: top + 1 - histogram.count) }
            histogram[top] += 1
        }
        return histogram
    }
}
