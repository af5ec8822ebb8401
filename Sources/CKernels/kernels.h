// Small C helpers for hot loops that Swift cannot express: a cache prefetch hint (Swift has
// no prefetch intrinsic, and clang's _mm_prefetch is a macro) and AVX2+FMA and AVX-512
// distance kernels, each compiled for its instruction set only (the rest of the program stays
// baseline x86-64, so callers choose a level once per process: `CPUFeatures.simd`). Static
// inline: there is nothing to link.
#ifndef VECTUI_CKERNELS_H
#define VECTUI_CKERNELS_H

#if defined(__x86_64__)
#include <immintrin.h>
#endif

/// Asks the CPU to bring the cache line holding `address` into all cache levels (a hint: no
/// fault, no effect on results).
static inline void vectui_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

/// Bit i set where p[i] == a and p[i + 1] == b, for i in 0..<16 (reads p[0...16]): the title
/// filter's candidate positions. Swift's SIMD types have no movemask, and building one from
/// their lanes costs more than the comparison (SSE2, baseline on x86-64).
static inline unsigned vectui_pair_mask16(const unsigned char *p, unsigned char a, unsigned char b) {
#if defined(__x86_64__)
    __m128i first = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)p), _mm_set1_epi8((char)a));
    __m128i second = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + 1)), _mm_set1_epi8((char)b));
    return (unsigned)_mm_movemask_epi8(_mm_and_si128(first, second));
#else
    unsigned mask = 0;
    for (int i = 0; i < 16; i++) mask |= (unsigned)(p[i] == a && p[i + 1] == b) << i;
    return mask;
#endif
}

/// Bit i set where p[i] == a, for i in 0..<16 (reads p[0..<16]); see vectui_pair_mask16.
static inline unsigned vectui_byte_mask16(const unsigned char *p, unsigned char a) {
#if defined(__x86_64__)
    return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)p), _mm_set1_epi8((char)a)));
#else
    unsigned mask = 0;
    for (int i = 0; i < 16; i++) mask |= (unsigned)(p[i] == a) << i;
    return mask;
#endif
}

/// 1 when the CPU runs AVX2 and FMA (so the kernels below may be called), else 0.
static inline int vectui_has_avx2_fma(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}

/// 1 when the CPU and the OS run AVX-512 F, BW, DQ and VL (the ZMM state is saved), else 0.
static inline int vectui_has_avx512(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
        && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
#else
    return 0;
#endif
}

/// 1 when the CPU runs AVX-512 BF16 (bf16 dot products and conversions), else 0.
static inline int vectui_has_avx512_bf16(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512bf16");
#else
    return 0;
#endif
}

#if defined(__x86_64__)

__attribute__((target("avx2,fma"))) static inline float vectui_hsum256(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/// Σ (x[i] − y[i])² over d floats, any alignment.
__attribute__((target("avx2,fma"))) static inline float vectui_l2_avx2(const float *x, const float *y, long d) {
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
    long i = 0;
    for (; i + 16 <= d; i += 16) {
        __m256 t0 = _mm256_sub_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i));
        __m256 t1 = _mm256_sub_ps(_mm256_loadu_ps(x + i + 8), _mm256_loadu_ps(y + i + 8));
        a0 = _mm256_fmadd_ps(t0, t0, a0);
        a1 = _mm256_fmadd_ps(t1, t1, a1);
    }
    for (; i + 8 <= d; i += 8) {
        __m256 t0 = _mm256_sub_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i));
        a0 = _mm256_fmadd_ps(t0, t0, a0);
    }
    float s = vectui_hsum256(_mm256_add_ps(a0, a1));
    for (; i < d; i++) {
        float t = x[i] - y[i];
        s += t * t;
    }
    return s;
}

/// Σ x[i]·y[i] over d floats, any alignment.
__attribute__((target("avx2,fma"))) static inline float vectui_ip_avx2(const float *x, const float *y, long d) {
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
    long i = 0;
    for (; i + 16 <= d; i += 16) {
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), a0);
        a1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8), _mm256_loadu_ps(y + i + 8), a1);
    }
    for (; i + 8 <= d; i += 8) {
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), a0);
    }
    float s = vectui_hsum256(_mm256_add_ps(a0, a1));
    for (; i < d; i++) s += x[i] * y[i];
    return s;
}

