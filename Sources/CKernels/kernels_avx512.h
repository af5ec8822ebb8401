// AVX-512 (F, BW, DQ, VL) variants of the distance kernels in kernels.h: sixteen lanes, and
// the last d mod 16 components read with a masked load (which never touches the masked-out
// bytes, so rows may end at the edge of a mapping). Called only when `vectui_has_avx512()`.
#ifndef VECTUI_CKERNELS_AVX512_H
#define VECTUI_CKERNELS_AVX512_H

#if defined(__x86_64__)
#include <immintrin.h>

#define VECTUI_AVX512 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx2,fma")))

/// The lanes 0…n−1 (n < 16) of a sixteen-float register.
VECTUI_AVX512 static inline __mmask16 vectui_tail_mask(long n) {
    return (__mmask16)((1u << n) - 1u);
}

/// Σ (x[i] − y[i])² over d floats, any alignment.
VECTUI_AVX512 static inline float vectui_l2_avx512(const float *x, const float *y, long d) {
    __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps();
    long i = 0;
    for (; i + 32 <= d; i += 32) {
        __m512 t0 = _mm512_sub_ps(_mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i));
        __m512 t1 = _mm512_sub_ps(_mm512_loadu_ps(x + i + 16), _mm512_loadu_ps(y + i + 16));
        a0 = _mm512_fmadd_ps(t0, t0, a0);
        a1 = _mm512_fmadd_ps(t1, t1, a1);
    }
    for (; i + 16 <= d; i += 16) {
        __m512 t0 = _mm512_sub_ps(_mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i));
        a0 = _mm512_fmadd_ps(t0, t0, a0);
    }
    if (i < d) {
        __mmask16 m = vectui_tail_mask(d - i);
        __m512 t0 = _mm512_sub_ps(_mm512_maskz_loadu_ps(m, x + i), _mm512_maskz_loadu_ps(m, y + i));
        a1 = _mm512_fmadd_ps(t0, t0, a1);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(a0, a1));
}

/// Σ x[i]·y[i] over d floats, any alignment.
VECTUI_AVX512 static inline float vectui_ip_avx512(const float *x, const float *y, long d) {
    __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps();
    long i = 0;
    for (; i + 32 <= d; i += 32) {
        a0 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i), a0);
        a1 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i + 16), _mm512_loadu_ps(y + i + 16), a1);
    }
    for (; i + 16 <= d; i += 16) {
        a0 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i), a0);
    }
    if (i < d) {
        __mmask16 m = vectui_tail_mask(d - i);
        a1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, x + i), _mm512_maskz_loadu_ps(m, y + i), a1);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(a0, a1));
}

/// out[0…3] = the sums of the lanes of a0…a3 (halves, then two horizontal adds).
VECTUI_AVX512 static inline void vectui_hsum4x512(__m512 a0, __m512 a1, __m512 a2, __m512 a3, float *out) {
    __m256 b0 = _mm256_add_ps(_mm512_castps512_ps256(a0), _mm512_extractf32x8_ps(a0, 1));
    __m256 b1 = _mm256_add_ps(_mm512_castps512_ps256(a1), _mm512_extractf32x8_ps(a1, 1));
    __m256 b2 = _mm256_add_ps(_mm512_castps512_ps256(a2), _mm512_extractf32x8_ps(a2, 1));
    __m256 b3 = _mm256_add_ps(_mm512_castps512_ps256(a3), _mm512_extractf32x8_ps(a3, 1));
    __m256 h = _mm256_hadd_ps(_mm256_hadd_ps(b0, b1), _mm256_hadd_ps(b2, b3));
    _mm_storeu_ps(out, _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1)));
}

/// Squared L2 from x to four rows at once; out[0…3].
VECTUI_AVX512 static inline void vectui_l2_batch4_avx512(
        const float *x, const float *y0, const float *y1, const float *y2, const float *y3, long d, float *out) {
    __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps(), a2 = _mm512_setzero_ps(), a3 = _mm512_setzero_ps();
    long i = 0;
    for (; i < d; i += 16) {
        __mmask16 m = d - i >= 16 ? (__mmask16)0xFFFF : vectui_tail_mask(d - i);
        __m512 q = _mm512_maskz_loadu_ps(m, x + i);
        __m512 t0 = _mm512_sub_ps(q, _mm512_maskz_loadu_ps(m, y0 + i));
        __m512 t1 = _mm512_sub_ps(q, _mm512_maskz_loadu_ps(m, y1 + i));
        __m512 t2 = _mm512_sub_ps(q, _mm512_maskz_loadu_ps(m, y2 + i));
        __m512 t3 = _mm512_sub_ps(q, _mm512_maskz_loadu_ps(m, y3 + i));
        a0 = _mm512_fmadd_ps(t0, t0, a0);
        a1 = _mm512_fmadd_ps(t1, t1, a1);
        a2 = _mm512_fmadd_ps(t2, t2, a2);
        a3 = _mm512_fmadd_ps(t3, t3, a3);
    }
    vectui_hsum4x512(a0, a1, a2, a3, out);
}

