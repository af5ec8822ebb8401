// Small C helpers for hot loops that Swift cannot express: a cache prefetch hint (Swift has
// no prefetch intrinsic, and clang's _mm_prefetch is a macro) and AVX2+FMA distance kernels
// compiled for that instruction set only (the rest of the program stays baseline x86-64, so
// callers check vectui_has_avx2_fma() once). Static inline: there is nothing to link.
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

/// 1 when the CPU runs AVX2 and FMA (so the kernels below may be called), else 0.
static inline int vectui_has_avx2_fma(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
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

#endif  // __x86_64__

#endif