/// Squared L2 from x to four rows at once; out[0…3].
__attribute__((target("avx2,fma"))) static inline void vectui_l2_batch4_avx2(
        const float *x, const float *y0, const float *y1, const float *y2, const float *y3, long d, float *out) {
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
    long i = 0;
    for (; i + 8 <= d; i += 8) {
        __m256 q = _mm256_loadu_ps(x + i);
        __m256 t0 = _mm256_sub_ps(q, _mm256_loadu_ps(y0 + i));
        __m256 t1 = _mm256_sub_ps(q, _mm256_loadu_ps(y1 + i));
        __m256 t2 = _mm256_sub_ps(q, _mm256_loadu_ps(y2 + i));
        __m256 t3 = _mm256_sub_ps(q, _mm256_loadu_ps(y3 + i));
        a0 = _mm256_fmadd_ps(t0, t0, a0);
        a1 = _mm256_fmadd_ps(t1, t1, a1);
        a2 = _mm256_fmadd_ps(t2, t2, a2);
        a3 = _mm256_fmadd_ps(t3, t3, a3);
    }
    float s0 = vectui_hsum256(a0), s1 = vectui_hsum256(a1), s2 = vectui_hsum256(a2), s3 = vectui_hsum256(a3);
    for (; i < d; i++) {
        float t0 = x[i] - y0[i], t1 = x[i] - y1[i], t2 = x[i] - y2[i], t3 = x[i] - y3[i];
        s0 += t0 * t0;
        s1 += t1 * t1;
        s2 += t2 * t2;
        s3 += t3 * t3;
    }
    out[0] = s0;
    out[1] = s1;
    out[2] = s2;
    out[3] = s3;
}

/// Inner products of x with four rows at once; out[0…3].
__attribute__((target("avx2,fma"))) static inline void vectui_ip_batch4_avx2(
        const float *x, const float *y0, const float *y1, const float *y2, const float *y3, long d, float *out) {
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
    long i = 0;
    for (; i + 8 <= d; i += 8) {
        __m256 q = _mm256_loadu_ps(x + i);
        a0 = _mm256_fmadd_ps(q, _mm256_loadu_ps(y0 + i), a0);
        a1 = _mm256_fmadd_ps(q, _mm256_loadu_ps(y1 + i), a1);
        a2 = _mm256_fmadd_ps(q, _mm256_loadu_ps(y2 + i), a2);
        a3 = _mm256_fmadd_ps(q, _mm256_loadu_ps(y3 + i), a3);
    }
    float s0 = vectui_hsum256(a0), s1 = vectui_hsum256(a1), s2 = vectui_hsum256(a2), s3 = vectui_hsum256(a3);
    for (; i < d; i++) {
        s0 += x[i] * y0[i];
        s1 += x[i] * y1[i];
        s2 += x[i] * y2[i];
        s3 += x[i] * y3[i];
    }
    out[0] = s0;
    out[1] = s1;
    out[2] = s2;
    out[3] = s3;
}

