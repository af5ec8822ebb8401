// Element-wise kernels of the sentence encoder's forward pass: exact-erf GELU, the softmax's
// exponential and LayerNorm, in AVX2+FMA and portable versions (the caller picks by
// `CPUFeatures.simd`). The erf and exp are the float32 rational/polynomial forms used by
// Eigen/XLA and Cephes: within a few ulp of libm, far below the encoder's tolerance.
#ifndef VECTUI_KERNELS_ENCODER_H
#define VECTUI_KERNELS_ENCODER_H

#include <math.h>

/// A spin-wait hint (x86 PAUSE): lets the sibling hyperthread run and saves power while a
/// worker waits a few microseconds for the next step.
static inline void vectui_cpu_relax(void) {
#if defined(__x86_64__)
    __builtin_ia32_pause();
#endif
}

/// erf(x) for float32: Eigen's rational approximation on [-4, 4] (±1 beyond).
static inline float vectui_erf(float a) {
    float x = a < -4.f ? -4.f : (a > 4.f ? 4.f : a);
    float x2 = x * x;
    float p = x2 * -2.72614225801306e-10f + 2.77068142495902e-08f;
    p = x2 * p + -2.10102402082508e-06f;
    p = x2 * p + -5.69250639462346e-05f;
    p = x2 * p + -7.34990630326855e-04f;
    p = x2 * p + -2.95459980854025e-03f;
    p = x2 * p + -1.60960333262415e-02f;
    p = x * p;
    float q = x2 * -1.45660718464996e-05f + -2.13374055278905e-04f;
    q = x2 * q + -1.68282697438203e-03f;
    q = x2 * q + -7.37332916720468e-03f;
    q = x2 * q + -1.42647390514189e-02f;
    return p / q;
}

/// x ← x · ½(1 + erf(x/√2)) for n floats (BERT's exact GELU), portable.
static inline void vectui_gelu_portable(float *x, long n) {
    for (long i = 0; i < n; i++) x[i] = 0.5f * x[i] * (1.f + vectui_erf(x[i] * 0.70710678118654752f));
}

/// e^x for float32 (Cephes' expf: x = n·ln2 + r, a degree-6 polynomial in r); 0 below −87.
static inline float vectui_exp(float x) {
    if (x < -87.f) return 0.f;
    if (x > 88.f) x = 88.f;
    float n = floorf(x * 1.44269504088896341f + 0.5f);
    float r = x - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    float z = r * r;
    float y = 1.9875691500e-4f * r + 1.3981999507e-3f;
    y = y * r + 8.3334519073e-3f;
    y = y * r + 4.1665795894e-2f;
    y = y * r + 1.6666665459e-1f;
    y = y * r + 5.0000001201e-1f;
    y = y * z + r + 1.f;
    union { float f; int i; } scale = { .i = ((int)n + 127) << 23 };
    return y * scale.f;
}

/// Softmax of one row of n scores, in place (max subtracted first), portable.
static inline void vectui_softmax_portable(float *x, long n) {
    float max = x[0];
    for (long i = 1; i < n; i++) max = x[i] > max ? x[i] : max;
    float sum = 0.f;
    for (long i = 0; i < n; i++) { x[i] = vectui_exp(x[i] - max); sum += x[i]; }
    float inverse = 1.f / sum;
    for (long i = 0; i < n; i++) x[i] *= inverse;
}

/// LayerNorm of one row: (x − mean)/√(var + eps) · gamma + beta, two passes, portable.
static inline void vectui_layernorm_portable(float *x, long n, const float *gamma, const float *beta, float eps) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    long i = 0;
    for (; i + 4 <= n; i += 4) { s0 += x[i]; s1 += x[i + 1]; s2 += x[i + 2]; s3 += x[i + 3]; }
    for (; i < n; i++) s0 += x[i];
    float mean = (s0 + s1 + s2 + s3) / (float)n;
    float v0 = 0, v1 = 0, v2 = 0, v3 = 0;
    for (i = 0; i + 4 <= n; i += 4) {
        float d0 = x[i] - mean, d1 = x[i + 1] - mean, d2 = x[i + 2] - mean, d3 = x[i + 3] - mean;
        v0 += d0 * d0; v1 += d1 * d1; v2 += d2 * d2; v3 += d3 * d3;
    }
    for (; i < n; i++) { float d = x[i] - mean; v0 += d * d; }
    float inverse = 1.f / sqrtf((v0 + v1 + v2 + v3) / (float)n + eps);
    for (i = 0; i < n; i++) x[i] = (x[i] - mean) * inverse * gamma[i] + beta[i];
}

