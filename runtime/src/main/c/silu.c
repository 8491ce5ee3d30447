/*
 * SiLU and its derivative over arrays. Where the CPU has AVX-512 (AMD Zen 4 here), sixteen values per instruction
 * with the exponent applied by vscalefps and the last values by a masked load and store: 0.20 against 0.26 ns per
 * value for the AVX2 version on one core of the bench machine (and 0.42 for Cephes' exp with rcp + Newton before).
 */
#include <immintrin.h>

#include "vector_math.h"

#define AVX512 __attribute__((target("avx512f")))

/* e^-u by the polynomial of vector_math.h and vscalefps, u clamped to +-87 as in the AVX2 version (also for u = inf). */
AVX512 static inline __m512 exp_neg16(__m512 u) {
    u = _mm512_min_ps(_mm512_max_ps(u, _mm512_set1_ps(-87.0f)), _mm512_set1_ps(87.0f));
    __m512 k = _mm512_roundscale_ps(_mm512_mul_ps(u, _mm512_set1_ps(NEG_LOG2E)), ROUND_NEAREST);
    __m512 f = _mm512_fmsub_ps(u, _mm512_set1_ps(NEG_LOG2E), k), p;
    EXP2_POLY(_mm512_fmadd_ps, _mm512_mul_ps, _mm512_set1_ps, f, p);
    return _mm512_scalef_ps(p, k);
}

AVX512 static void silu_avx512(const float *z, float *y, int64_t count) {
    for (int64_t i = 0; i < count; i += 16) {
        __mmask16 m = count - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (count - i)) - 1);
        __m512 x = _mm512_maskz_loadu_ps(m, z + i);
        _mm512_mask_storeu_ps(y + i, m, _mm512_div_ps(x, _mm512_add_ps(_mm512_set1_ps(1.0f), exp_neg16(x))));
    }
}

AVX512 static void silu_grad_avx512(const float *dy, const float *z, float *dz, int64_t count) {
    const __m512 one = _mm512_set1_ps(1.0f);
    for (int64_t i = 0; i < count; i += 16) {
        __mmask16 m = count - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (count - i)) - 1);
        __m512 v = _mm512_maskz_loadu_ps(m, z + i);
        __m512 s = _mm512_div_ps(one, _mm512_add_ps(one, exp_neg16(v)));
        __m512 d = _mm512_mul_ps(s, _mm512_fmadd_ps(v, _mm512_sub_ps(one, s), one));
        _mm512_mask_storeu_ps(dz + i, m, _mm512_mul_ps(_mm512_maskz_loadu_ps(m, dy + i), d));
    }
}

static int has_avx512(void) {
    static int known = -1;
    if (known < 0) known = __builtin_cpu_supports("avx512f") ? 1 : 0;
    return known;
}

void silu_array(const float *z, float *y, int64_t count) {
    if (has_avx512()) { silu_avx512(z, y, count); return; }
    int64_t i = 0;
    for (; i + 8 <= count; i += 8) _mm256_storeu_ps(y + i, silu8(_mm256_loadu_ps(z + i)));
    for (; i < count; i++) y[i] = z[i] * sigmoid1(z[i]);
}

void silu_grad_array(const float *dy, const float *z, float *dz, int64_t count) {
    if (has_avx512()) { silu_grad_avx512(dy, z, dz, count); return; }
    int64_t i = 0;
    for (; i + 8 <= count; i += 8) _mm256_storeu_ps(dz + i, _mm256_mul_ps(_mm256_loadu_ps(dy + i), silu_derivative8(_mm256_loadu_ps(z + i))));
    for (; i < count; i++) {
        float s = sigmoid1(z[i]);
        dz[i] = dy[i] * s * (1.0f + z[i] * (1.0f - s));
    }
}