/// Inner products of x with four rows at once; out[0…3].
VECTUI_AVX512 static inline void vectui_ip_batch4_avx512(
        const float *x, const float *y0, const float *y1, const float *y2, const float *y3, long d, float *out) {
    __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps(), a2 = _mm512_setzero_ps(), a3 = _mm512_setzero_ps();
    long i = 0;
    for (; i < d; i += 16) {
        __mmask16 m = d - i >= 16 ? (__mmask16)0xFFFF : vectui_tail_mask(d - i);
        __m512 q = _mm512_maskz_loadu_ps(m, x + i);
        a0 = _mm512_fmadd_ps(q, _mm512_maskz_loadu_ps(m, y0 + i), a0);
        a1 = _mm512_fmadd_ps(q, _mm512_maskz_loadu_ps(m, y1 + i), a1);
        a2 = _mm512_fmadd_ps(q, _mm512_maskz_loadu_ps(m, y2 + i), a2);
        a3 = _mm512_fmadd_ps(q, _mm512_maskz_loadu_ps(m, y3 + i), a3);
    }
    vectui_hsum4x512(a0, a1, a2, a3, out);
}

/// Scores of one query against `count` rows `stride` bytes apart (inner products, or squared
/// L2 when `l2`), into out[0…count−1]: the flat scan's block. One row after another: a single
/// sequential stream is what the hardware prefetcher follows best (measured: reading four rows
/// side by side ran 2.5 times slower on a 512 MB scan).
VECTUI_AVX512 static inline void vectui_scan_block_avx512(
        const float *q, const char *rows, long stride, long count, long d, int l2, float *out) {
    for (long r = 0; r < count; r++) {
        const float *y = (const float *)(rows + r * stride);
        out[r] = l2 ? vectui_l2_avx512(q, y, d) : vectui_ip_avx512(q, y, d);
    }
}

/// The end of an arg-best scan kept per lane (`best` values, `index` −1 where a lane holds
/// none), without branches: the best value over the lanes (the smallest when `smaller`) into
/// *value, and the first index holding it — the last when `last` — or −1 if no lane holds one.
VECTUI_AVX512 static inline long vectui_best_lane512(__m512 best, __m512i index, int smaller, int last, float *value) {
    float v = smaller ? _mm512_reduce_min_ps(best) : _mm512_reduce_max_ps(best);
    __mmask16 holders = _mm512_cmp_ps_mask(best, _mm512_set1_ps(v), _CMP_EQ_OQ)
                      & _mm512_cmpge_epi32_mask(index, _mm512_setzero_si512());
    *value = v;
    if (!holders) return -1;
    return last ? _mm512_mask_reduce_max_epi32(holders, index) : _mm512_mask_reduce_min_epi32(holders, index);
}

/// Body of `vectui_best_of_table_avx512`, inlined with constant `dim` and `smallest`.
/// Sixteen centroids a step; when `stride` is an odd multiple of 8 the last step masks the
/// upper eight lanes.
__attribute__((always_inline)) VECTUI_AVX512 static inline long vectui_best_of_table_body512(
        const float *x, const float *t, long dim, long stride, int smallest, float *score) {
    const float *bias = t + dim * stride;
    __m512 xs[16];
    long held = dim < 16 ? dim : 16;
    for (long j = 0; j < held; j++) xs[j] = _mm512_set1_ps(x[j]);
    __m512 best = _mm512_set1_ps(smallest ? __builtin_inff() : -__builtin_inff());
    __m512i bestIndex = _mm512_set1_epi32(-1);
    __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512i sixteen = _mm512_set1_epi32(16);
    for (long c = 0; c < stride; c += 16) {
        __mmask16 m = stride - c >= 16 ? (__mmask16)0xFFFF : vectui_tail_mask(stride - c);
        __m512 acc = _mm512_maskz_loadu_ps(m, bias + c);
        const float *row = t + c;
        for (long j = 0; j < dim; j++, row += stride) {
            acc = _mm512_fmadd_ps(j < 16 ? xs[j] : _mm512_set1_ps(x[j]), _mm512_maskz_loadu_ps(m, row), acc);
        }
        __mmask16 better = m & (smallest ? _mm512_cmp_ps_mask(acc, best, _CMP_LT_OQ)
                                         : _mm512_cmp_ps_mask(acc, best, _CMP_GT_OQ));
        best = _mm512_mask_mov_ps(best, better, acc);
        bestIndex = _mm512_mask_mov_epi32(bestIndex, better, lanes);
        lanes = _mm512_add_epi32(lanes, sixteen);
    }
    return vectui_best_lane512(best, bestIndex, smallest, 0, score);
}