#if defined(__x86_64__)
#define VECTUI_AVX2 __attribute__((target("avx2,fma")))

VECTUI_AVX2 static inline __m256 vectui_erf8(__m256 a) {
    __m256 x = _mm256_max_ps(_mm256_min_ps(a, _mm256_set1_ps(4.f)), _mm256_set1_ps(-4.f));
    __m256 x2 = _mm256_mul_ps(x, x);
    __m256 p = _mm256_fmadd_ps(x2, _mm256_set1_ps(-2.72614225801306e-10f), _mm256_set1_ps(2.77068142495902e-08f));
    p = _mm256_fmadd_ps(x2, p, _mm256_set1_ps(-2.10102402082508e-06f));
    p = _mm256_fmadd_ps(x2, p, _mm256_set1_ps(-5.69250639462346e-05f));
    p = _mm256_fmadd_ps(x2, p, _mm256_set1_ps(-7.34990630326855e-04f));
    p = _mm256_fmadd_ps(x2, p, _mm256_set1_ps(-2.95459980854025e-03f));
    p = _mm256_fmadd_ps(x2, p, _mm256_set1_ps(-1.60960333262415e-02f));
    p = _mm256_mul_ps(x, p);
    __m256 q = _mm256_fmadd_ps(x2, _mm256_set1_ps(-1.45660718464996e-05f), _mm256_set1_ps(-2.13374055278905e-04f));
    q = _mm256_fmadd_ps(x2, q, _mm256_set1_ps(-1.68282697438203e-03f));
    q = _mm256_fmadd_ps(x2, q, _mm256_set1_ps(-7.37332916720468e-03f));
    q = _mm256_fmadd_ps(x2, q, _mm256_set1_ps(-1.42647390514189e-02f));
    return _mm256_div_ps(p, q);
}

/// `vectui_gelu_portable` with AVX2+FMA, eight floats at a time.
VECTUI_AVX2 static inline void vectui_gelu_avx2(float *x, long n) {
    long i = 0;
    const __m256 half = _mm256_set1_ps(0.5f), one = _mm256_set1_ps(1.f), scale = _mm256_set1_ps(0.70710678118654752f);
    for (; i + 8 <= n; i += 8) {
        __m256 v = _mm256_loadu_ps(x + i);
        __m256 e = vectui_erf8(_mm256_mul_ps(v, scale));
        _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_mul_ps(half, v), _mm256_add_ps(one, e)));
    }
    vectui_gelu_portable(x + i, n - i);
}

VECTUI_AVX2 static inline __m256 vectui_exp8(__m256 x) {
    __m256 tooSmall = _mm256_cmp_ps(x, _mm256_set1_ps(-87.f), _CMP_LT_OQ);
    x = _mm256_min_ps(x, _mm256_set1_ps(88.f));
    __m256 n = _mm256_floor_ps(_mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504088896341f), _mm256_set1_ps(0.5f)));
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 z = _mm256_mul_ps(r, r);
    __m256 y = _mm256_fmadd_ps(_mm256_set1_ps(1.9875691500e-4f), r, _mm256_set1_ps(1.3981999507e-3f));
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(8.3334519073e-3f));
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(4.1665795894e-2f));
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(1.6666665459e-1f));
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(5.0000001201e-1f));
    y = _mm256_add_ps(_mm256_fmadd_ps(y, z, r), _mm256_set1_ps(1.f));
    __m256i bits = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_andnot_ps(tooSmall, _mm256_mul_ps(y, _mm256_castsi256_ps(bits)));
}

