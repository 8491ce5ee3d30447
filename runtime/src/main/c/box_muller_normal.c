/*
 * FlowkitBoxMullerNormal: the Box–Muller normals of RandomKey.normalByBoxMuller in one CPU kernel.
 *
 * The composition of TensorFlow ops draws two Philox uniform tensors and runs log, sqrt, cos, sin, products, a concat
 * and a slice over them, each a pass over memory (about 6 ns per value on this machine, most of a Langevin step).
 * This kernel computes the same numbers in one pass (about 1.5 ns per value): Philox4x32-10 for both streams, eight
 * counters each at a time with AVX2, Cephes' log (TensorFlow's own, through Eigen) and sin and cos of the angle as a
 * fraction of a turn, whose range reduction is exact. The uniforms are bit for bit TensorFlow's (same key, counter
 * and word order); the normals agree with the composition's to about 1e-6 relative (float rounding).
 * It runs on the calling thread: Flowkit splits large batches into row blocks, one per core (graph/RowBlocks).
 *
 * Inputs: shape (int32 [rank], the output's shape [rows, ...]), key1 (uint64 [1]) and counter1 (uint64 [2]) of the u1
 * stream, key2 and counter2 of the u2 stream, as StatelessRandomGetKeyCounter gives them for a [rows, h] draw with
 * h = ceil(values per row / 2). Attr scale: the normals' standard deviation. Per row, pair j (flat index row h + j):
 * r = sqrt(-2 scale^2 ln(1 - U1)), theta = 2 pi U2; out[row, j] = r cos theta, out[row, h + j] = r sin theta.
 */
#include <immintrin.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tf_kernel_api.h"

/* ---------------------------------------------------------------- Philox4x32-10, as TensorFlow's PhiloxRandom */

typedef struct { uint32_t c[4]; } Counter;

static inline Counter counter_plus(Counter c, uint64_t n) {
    uint64_t low = ((uint64_t)c.c[1] << 32 | c.c[0]);
    uint64_t high = ((uint64_t)c.c[3] << 32 | c.c[2]);
    uint64_t moved = low + n;
    high += moved < low;
    Counter r = {{(uint32_t)moved, (uint32_t)(moved >> 32), (uint32_t)high, (uint32_t)(high >> 32)}};
    return r;
}

/* 32 x 32 -> 64 products of the 8 lanes of a with m: low and high words, lane by lane. */
static inline void mul_wide(__m256i a, __m256i m, __m256i *lo, __m256i *hi) {
    __m256i even = _mm256_mul_epu32(a, m);
    __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), m);
    *lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
    *hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
}

