/// FAISS's `std::mt19937`-based `RandomGenerator` (`faiss/utils/random.cpp`, 1.15.1): the same
/// seed gives the same numbers, so HNSW levels and insertion orders, k-means samples,
/// initial centroids and empty-cluster splits match FAISS's.
struct FaissRandomGenerator {
    private var state: [UInt32]
    private var index: Int

    /// `RandomGenerator(seed)`: MT19937 seeded with `(unsigned) seed`.
    init(seed: Int64) {
        var state = [UInt32](repeating: 0, count: 624)
        state[0] = UInt32(truncatingIfNeeded: seed)
        for i in 1..<624 {
            let previous = state[i - 1]
            state[i] = 1_812_433_253 &* (previous ^ (previous >> 30)) &+ UInt32(i)
        }
        self.state = state
        index = 624
    }

    /// The next raw 32-bit output (`mt()`).
    mutating func next() -> UInt32 {
        if index >= 624 { twist() }
        var y = state[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9d2c_5680
        y ^= (y << 15) & 0xefc6_0000
        y ^= y >> 18
        return y
    }

    private mutating func twist() {
        for i in 0..<624 {
            let y = (state[i] & 0x8000_0000) | (state[(i + 1) % 624] & 0x7fff_ffff)
            var value = state[(i + 397) % 624] ^ (y >> 1)
            if y & 1 != 0 { value ^= 0x9908_b0df }
            state[i] = value
        }
        index = 0
    }

    /// `rand_float()`: `mt() / float(mt.max())`, in float arithmetic.
    mutating func randFloat() -> Float {
        Float(next()) / Float(UInt32.max)
    }

    /// `rand_int(max)`: `mt() % max` (FAISS 1.15.1).
    mutating func randInt(_ max: Int) -> Int {
        Int(UInt64(next()) % UInt64(max))
    }
}
