/// OpenCL C sources (OpenCL 1.2, no extensions), embedded as strings and built once per device.
/// All arithmetic is fp32; fp16 is a storage format only, read with `vload_half*` and written
/// with `vstore_half_rte` (round to nearest even, as Swift's `Float16(x)`).
enum OpenCLKernels {
    /// Program name of `conversionSource` in the per-device cache.
    static let conversionProgram = "vectui-convert"
    /// Program name of `searchSource` in the per-device cache.
    static let searchProgram = "vectui-search"

    /// fp32 ⇄ fp16 conversion between buffers, at element offsets, one element per work-item.
    static let conversionSource = #"""
    __kernel void f32_to_f16(__global const float* src, ulong srcOffset,
                             __global half* dst, ulong dstOffset, ulong n)
    {
        const size_t i = get_global_id(0);
        if (i >= n) return;
        vstore_half_rte(src[srcOffset + i], dstOffset + i, dst);
    }

    __kernel void f16_to_f32(__global const half* src, ulong srcOffset,
                             __global float* dst, ulong dstOffset, ulong n)
    {
        const size_t i = get_global_id(0);
        if (i >= n) return;
        dst[dstOffset + i] = vload_half(srcOffset + i, src);
    }
    """#

    /// Queries scored per work-item by the `scores_*` kernels; a block of `n` queries uses the
    /// smallest of these that is ≥ n (or the largest), with the query buffer zero-padded to it.
    static let queriesPerItemVariants = [1, 2, 4, 8]

    /// The query-per-item variant for a block of `queryCount` queries.
    static func queriesPerItem(forBlockOf queryCount: Int) -> Int {
        queriesPerItemVariants.first { $0 >= queryCount } ?? queriesPerItemVariants.last!
    }

    /// Name of the scoring kernel for one storage precision, metric and queries-per-item.
    static func scoresKernelName(precision: DevicePrecision, metric: Metric, queriesPerItem: Int) -> String {
        "scores_\(precision.rawValue)_\(metric == .innerProduct ? "ip" : "l2")_q\(queriesPerItem)"
    }

    /// Name of the partitioned top-k kernel.
    static let topKKernelName = "topk_partitions"

    /// The search program: every `scores_*` variant, `mask_scores` and `topk_partitions`.
    static let searchSource: String = {
        var source = searchPrelude
        for precision in [DevicePrecision.fp32, .fp16] {
            for metric in [Metric.innerProduct, .l2] {
                for qpi in queriesPerItemVariants {
                    source += scoresKernel(precision: precision, metric: metric, queriesPerItem: qpi)
                }
            }
        }
        return source + maskSource + topKSource
    }()

    /// Name of the kernel that takes filtered rows out of a tile's scores.
    static let maskKernelName = "mask_scores"

    /// Work-item (r, q): when bit `firstRow + r` of the row bitmap `M` (FAISS's layout, read as
    /// 32-bit words) is clear, query q's score for row r becomes the worst possible (+∞ for L2,
    /// −∞ for inner product), which `topk_partitions` never keeps (it takes keys > −FLT_MAX).
    private static let maskSource = #"""
    __kernel void mask_scores(__global float* S, uint sStride, uint nRows, uint nq,
                              __global const uint* M, ulong firstRow, int l2)
    {
        const uint r = get_global_id(0);
        const uint q = get_global_id(1);
        if (r >= nRows || q >= nq) return;
        const ulong row = firstRow + r;
        if (((M[row >> 5] >> (uint)(row & 31)) & 1u) == 0) S[(size_t)q * sStride + r] = l2 ? INFINITY : -INFINITY;
    }

    """#

    private static let searchPrelude = #"""
    inline float hsum8(const float8 v)
    {
        const float4 a = v.lo + v.hi;
        const float2 b = a.lo + a.hi;
        return b.x + b.y;
    }