/* The counters start, start + 1, ..., start + 7 as four vectors of words (lane i: call i). */
static inline void counters8(Counter start, __m256i c[4]) {
    if (start.c[0] <= 0xFFFFFFF8u) { /* no carry out of the low word: the usual case */
        c[0] = _mm256_add_epi32(_mm256_set1_epi32((int)start.c[0]), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        for (int w = 1; w < 4; w++) c[w] = _mm256_set1_epi32((int)start.c[w]);
        return;
    }
    uint32_t lanes[4][8];
    for (int i = 0; i < 8; i++) {
        Counter one = counter_plus(start, (uint64_t)i);
        for (int w = 0; w < 4; w++) lanes[w][i] = one.c[w];
    }
    for (int w = 0; w < 4; w++) c[w] = _mm256_loadu_si256((const __m256i *)lanes[w]);
}

/*
 * Eight Philox calls of each of two streams (a and b) at once, the two interleaved so that one's multiplies run while
 * the other's wait: words[w] holds word w of each call.
 */
static inline void philox8x2(Counter start_a, const uint32_t key_a[2], Counter start_b, const uint32_t key_b[2],
                             __m256i a[4], __m256i b[4]) {
    counters8(start_a, a);
    counters8(start_b, b);
    const __m256i ma = _mm256_set1_epi32((int)0xD2511F53u), mb = _mm256_set1_epi32((int)0xCD9E8D57u);
    const __m256i wa = _mm256_set1_epi32((int)0x9E3779B9u), wb = _mm256_set1_epi32((int)0xBB67AE85u);
    __m256i ka0 = _mm256_set1_epi32((int)key_a[0]), ka1 = _mm256_set1_epi32((int)key_a[1]);
    __m256i kb0 = _mm256_set1_epi32((int)key_b[0]), kb1 = _mm256_set1_epi32((int)key_b[1]);
    for (int round = 0; round < 10; round++) {
        __m256i alo0, ahi0, alo1, ahi1, blo0, bhi0, blo1, bhi1;
        mul_wide(a[0], ma, &alo0, &ahi0);
        mul_wide(b[0], ma, &blo0, &bhi0);
        mul_wide(a[2], mb, &alo1, &ahi1);
        mul_wide(b[2], mb, &blo1, &bhi1);
        a[0] = _mm256_xor_si256(_mm256_xor_si256(ahi1, a[1]), ka0);
        b[0] = _mm256_xor_si256(_mm256_xor_si256(bhi1, b[1]), kb0);
        a[2] = _mm256_xor_si256(_mm256_xor_si256(ahi0, a[3]), ka1);
        b[2] = _mm256_xor_si256(_mm256_xor_si256(bhi0, b[3]), kb1);
        a[1] = alo1; a[3] = alo0;
        b[1] = blo1; b[3] = blo0;
        ka0 = _mm256_add_epi32(ka0, wa); ka1 = _mm256_add_epi32(ka1, wb);
        kb0 = _mm256_add_epi32(kb0, wa); kb1 = _mm256_add_epi32(kb1, wb);
    }
}

/* TensorFlow's uint32 -> float in [0, 1): 23 random mantissa bits under the exponent of 1, minus 1. */
static inline __m256 unit_float(__m256i bits) {
    __m256i f = _mm256_or_si256(_mm256_and_si256(bits, _mm256_set1_epi32(0x7fffff)), _mm256_set1_epi32(0x3f800000));
    return _mm256_sub_ps(_mm256_castsi256_ps(f), _mm256_set1_ps(1.0f));
}

/* Eight Philox calls' words (lane i of word w: value 4 i + w) as 32 uniforms in index order. */
static inline void store_uniforms(const __m256i w[4], float out[32]) {
    __m256i t0 = _mm256_unpacklo_epi32(w[0], w[1]); /* calls 0,1 | 4,5: words 0 1 */
    __m256i t1 = _mm256_unpackhi_epi32(w[0], w[1]); /* calls 2,3 | 6,7: words 0 1 */
    __m256i t2 = _mm256_unpacklo_epi32(w[2], w[3]);
    __m256i t3 = _mm256_unpackhi_epi32(w[2], w[3]);
    __m256i a = _mm256_unpacklo_epi64(t0, t2);      /* call 0 | call 4 */
    __m256i b = _mm256_unpackhi_epi64(t0, t2);      /* call 1 | call 5 */
    __m256i c = _mm256_unpacklo_epi64(t1, t3);      /* call 2 | call 6 */
    __m256i d = _mm256_unpackhi_epi64(t1, t3);      /* call 3 | call 7 */
    _mm256_storeu_ps(out + 0, unit_float(_mm256_permute2x128_si256(a, b, 0x20)));  /* calls 0, 1 */
    _mm256_storeu_ps(out + 8, unit_float(_mm256_permute2x128_si256(c, d, 0x20)));  /* calls 2, 3 */
    _mm256_storeu_ps(out + 16, unit_float(_mm256_permute2x128_si256(a, b, 0x31))); /* calls 4, 5 */
    _mm256_storeu_ps(out + 24, unit_float(_mm256_permute2x128_si256(c, d, 0x31))); /* calls 6, 7 */
}

/* 32 consecutive uniforms of each of two streams, from the calls at counters start_a and start_b on. */
static inline void uniforms32x2(Counter start_a, const uint32_t key_a[2], Counter start_b, const uint32_t key_b[2],
                                float out_a[32], float out_b[32]) {
    __m256i a[4], b[4];
    philox8x2(start_a, key_a, start_b, key_b, a, b);
    store_uniforms(a, out_a);
    store_uniforms(b, out_b);
}

/* ---------------------------------------------------------------- sin and cos of 2 pi u for u in [0, 1) */

/*
 * With the angle given as a fraction u of a turn, the range reduction is exact: q = round(4 u) quarter turns and
 * r = u - q / 4 in [-1/8, 1/8], so x = 2 pi r is within pi / 4, where Taylor polynomials to x^9 (sin) and x^10 (cos)
 * are within 2e-9 of the functions, below float rounding. Then sin and cos of q pi / 2 + x by the quadrant.
 */
static inline void sincos_turns(__m256 u, __m256 *sine, __m256 *cosine) {
    __m256 q = _mm256_round_ps(_mm256_mul_ps(u, _mm256_set1_ps(4.0f)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 x = _mm256_mul_ps(_mm256_fnmadd_ps(q, _mm256_set1_ps(0.25f), u), _mm256_set1_ps((float)(2 * M_PI)));
    __m256 x2 = _mm256_mul_ps(x, x);
    __m256 s = _mm256_set1_ps((float)(1.0 / 362880));
    s = _mm256_fmadd_ps(s, x2, _mm256_set1_ps((float)(-1.0 / 5040)));
    s = _mm256_fmadd_ps(s, x2, _mm256_set1_ps((float)(1.0 / 120)));
    s = _mm256_fmadd_ps(s, x2, _mm256_set1_ps((float)(-1.0 / 6)));
    s = _mm256_fmadd_ps(_mm256_mul_ps(s, x2), x, x);
    __m256 c = _mm256_set1_ps((float)(-1.0 / 3628800));
    c = _mm256_fmadd_ps(c, x2, _mm256_set1_ps((float)(1.0 / 40320)));
    c = _mm256_fmadd_ps(c, x2, _mm256_set1_ps((float)(-1.0 / 720)));
    c = _mm256_fmadd_ps(c, x2, _mm256_set1_ps((float)(1.0 / 24)));
    c = _mm256_fmadd_ps(c, x2, _mm256_set1_ps(-0.5f));
    c = _mm256_fmadd_ps(c, x2, _mm256_set1_ps(1.0f));
    /* quarter turns q: sin = s, c, -s, -c and cos = c, -s, -c, s */
    __m256i k = _mm256_cvtps_epi32(q);
    __m256 odd = _mm256_castsi256_ps(_mm256_slli_epi32(k, 31));
    __m256 sin_sign = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_srli_epi32(k, 1), 31));
    __m256 cos_sign = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_srli_epi32(_mm256_add_epi32(k, _mm256_set1_epi32(1)), 1), 31));
    *sine = _mm256_xor_ps(_mm256_blendv_ps(s, c, odd), sin_sign);
    *cosine = _mm256_xor_ps(_mm256_blendv_ps(c, s, odd), cos_sign);
}

