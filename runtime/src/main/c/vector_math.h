/*
 * Vector math shared by the kernels: e^x and the logistic sigmoid for eight floats (AVX2, FMA).
 */
#ifndef FLOWKIT_VECTOR_MATH_H
#define FLOWKIT_VECTOR_MATH_H

#include <immintrin.h>
#include <math.h>

/* Cephes' expf (as Eigen's): e^x = 2^k e^r, |r| <= ln 2 / 2, e^r by a degree-5 polynomial; x clamped to float's range. */
static inline __m256 exp8(__m256 x) {
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-88.3762626647949f)), _mm256_set1_ps(88.3762626647949f));
    __m256 k = _mm256_round_ps(_mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504088896341f), _mm256_set1_ps(0.5f)),
                               _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(k, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(k, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    __m256i two_k = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(k), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(two_k));
}

/*
 * 1 / (1 + e^-u) with the reciprocal by rcp and one Newton step (relative error about 2e-7, against 0.5 ulp for a
 * division, which costs several times as much here); where e^-u is near float's largest value the reciprocal
 * flushes to 0, as the sigmoid's true value (below 1e-38) nearly is.
 */
static inline __m256 sigmoid8(__m256 u) {
    __m256 d = _mm256_add_ps(_mm256_set1_ps(1.0f), exp8(_mm256_sub_ps(_mm256_setzero_ps(), u)));
    __m256 r = _mm256_rcp_ps(d);
    return _mm256_mul_ps(r, _mm256_fnmadd_ps(d, r, _mm256_set1_ps(2.0f)));
}

static inline float sigmoid1(float u) { return 1.0f / (1.0f + expf(-u)); }

#endif