/// `vectui_best_of_table_avx2` with sixteen centroids a step (same contract: `stride` a
/// multiple of 8, the first index on ties).
VECTUI_AVX512 static inline long vectui_best_of_table_avx512(
        const float *x, const float *t, long dim, long stride, int smallest, float *score) {
    if (smallest) {
        switch (dim) {
        case 1: return vectui_best_of_table_body512(x, t, 1, stride, 1, score);
        case 2: return vectui_best_of_table_body512(x, t, 2, stride, 1, score);
        case 4: return vectui_best_of_table_body512(x, t, 4, stride, 1, score);
        case 8: return vectui_best_of_table_body512(x, t, 8, stride, 1, score);
        default: return vectui_best_of_table_body512(x, t, dim, stride, 1, score);
        }
    }
    return vectui_best_of_table_body512(x, t, dim, stride, 0, score);
}

/// fp16 codes (IEEE half, little-endian) to floats, exactly (vcvtph2ps): out[0…d−1].
VECTUI_AVX512 static inline void vectui_decode_fp16_avx512(const void *code, long d, float *out) {
    const unsigned short *h = (const unsigned short *)code;
    long i = 0;
    for (; i + 16 <= d; i += 16) _mm512_storeu_ps(out + i, _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(h + i))));
    if (i < d) {
        __mmask16 m = vectui_tail_mask(d - i);
        _mm512_mask_storeu_ps(out + i, m, _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, h + i)));
    }
}

/// bf16 codes (the high half of a float, little-endian) to floats, exactly: out[0…d−1].
VECTUI_AVX512 static inline void vectui_decode_bf16_avx512(const void *code, long d, float *out) {
    const unsigned short *h = (const unsigned short *)code;
    long i = 0;
    for (; i + 16 <= d; i += 16) {
        __m512i wide = _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)(h + i)));
        _mm512_storeu_ps(out + i, _mm512_castsi512_ps(_mm512_slli_epi32(wide, 16)));
    }
    if (i < d) {
        __mmask16 m = vectui_tail_mask(d - i);
        __m512i wide = _mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(m, h + i));
        _mm512_mask_storeu_ps(out + i, m, _mm512_castsi512_ps(_mm512_slli_epi32(wide, 16)));
    }
}

/// 8-bit codes to vmin + ((c + 0.5) / 255) · vdiff, rounded step by step as FAISS's scalar
/// decoder (no fused multiply-add): out[0…d−1]. `uniform`: one vmin/vdiff for all components.
VECTUI_AVX512 static inline void vectui_decode_sq8_avx512(const unsigned char *code, long d, const float *vmin,
                                                          const float *vdiff, int uniform, float *out) {
    const __m512 half = _mm512_set1_ps(0.5f), levels = _mm512_set1_ps(255.0f);
    for (long i = 0; i < d; i += 16) {
        __mmask16 m = d - i >= 16 ? (__mmask16)0xFFFF : vectui_tail_mask(d - i);
        __m512 c = _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(m, code + i)));
        __m512 lo = uniform ? _mm512_set1_ps(vmin[0]) : _mm512_maskz_loadu_ps(m, vmin + i);
        __m512 diff = uniform ? _mm512_set1_ps(vdiff[0]) : _mm512_maskz_loadu_ps(m, vdiff + i);
        __m512 t = _mm512_div_ps(_mm512_add_ps(c, half), levels);
        _mm512_mask_storeu_ps(out + i, m, _mm512_add_ps(lo, _mm512_mul_ps(t, diff)));
    }
}