/* ---------------------------------------------------------------- ln x for x in [2^-23, 1] */

/*
 * Cephes' logf, as Eigen (hence TensorFlow's Log) computes it: x = m 2^e with m in [sqrt(1/2), sqrt(2)), ln m by a
 * degree-9 polynomial in m - 1, e ln 2 added in two parts. The arguments here (1 - U) are normal floats, never 0.
 */
static inline __m256 log_unit(__m256 x) {
    __m256i bits = _mm256_castps_si256(x);
    __m256 e = _mm256_cvtepi32_ps(_mm256_sub_epi32(_mm256_srli_epi32(bits, 23), _mm256_set1_epi32(126)));
    __m256 m = _mm256_castsi256_ps(_mm256_or_si256(_mm256_and_si256(bits, _mm256_set1_epi32(0x007fffff)), _mm256_set1_epi32(0x3f000000)));
    /* m in [1/2, 1): below sqrt(1/2) take 2 m and e - 1, so that m - 1 is within [-0.29, 0.41] */
    __m256 small = _mm256_cmp_ps(m, _mm256_set1_ps(0.707106781186547524f), _CMP_LT_OQ);
    e = _mm256_sub_ps(e, _mm256_and_ps(_mm256_set1_ps(1.0f), small));
    m = _mm256_add_ps(_mm256_sub_ps(m, _mm256_set1_ps(1.0f)), _mm256_and_ps(m, small));
    __m256 z = _mm256_mul_ps(m, m);
    __m256 y = _mm256_set1_ps(7.0376836292E-2f);
    y = _mm256_fmadd_ps(y, m, _mm256_set1_ps(-1.1514610310E-1f));
    y = _mm256_fmadd_ps(y, m, _mm256_set1_ps(1.1676998740E-1f));
    y = _mm256_fmadd_ps(y, m, _mm256_set1_ps(-1.2420140846E-1f));
    y = _mm256_fmadd_ps(y, m, _mm256_set1_ps(1.4249322787E-1f));
    y = _mm256_fmadd_ps(y, m, _mm256_set1_ps(-1.6668057665E-1f));
    y = _mm256_fmadd_ps(y, m, _mm256_set1_ps(2.0000714765E-1f));
    y = _mm256_fmadd_ps(y, m, _mm256_set1_ps(-2.4999993993E-1f));
    y = _mm256_fmadd_ps(y, m, _mm256_set1_ps(3.3333331174E-1f));
    y = _mm256_mul_ps(_mm256_mul_ps(y, m), z);
    y = _mm256_fmadd_ps(e, _mm256_set1_ps(-2.12194440e-4f), y);
    y = _mm256_fnmadd_ps(_mm256_set1_ps(0.5f), z, y);
    return _mm256_fmadd_ps(e, _mm256_set1_ps(0.693359375f), _mm256_add_ps(m, y));
}