VECTUI_AVX2 static inline float vectui_hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/// `vectui_softmax_portable` with AVX2+FMA.
VECTUI_AVX2 static inline void vectui_softmax_avx2(float *x, long n) {
    float max = x[0];
    for (long i = 1; i < n; i++) max = x[i] > max ? x[i] : max;
    __m256 vmax = _mm256_set1_ps(max), vsum = _mm256_setzero_ps();
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 e = vectui_exp8(_mm256_sub_ps(_mm256_loadu_ps(x + i), vmax));
        _mm256_storeu_ps(x + i, e);
        vsum = _mm256_add_ps(vsum, e);
    }
    float sum = vectui_hsum8(vsum);
    for (; i < n; i++) { x[i] = vectui_exp(x[i] - max); sum += x[i]; }
    __m256 inverse = _mm256_set1_ps(1.f / sum);
    for (i = 0; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_loadu_ps(x + i), inverse));
    for (; i < n; i++) x[i] *= 1.f / sum;
}

/// `vectui_layernorm_portable` with AVX2+FMA.
VECTUI_AVX2 static inline void vectui_layernorm_avx2(float *x, long n, const float *gamma, const float *beta, float eps) {
    __m256 s = _mm256_setzero_ps();
    long i = 0;
    for (; i + 8 <= n; i += 8) s = _mm256_add_ps(s, _mm256_loadu_ps(x + i));
    float sum = vectui_hsum8(s);
    for (; i < n; i++) sum += x[i];
    float mean = sum / (float)n;
    __m256 vmean = _mm256_set1_ps(mean), v = _mm256_setzero_ps();
    for (i = 0; i + 8 <= n; i += 8) {
        __m256 d = _mm256_sub_ps(_mm256_loadu_ps(x + i), vmean);
        v = _mm256_fmadd_ps(d, d, v);
    }
    float var = vectui_hsum8(v);
    for (; i < n; i++) { float d = x[i] - mean; var += d * d; }
    float inverse = 1.f / sqrtf(var / (float)n + eps);
    __m256 vinv = _mm256_set1_ps(inverse);
    for (i = 0; i + 8 <= n; i += 8) {
        __m256 y = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(x + i), vmean), vinv);
        _mm256_storeu_ps(x + i, _mm256_fmadd_ps(y, _mm256_loadu_ps(gamma + i), _mm256_loadu_ps(beta + i)));
    }
    for (; i < n; i++) x[i] = (x[i] - mean) * inverse * gamma[i] + beta[i];
}
#undef VECTUI_AVX2

#define VECTUI_AVX512 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx2,fma")))