/// One sub-quantizer's lookup table from its prepared centroids (`TransposedCentroids`
/// layout: dsub rows of −2c, `stride` wide, a multiple of 8): out[k] = Σ_j (x[j] − c_k[j])²
/// when `l2`, else Σ_j x[j]·c_k[j], for k < ksub; sixteen centroids a step, multiplies and adds
/// rounded one by one exactly as the portable code does.
VECTUI_AVX512 static inline void vectui_pq_table_avx512(const float *x, const float *t, long dsub, long stride,
                                                        long ksub, int l2, float *out) {
    for (long c = 0; c < ksub; c += 16) {
        __mmask16 m = ksub - c >= 16 ? (__mmask16)0xFFFF : vectui_tail_mask(ksub - c);
        __m512 acc = _mm512_setzero_ps();
        const float *row = t + c;
        for (long j = 0; j < dsub; j++, row += stride) {
            __m512 scaled = _mm512_maskz_loadu_ps(m, row);
            __m512 xj = _mm512_set1_ps(x[j]);
            if (l2) {
                __m512 diff = _mm512_add_ps(xj, _mm512_mul_ps(scaled, _mm512_set1_ps(0.5f)));
                acc = _mm512_add_ps(acc, _mm512_mul_ps(diff, diff));
            } else {
                acc = _mm512_add_ps(acc, _mm512_mul_ps(xj, scaled));
            }
        }
        if (!l2) acc = _mm512_mul_ps(acc, _mm512_set1_ps(-0.5f));
        _mm512_mask_storeu_ps(out + c, m, acc);
    }
}

/// out[i] = a[i] + s·b[i] for i < n, one rounding (exact as two roundings when s·b[i] is exact,
/// as for s = −2: IVF-PQ's per-list table from the precomputed one).
VECTUI_AVX512 static inline void vectui_axpy_avx512(const float *a, float s, const float *b, long n, float *out) {
    const __m512 scale = _mm512_set1_ps(s);
    long i = 0;
    for (; i + 16 <= n; i += 16) {
        _mm512_storeu_ps(out + i, _mm512_fmadd_ps(scale, _mm512_loadu_ps(b + i), _mm512_loadu_ps(a + i)));
    }
    if (i < n) {
        __mmask16 m = vectui_tail_mask(n - i);
        _mm512_mask_storeu_ps(out + i, m, _mm512_fmadd_ps(scale, _mm512_maskz_loadu_ps(m, b + i), _mm512_maskz_loadu_ps(m, a + i)));
    }
}

/// FAISS's MinimaxHeap `count_below`: how many of dis[0…k−1] are strictly better than
/// `threshold` (smaller when `smaller`, else larger), sixteen at a time.
VECTUI_AVX512 static inline long vectui_count_better_avx512(const float *dis, long k, float threshold, int smaller) {
    const __m512 t = _mm512_set1_ps(threshold);
    long n = 0;
    for (long i = 0; i < k; i += 16) {
        __mmask16 m = k - i >= 16 ? (__mmask16)0xFFFF : vectui_tail_mask(k - i);
        __m512 v = _mm512_maskz_loadu_ps(m, dis + i);
        __mmask16 better = smaller ? _mm512_mask_cmp_ps_mask(m, v, t, _CMP_LT_OQ) : _mm512_mask_cmp_ps_mask(m, v, t, _CMP_GT_OQ);
        n += __builtin_popcount((unsigned)better);
    }
    return n;
}

/// FAISS's MinimaxHeap `pop_min` search: the index of the best dis[i] whose ids[i] is not −1
/// (smaller is better when `smaller`), the rightmost of equal ones; −1 when none is live.
/// Where NaN scores stop every comparison, the rightmost live entry, as the scalar scan does.
VECTUI_AVX512 static inline long vectui_best_live_avx512(const float *dis, const int *ids, long k, int smaller) {
    __m512 best = _mm512_set1_ps(smaller ? __builtin_inff() : -__builtin_inff());
    __m512i bestIndex = _mm512_set1_epi32(-1);
    __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512i sixteen = _mm512_set1_epi32(16), taken = _mm512_set1_epi32(-1);
    for (long i = 0; i < k; i += 16) {
        __mmask16 m = k - i >= 16 ? (__mmask16)0xFFFF : vectui_tail_mask(k - i);
        __m512 v = _mm512_maskz_loadu_ps(m, dis + i);
        __mmask16 live = _mm512_mask_cmpneq_epi32_mask(m, _mm512_maskz_loadu_epi32(m, ids + i), taken);
        // Not worse than the lane's best so far: a later equal entry takes over (rightmost wins).
        __mmask16 better = smaller ? _mm512_mask_cmp_ps_mask(live, v, best, _CMP_LE_OQ)
                                   : _mm512_mask_cmp_ps_mask(live, v, best, _CMP_GE_OQ);
        best = _mm512_mask_mov_ps(best, better, v);
        bestIndex = _mm512_mask_mov_epi32(bestIndex, better, lanes);
        lanes = _mm512_add_epi32(lanes, sixteen);
    }
    float value;
    long found = vectui_best_lane512(best, bestIndex, smaller, 1, &value);
    if (found >= 0) return found;
    for (long i = k - 1; i >= 0; i--) if (ids[i] != -1) return i;
    return -1;
}

#undef VECTUI_AVX512

#endif  // __x86_64__

#endif