/// Body of `vectui_best_of_table_avx2`, inlined with constant `dim` and `smallest` so the
/// component loop unrolls and the query's broadcasts stay in registers.
__attribute__((always_inline, target("avx2,fma"))) static inline long vectui_best_of_table_body(
        const float *x, const float *t, long dim, long stride, int smallest, float *score) {
    const float *bias = t + dim * stride;
    __m256 xs[16];
    long held = dim < 16 ? dim : 16;
    for (long j = 0; j < held; j++) xs[j] = _mm256_set1_ps(x[j]);
    __m256 best = _mm256_set1_ps(smallest ? __builtin_inff() : -__builtin_inff());
    __m256 bestIndex = _mm256_castsi256_ps(_mm256_set1_epi32(-1));
    __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i eight = _mm256_set1_epi32(8);
    for (long c = 0; c < stride; c += 8) {
        __m256 acc = _mm256_loadu_ps(bias + c);
        const float *row = t + c;
        for (long j = 0; j < dim; j++, row += stride) {
            acc = _mm256_fmadd_ps(j < 16 ? xs[j] : _mm256_set1_ps(x[j]), _mm256_loadu_ps(row), acc);
        }
        __m256 better = smallest ? _mm256_cmp_ps(acc, best, _CMP_LT_OQ) : _mm256_cmp_ps(acc, best, _CMP_GT_OQ);
        best = _mm256_blendv_ps(best, acc, better);
        bestIndex = _mm256_blendv_ps(bestIndex, _mm256_castsi256_ps(lanes), better);
        lanes = _mm256_add_epi32(lanes, eight);
    }
    // Branch-free: the best value over the lanes (in every lane of t), then the first index
    // holding it (others replaced by INT_MAX before a horizontal minimum).
    __m256 v = smallest ? _mm256_min_ps(best, _mm256_permute2f128_ps(best, best, 1))
                        : _mm256_max_ps(best, _mm256_permute2f128_ps(best, best, 1));
    v = smallest ? _mm256_min_ps(v, _mm256_shuffle_ps(v, v, _MM_SHUFFLE(1, 0, 3, 2)))
                 : _mm256_max_ps(v, _mm256_shuffle_ps(v, v, _MM_SHUFFLE(1, 0, 3, 2)));
    v = smallest ? _mm256_min_ps(v, _mm256_shuffle_ps(v, v, _MM_SHUFFLE(2, 3, 0, 1)))
                 : _mm256_max_ps(v, _mm256_shuffle_ps(v, v, _MM_SHUFFLE(2, 3, 0, 1)));
    __m256i index = _mm256_castps_si256(bestIndex);
    __m256i holders = _mm256_and_si256(_mm256_castps_si256(_mm256_cmp_ps(best, v, _CMP_EQ_OQ)),
                                       _mm256_cmpgt_epi32(index, _mm256_set1_epi32(-1)));
    __m256i m = _mm256_blendv_epi8(_mm256_set1_epi32(0x7fffffff), index, holders);
    m = _mm256_min_epi32(m, _mm256_permute2x128_si256(m, m, 1));
    m = _mm256_min_epi32(m, _mm256_shuffle_epi32(m, _MM_SHUFFLE(1, 0, 3, 2)));
    m = _mm256_min_epi32(m, _mm256_shuffle_epi32(m, _MM_SHUFFLE(2, 3, 0, 1)));
    int found = _mm256_cvtsi256_si32(m);
    *score = _mm256_cvtss_f32(v);
    return found == 0x7fffffff ? -1 : found;
}

/// The best of `stride` (a multiple of 8) scores bias[c] + Σ_j x[j]·t[j·stride + c], where
/// bias = t + dim·stride: the smallest when `smallest` (L2 from a −2c table beside ‖c‖²), else
/// the largest; the first on ties. Returns its index (−1 if none compares) and stores the score.
/// (IVF-PQ and k-means: nearest-centroid search over small sub-vectors, 8 centroids a step.)
__attribute__((target("avx2,fma"))) static inline long vectui_best_of_table_avx2(
        const float *x, const float *t, long dim, long stride, int smallest, float *score) {
    if (smallest) {
        switch (dim) {
        case 1: return vectui_best_of_table_body(x, t, 1, stride, 1, score);
        case 2: return vectui_best_of_table_body(x, t, 2, stride, 1, score);
        case 4: return vectui_best_of_table_body(x, t, 4, stride, 1, score);
        case 8: return vectui_best_of_table_body(x, t, 8, stride, 1, score);
        default: return vectui_best_of_table_body(x, t, dim, stride, 1, score);
        }
    }
    return vectui_best_of_table_body(x, t, dim, stride, 0, score);
}

/// Scores of one query against `count` rows `stride` bytes apart (inner products, or squared
/// L2 when `l2`), into out[0…count−1]: the flat scan's block. One row after another: a single
/// sequential stream is what the hardware prefetcher follows best (measured: reading four rows
/// side by side ran 2.5 times slower on a 512 MB scan).
__attribute__((target("avx2,fma"))) static inline void vectui_scan_block_avx2(
        const float *q, const char *rows, long stride, long count, long d, int l2, float *out) {
    for (long r = 0; r < count; r++) {
        const float *y = (const float *)(rows + r * stride);
        out[r] = l2 ? vectui_l2_avx2(q, y, d) : vectui_ip_avx2(q, y, d);
    }
}

/// fp16 codes (IEEE half, little-endian) to floats, exactly (F16C's vcvtph2ps): out[0…d−1].
__attribute__((target("avx2,fma,f16c"))) static inline void vectui_decode_fp16_avx2(const void *code, long d, float *out) {
    const unsigned short *h = (const unsigned short *)code;
    long i = 0;
    for (; i + 8 <= d; i += 8) _mm256_storeu_ps(out + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(h + i))));
    for (; i < d; i++) _mm_store_ss(out + i, _mm_cvtph_ps(_mm_cvtsi32_si128(h[i])));
}

#endif  // __x86_64__

#include "kernels_avx512.h"
#include "kernels_encoder.h"

#endif