/// C (m × n, row stride ldc) += A (m × k, stride lda) · W (n × k, stride ldw)ᵀ, for few rows of
/// A (a single query's tokens): W — the layer's weights, read from the mapped file — is streamed
/// once, four rows at a time against four rows of A (16 accumulators), with no packing copy.
/// BLAS packs W on every call, which costs as much as the product itself when A is this small.
VECTUI_AVX512 static inline void vectui_gemm_nt_avx512(const float *a, long m, long lda, const float *w, long n, long ldw,
                                                      long k, float *c, long ldc) {
    long j = 0;
    for (; j + 4 <= n; j += 4) {
        const float *w0 = w + j * ldw, *w1 = w0 + ldw, *w2 = w1 + ldw, *w3 = w2 + ldw;
        long i = 0;
        for (; i + 4 <= m; i += 4) {
            const float *a0 = a + i * lda, *a1 = a0 + lda, *a2 = a1 + lda, *a3 = a2 + lda;
            __m512 c00 = _mm512_setzero_ps(), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00;
            __m512 c20 = c00, c21 = c00, c22 = c00, c23 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00;
            for (long p = 0; p < k; p += 16) {
                __mmask16 mask = k - p >= 16 ? (__mmask16)0xFFFF : vectui_tail_mask(k - p);
                if (i == 0 && j + 8 <= n) {   // the next four weight rows, while these are used
                    _mm_prefetch((const char *)(w3 + ldw + p), _MM_HINT_T0);
                    _mm_prefetch((const char *)(w3 + 2 * ldw + p), _MM_HINT_T0);
                    _mm_prefetch((const char *)(w3 + 3 * ldw + p), _MM_HINT_T0);
                    _mm_prefetch((const char *)(w3 + 4 * ldw + p), _MM_HINT_T0);
                }
                __m512 b0 = _mm512_maskz_loadu_ps(mask, w0 + p), b1 = _mm512_maskz_loadu_ps(mask, w1 + p);
                __m512 b2 = _mm512_maskz_loadu_ps(mask, w2 + p), b3 = _mm512_maskz_loadu_ps(mask, w3 + p);
                __m512 x = _mm512_maskz_loadu_ps(mask, a0 + p);
                c00 = _mm512_fmadd_ps(x, b0, c00); c01 = _mm512_fmadd_ps(x, b1, c01);
                c02 = _mm512_fmadd_ps(x, b2, c02); c03 = _mm512_fmadd_ps(x, b3, c03);
                x = _mm512_maskz_loadu_ps(mask, a1 + p);
                c10 = _mm512_fmadd_ps(x, b0, c10); c11 = _mm512_fmadd_ps(x, b1, c11);
                c12 = _mm512_fmadd_ps(x, b2, c12); c13 = _mm512_fmadd_ps(x, b3, c13);
                x = _mm512_maskz_loadu_ps(mask, a2 + p);
                c20 = _mm512_fmadd_ps(x, b0, c20); c21 = _mm512_fmadd_ps(x, b1, c21);
                c22 = _mm512_fmadd_ps(x, b2, c22); c23 = _mm512_fmadd_ps(x, b3, c23);
                x = _mm512_maskz_loadu_ps(mask, a3 + p);
                c30 = _mm512_fmadd_ps(x, b0, c30); c31 = _mm512_fmadd_ps(x, b1, c31);
                c32 = _mm512_fmadd_ps(x, b2, c32); c33 = _mm512_fmadd_ps(x, b3, c33);
            }
            float sums[4];
            vectui_hsum4x512(c00, c01, c02, c03, sums);
            for (int s = 0; s < 4; s++) c[i * ldc + j + s] += sums[s];
            vectui_hsum4x512(c10, c11, c12, c13, sums);
            for (int s = 0; s < 4; s++) c[(i + 1) * ldc + j + s] += sums[s];
            vectui_hsum4x512(c20, c21, c22, c23, sums);
            for (int s = 0; s < 4; s++) c[(i + 2) * ldc + j + s] += sums[s];
            vectui_hsum4x512(c30, c31, c32, c33, sums);
            for (int s = 0; s < 4; s++) c[(i + 3) * ldc + j + s] += sums[s];
        }
        for (; i < m; i++) {
            float sums[4];
            vectui_ip_batch4_avx512(a + i * lda, w0, w1, w2, w3, k, sums);
            for (int s = 0; s < 4; s++) c[i * ldc + j + s] += sums[s];
        }
    }
    for (; j < n; j++) {
        for (long i = 0; i < m; i++) c[i * ldc + j] += vectui_ip_avx512(a + i * lda, w + j * ldw, k);
    }
}

/// C (m × n, stride ldc) = P (m × k, stride ldp) · V (k × n, stride ldv): attention's weighted
/// sum of value rows for one head (n = the head width), sixteen columns at a time.
VECTUI_AVX512 static inline void vectui_gemm_nn_avx512(const float *p, long m, long ldp, const float *v, long ldv, long k,
                                                      long n, float *c, long ldc) {
    for (long i = 0; i < m; i++) {
        for (long col = 0; col < n; col += 32) {
            __mmask16 m0 = n - col >= 16 ? (__mmask16)0xFFFF : vectui_tail_mask(n - col);
            __mmask16 m1 = n - col >= 32 ? (__mmask16)0xFFFF : (n - col > 16 ? vectui_tail_mask(n - col - 16) : 0);
            __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps();
            for (long j = 0; j < k; j++) {
                __m512 weight = _mm512_set1_ps(p[i * ldp + j]);
                a0 = _mm512_fmadd_ps(weight, _mm512_maskz_loadu_ps(m0, v + j * ldv + col), a0);
                a1 = _mm512_fmadd_ps(weight, _mm512_maskz_loadu_ps(m1, v + j * ldv + col + 16), a1);
            }
            _mm512_mask_storeu_ps(c + i * ldc + col, m0, a0);
            _mm512_mask_storeu_ps(c + i * ldc + col + 16, m1, a1);
        }
    }
}
#undef VECTUI_AVX512
#endif

#endif
