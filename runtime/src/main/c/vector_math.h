/*
 * Vector math shared by the kernels: e^-u, the logistic sigmoid and SiLU for eight floats (AVX2, FMA), and SiLU and
 * its derivative over arrays, by sixteen floats where the CPU has AVX-512 (silu.c).
 */
#ifndef FLOWKIT_VECTOR_MATH_H
#define FLOWKIT_VECTOR_MATH_H

#include <immintrin.h>
#include <math.h>
#include <stdint.h>

/* Lanes 0 .. count - 1 set (none for count <= 0, all for count >= 8): masked loads and stores of a row's last columns. */
static inline __m256i lane_mask(int64_t count) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)count), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/*
 * 2^f for |f| <= 1/2: a degree-5 fit in relative error (2.6e-7), in Estrin's form, whose chain of dependent
 * operations is half Horner's: these kernels are bound by that latency, not by the FMA units. The macro takes the
 * vector type's fmadd and mul, so the AVX2 and AVX-512 versions are one text.
 */
#define EXP2_POLY(fmadd, mul, set1, f, out)                                                                             \
    do {                                                                                                                \
        __typeof__(f) f2_ = mul(f, f);                                                                                  \
        __typeof__(f) p01_ = fmadd(f, set1(6.9314647330e-01f), set1(1.0000000374e+00f));                                \
        __typeof__(f) p23_ = fmadd(f, set1(5.5516887084e-02f), set1(2.4022265133e-01f));                                \
        __typeof__(f) p45_ = fmadd(f, set1(1.2915670074e-03f), set1(9.6685308783e-03f));                                \
        (out) = fmadd(fmadd(f2_, p45_, p23_), f2_, p01_);                                                               \
    } while (0)

/* -log2(e) rounded to float, and its round-to-nearest-integer mode. */
#define NEG_LOG2E (-1.44269504f)
#define ROUND_NEAREST (_MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)

/*
 * e^-u = 2^k 2^f with k = round(-u log2 e) and f = -u log2 e - k from one FMA (the product is not rounded first,
 * which would cost up to 1e-6 relative at |u| ~ 20); u is clamped to +-87 so that 2^k stays a normal float. Relative
 * error about 6e-7 for |u| < 20.
 */
static inline __m256 exp_neg8(__m256 u) {
    u = _mm256_min_ps(_mm256_max_ps(u, _mm256_set1_ps(-87.0f)), _mm256_set1_ps(87.0f));
    __m256 k = _mm256_round_ps(_mm256_mul_ps(u, _mm256_set1_ps(NEG_LOG2E)), ROUND_NEAREST);
    __m256 f = _mm256_fmsub_ps(u, _mm256_set1_ps(NEG_LOG2E), k), p;
    EXP2_POLY(_mm256_fmadd_ps, _mm256_mul_ps, _mm256_set1_ps, f, p);
    __m256i two_k = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(k), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(two_k));
}

/* 1 / (1 + e^-u). One division: shorter a chain than rcp and a Newton step, and exact to 0.5 ulp. */
static inline __m256 sigmoid8(__m256 u) {
    return _mm256_div_ps(_mm256_set1_ps(1.0f), _mm256_add_ps(_mm256_set1_ps(1.0f), exp_neg8(u)));
}

/* x sigma(x) = x / (1 + e^-x). */
static inline __m256 silu8(__m256 x) {
    return _mm256_div_ps(x, _mm256_add_ps(_mm256_set1_ps(1.0f), exp_neg8(x)));
}

/* silu'(z) = sigma(z) (1 + z (1 - sigma(z))). */
static inline __m256 silu_derivative8(__m256 z) {
    __m256 one = _mm256_set1_ps(1.0f), s = sigmoid8(z);
    return _mm256_mul_ps(s, _mm256_fmadd_ps(z, _mm256_sub_ps(one, s), one));
}

static inline float sigmoid1(float u) { return 1.0f / (1.0f + expf(-u)); }

/* y = silu(z) over count values (y may be z). */
void silu_array(const float *z, float *y, int64_t count);

/* dz = dy silu'(z) over count values (dz may be dy). */
void silu_grad_array(const float *dy, const float *z, float *dz, int64_t count);

#endif