/* ---------------------------------------------------------------- the kernel */

enum { CHUNK = 256 }; /* pairs per pass: a multiple of 32, so every chunk starts at a whole Philox call */

static void *create(TF_OpKernelConstruction *ctx) {
    float *scale = malloc(sizeof(float));
    TF_Status *status = tf.NewStatus();
    tf.GetAttrFloat(ctx, "scale", scale, status);
    if (tf.GetCode(status) != TF_OK) *scale = 1.0f; /* the op definition gives the attr a default */
    tf.DeleteStatus(status);
    return scale;
}

static void destroy(void *kernel) { free(kernel); }

static Counter counter_of(const uint64_t *words) {
    Counter c = {{(uint32_t)words[0], (uint32_t)(words[0] >> 32), (uint32_t)words[1], (uint32_t)(words[1] >> 32)}};
    return c;
}

/* Pairs [first, first + n) of the draw into out, a [rows, per_row] matrix with h = ceil(per_row / 2) pairs a row. */
static void fill_chunk(float *out, int64_t per_row, int64_t h, int64_t first, int n, float coefficient,
                       Counter counter1, const uint32_t key1[2], Counter counter2, const uint32_t key2[2]) {
    float u1[CHUNK], u2[CHUNK], cosines[CHUNK], sines[CHUNK];
    for (int i = 0; i < n; i += 32) {
        uint64_t call = (uint64_t)(first + i) / 4;
        uniforms32x2(counter_plus(counter1, call), key1, counter_plus(counter2, call), key2, u1 + i, u2 + i);
    }
    const __m256 one = _mm256_set1_ps(1.0f), c = _mm256_set1_ps(coefficient);
    for (int i = 0; i < n; i += 8) {
        __m256 r = _mm256_sqrt_ps(_mm256_mul_ps(c, log_unit(_mm256_sub_ps(one, _mm256_loadu_ps(u1 + i)))));
        __m256 sine, cosine;
        sincos_turns(_mm256_loadu_ps(u2 + i), &sine, &cosine);
        _mm256_storeu_ps(cosines + i, _mm256_mul_ps(r, cosine));
        _mm256_storeu_ps(sines + i, _mm256_mul_ps(r, sine));
    }
    /* each row: its pairs' cosines, then their sines (the last one dropped when the row has an odd count) */
    int64_t row = first / h, j = first % h, sine_slots = per_row - h;
    for (int i = 0; i < n;) {
        int64_t run = h - j < n - i ? h - j : n - i;
        float *dest = out + row * per_row;
        memcpy(dest + j, cosines + i, (size_t)run * sizeof(float));
        int64_t sines_here = sine_slots - j < run ? sine_slots - j : run;
        if (sines_here > 0) memcpy(dest + h + j, sines + i, (size_t)sines_here * sizeof(float));
        i += (int)run;
        row++;
        j = 0;
    }
}