    """#

    /// One scoring kernel. Work-item (r, g) scores database row `rowOffset + r` of `X` against
    /// queries `g*QPI ..< g*QPI+QPI` of the (zero-padded) block `Q`, eight dimensions at a time
    /// with one float8 accumulator per query, and writes `S[q * sStride + r]` for real queries.
    /// Inner product: Σ q·x. L2: Σ (q − x)², by direct differences (no norms, no cancellation).
    static func scoresKernel(precision: DevicePrecision, metric: Metric, queriesPerItem qpi: Int) -> String {
        let name = scoresKernelName(precision: precision, metric: metric, queriesPerItem: qpi)
        let storage = precision == .fp32 ? "float" : "half"
        let load8 = precision == .fp32 ? "vload8(0, x + j)" : "vload_half8(0, x + j)"
        let load1 = precision == .fp32 ? "x[j]" : "vload_half(j, x)"
        let queries = 0..<qpi
        var lines = [String]()
        lines.append("__kernel void \(name)(__global const float* Q, uint nq, uint d,")
        lines.append("    __global const \(storage)* X, ulong rowOffset, uint nRows,")
        lines.append("    __global float* S, uint sStride)")
        lines.append("{")
        lines.append("    const uint r = get_global_id(0);")
        lines.append("    const uint q0 = get_global_id(1) * \(qpi);")
        lines.append("    if (r >= nRows) return;")
        lines.append("    __global const \(storage)* x = X + (rowOffset + r) * (ulong)d;")
        lines.append("    __global const float* q = Q + (size_t)q0 * d;")
        for t in queries { lines.append("    float8 acc\(t) = (float8)(0.0f);") }
        lines.append("    uint j = 0;")
        lines.append("    for (; j + 8 <= d; j += 8) {")
        lines.append("        const float8 xv = \(load8);")
        for t in queries {
            let qv = "vload8(0, q + \(t == 0 ? "" : "\(t) * d + ")j)"
            if metric == .innerProduct {
                lines.append("        acc\(t) += xv * \(qv);")
            } else {
                lines.append("        { const float8 df = xv - \(qv); acc\(t) += df * df; }")
            }
        }
        lines.append("    }")
        for t in queries { lines.append("    float s\(t) = hsum8(acc\(t));") }
        lines.append("    for (; j < d; j++) {")
        lines.append("        const float xv = \(load1);")
        for t in queries {
            let qv = "q[\(t == 0 ? "" : "\(t) * d + ")j]"
            if metric == .innerProduct {
                lines.append("        s\(t) += xv * \(qv);")
            } else {
                lines.append("        { const float df = xv - \(qv); s\(t) += df * df; }")
            }
        }
        lines.append("    }")
        for t in queries {
            lines.append("    if (q0 + \(t) < nq) S[(size_t)(q0 + \(t)) * sStride + r] = s\(t);")
        }
        lines.append("}")
        lines.append("")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Per-query, per-partition top-k. Work-item g = q * P + p scans rows
    /// `[nRows*p/P, nRows*(p+1)/P)` of query q's scores, keeps the k best in a min-heap of keys
    /// (score, negated for L2 so that larger is better) stored in its own slice of `outS/outI`,
    /// then heap-sorts the slice best-first and turns keys back into scores. Unused slots keep
    /// id −1. Ids are tile-local rows; the host adds the tile's first global row.
    private static let topKSource = #"""
    inline void vt_sift_down(__global float* hk, __global int* hi, const uint n, const float key, const int id)
    {
        uint i = 0;
        for (;;) {
            const uint l = 2 * i + 1;
            if (l >= n) break;
            uint c = l;
            if (l + 1 < n && hk[l + 1] < hk[l]) c = l + 1;
            if (key <= hk[c]) break;
            hk[i] = hk[c];
            hi[i] = hi[c];
            i = c;
        }
        hk[i] = key;
        hi[i] = id;
    }

    __kernel void topk_partitions(__global const float* S, uint sStride, uint nRows, uint nq,
                                  uint P, uint k, int negate,
                                  __global float* outS, __global int* outI)
    {
        const size_t g = get_global_id(0);
        if (g >= (size_t)nq * P) return;
        const uint q = (uint)(g / P);
        const uint p = (uint)(g % P);
        const uint start = (uint)(((ulong)nRows * p) / P);
        const uint end = (uint)(((ulong)nRows * (p + 1)) / P);
        __global const float* s = S + (size_t)q * sStride;
        __global float* hk = outS + g * k;
        __global int* hi = outI + g * k;
        const float sign = negate ? -1.0f : 1.0f;
        for (uint i = 0; i < k; i++) { hk[i] = -FLT_MAX; hi[i] = -1; }
        float top = -FLT_MAX;
        for (uint r = start; r < end; r++) {
            const float key = sign * s[r];
            if (key > top) {
                vt_sift_down(hk, hi, k, key, (int)r);
                top = hk[0];
            }
        }
        for (uint n = k; n > 1; n--) {
            const float lastKey = hk[n - 1];
            const int lastId = hi[n - 1];
            hk[n - 1] = hk[0];
            hi[n - 1] = hi[0];
            vt_sift_down(hk, hi, n - 1, lastKey, lastId);
        }
        if (negate) {
            for (uint i = 0; i < k; i++) { if (hi[i] >= 0) hk[i] = -hk[i]; }
        }
    }
    """#
}