static void compute(void *kernel, TF_OpKernelContext *ctx) {
    float scale = *(float *)kernel;
    TF_Status *status = tf.NewStatus();
    TF_Tensor *in[5] = {0};
    for (int i = 0; i < 5; i++) {
        tf.GetInput(ctx, i, &in[i], status);
        if (tf.GetCode(status) != TF_OK) { tf.Failure(ctx, status); goto done; }
    }
    int64_t rank = tf.TensorElementCount(in[0]);
    const int32_t *shape = tf.TensorData(in[0]);
    if (rank < 1 || rank > 8) { fail_kernel(ctx, status, "FlowkitBoxMullerNormal: shape must have 1 to 8 dimensions"); goto done; }
    static const char *const wrong_size[5] = {0, "FlowkitBoxMullerNormal: key1 must be uint64 [1] (a Philox key)",
        "FlowkitBoxMullerNormal: counter1 must be uint64 [2] (a Philox counter)",
        "FlowkitBoxMullerNormal: key2 must be uint64 [1] (a Philox key)",
        "FlowkitBoxMullerNormal: counter2 must be uint64 [2] (a Philox counter)"};
    for (int i = 1; i < 5; i++) {
        if (tf.TensorElementCount(in[i]) != (i % 2 ? 1 : 2)) { fail_kernel(ctx, status, wrong_size[i]); goto done; }
    }
    int64_t dims[8], per_row = 1;
    for (int64_t d = 0; d < rank; d++) {
        if (shape[d] < 0) { fail_kernel(ctx, status, "FlowkitBoxMullerNormal: shape has a negative dimension"); goto done; }
        dims[d] = shape[d];
        if (d > 0) per_row *= shape[d];
    }
    int64_t rows = dims[0], h = (per_row + 1) / 2, pairs = rows * h;
    TF_Tensor *out = tf.AllocateOutput(ctx, 0, TF_FLOAT, dims, (int)rank, (size_t)(rows * per_row) * sizeof(float), status);
    if (tf.GetCode(status) != TF_OK) { tf.Failure(ctx, status); goto done; }
    const uint64_t *k1 = tf.TensorData(in[1]), *k2 = tf.TensorData(in[3]);
    uint32_t key1[2] = {(uint32_t)k1[0], (uint32_t)(k1[0] >> 32)}, key2[2] = {(uint32_t)k2[0], (uint32_t)(k2[0] >> 32)};
    Counter counter1 = counter_of(tf.TensorData(in[2])), counter2 = counter_of(tf.TensorData(in[4]));
    float coefficient = (float)(-2.0 * (double)scale * (double)scale);
    float *values = tf.TensorData(out);
    for (int64_t first = 0; first < pairs; first += CHUNK) {
        int64_t left = pairs - first;
        int n = left < CHUNK ? (int)left : CHUNK;
        fill_chunk(values, per_row, h, first, n, coefficient, counter1, key1, counter2, key2); /* a tail is drawn in whole 32s, n kept */
    }
    tf.DeleteTensor(out);
done:
    for (int i = 0; i < 5; i++) if (in[i]) tf.DeleteTensor(in[i]);
    tf.DeleteStatus(status);
}

/* The output's shape is the value of the shape input, which a shape function cannot read: the caller reshapes. */
static void unknown_shape(TF_ShapeInferenceContext *ctx, TF_Status *status) { tf.SetUnknownShape(ctx, status); }

const OpKernel box_muller_normal = {
    .name = "FlowkitBoxMullerNormal",
    .inputs = {"shape: int32", "key1: uint64", "counter1: uint64", "key2: uint64", "counter2: uint64"},
    .outputs = {"output: float"},
    .attrs = {"scale: float = 1.0"},
    .shape = unknown_shape, .create = create, .compute = compute, .destroy = destroy,
};
