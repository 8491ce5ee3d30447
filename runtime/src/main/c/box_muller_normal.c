/*
 * FlowkitBoxMullerNormal: the Box–Muller normals of RandomKey.normalByBoxMuller in one CPU kernel.
 *
 * The composition of TensorFlow ops draws two Philox uniform tensors and runs log, sqrt, cos, sin, products, a concat
 * and a slice over them, each a pass over memory (about 6 ns per value on this machine, most of a Langevin step).
 * This kernel computes the same numbers in one pass: Philox4x32-10 eight counters at a time with AVX2, and glibc's
 * vector log, sin and cos (libmvec). The uniforms are bit for bit TensorFlow's (same key, counter and word order);
 * the transcendental functions differ from Eigen's by a few ulp, so the normals agree to about 1e-6 relative.
 *
 * Inputs: shape (int32 [rank], the output's shape [rows, ...]), key1 (uint64 [1]) and counter1 (uint64 [2]) of the u1
 * stream, key2 and counter2 of the u2 stream, as StatelessRandomGetKeyCounter gives them for a [rows, h] draw with
 * h = ceil(values per row / 2). Attr scale: the normals' standard deviation. Per row, pair j (flat index row h + j):
 * r = sqrt(-2 scale^2 ln(1 - U1)), theta = 2 pi U2; out[row, j] = r cos theta, out[row, h + j] = r sin theta.
 *
 * TensorFlow's C functions are looked up in the already loaded libtensorflow_framework.so.2 (no link-time dependency);
 * the op is registered only when they are all found and the CPU has AVX2 and FMA, so callers check for the op.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <immintrin.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct TF_Status TF_Status;
typedef struct TF_Tensor TF_Tensor;
typedef struct TF_KernelBuilder TF_KernelBuilder;
typedef struct TF_OpKernelConstruction TF_OpKernelConstruction;
typedef struct TF_OpKernelContext TF_OpKernelContext;
typedef struct TF_OpDefinitionBuilder TF_OpDefinitionBuilder;
typedef struct TF_ShapeInferenceContext TF_ShapeInferenceContext;

enum { TF_OK = 0, TF_INVALID_ARGUMENT = 3, TF_FLOAT = 1 };

static struct {
    TF_Status *(*NewStatus)(void);
    void (*DeleteStatus)(TF_Status *);
    int (*GetCode)(const TF_Status *);
    void (*SetStatus)(TF_Status *, int, const char *);
    void *(*TensorData)(const TF_Tensor *);
    int64_t (*TensorElementCount)(const TF_Tensor *);
    void (*DeleteTensor)(TF_Tensor *);
    void (*GetInput)(TF_OpKernelContext *, int, TF_Tensor **, TF_Status *);
    TF_Tensor *(*AllocateOutput)(TF_OpKernelContext *, int, int, const int64_t *, int, size_t, TF_Status *);
    void (*Failure)(TF_OpKernelContext *, TF_Status *);
    void (*GetAttrFloat)(TF_OpKernelConstruction *, const char *, float *, TF_Status *);
    TF_KernelBuilder *(*NewKernelBuilder)(const char *, const char *, void *(*)(TF_OpKernelConstruction *),
                                          void (*)(void *, TF_OpKernelContext *), void (*)(void *));
    void (*RegisterKernelBuilder)(const char *, TF_KernelBuilder *, TF_Status *);
    TF_OpDefinitionBuilder *(*NewOpDefinitionBuilder)(const char *);
    void (*AddInput)(TF_OpDefinitionBuilder *, const char *);
    void (*AddOutput)(TF_OpDefinitionBuilder *, const char *);
    void (*AddAttr)(TF_OpDefinitionBuilder *, const char *);
    void (*SetShapeInferenceFunction)(TF_OpDefinitionBuilder *, void (*)(TF_ShapeInferenceContext *, TF_Status *));
    void (*SetUnknownShape)(TF_ShapeInferenceContext *, TF_Status *);
    void (*RegisterOpDefinition)(TF_OpDefinitionBuilder *, TF_Status *);
} tf;

/* glibc's AVX2 vector math (libmvec), 8 floats per call, a few ulp. */
__m256 _ZGVdN8v_logf(__m256);
__m256 _ZGVdN8v_sinf(__m256);
__m256 _ZGVdN8v_cosf(__m256);

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

/* Eight Philox calls at counters start, start + 1, ..., start + 7; words[w] holds word w of each call. */
static inline void philox8(Counter start, uint32_t k0, uint32_t k1, __m256i words[4]) {
    uint32_t lanes[4][8];
    for (int i = 0; i < 8; i++) {
        Counter c = counter_plus(start, (uint64_t)i);
        for (int w = 0; w < 4; w++) lanes[w][i] = c.c[w];
    }
    __m256i c0 = _mm256_loadu_si256((const __m256i *)lanes[0]);
    __m256i c1 = _mm256_loadu_si256((const __m256i *)lanes[1]);
    __m256i c2 = _mm256_loadu_si256((const __m256i *)lanes[2]);
    __m256i c3 = _mm256_loadu_si256((const __m256i *)lanes[3]);
    const __m256i ma = _mm256_set1_epi32((int)0xD2511F53u), mb = _mm256_set1_epi32((int)0xCD9E8D57u);
    __m256i key0 = _mm256_set1_epi32((int)k0), key1 = _mm256_set1_epi32((int)k1);
    const __m256i wa = _mm256_set1_epi32((int)0x9E3779B9u), wb = _mm256_set1_epi32((int)0xBB67AE85u);
    for (int round = 0; round < 10; round++) {
        __m256i lo0, hi0, lo1, hi1;
        mul_wide(c0, ma, &lo0, &hi0);
        mul_wide(c2, mb, &lo1, &hi1);
        __m256i n0 = _mm256_xor_si256(_mm256_xor_si256(hi1, c1), key0);
        __m256i n2 = _mm256_xor_si256(_mm256_xor_si256(hi0, c3), key1);
        c0 = n0; c1 = lo1; c2 = n2; c3 = lo0;
        key0 = _mm256_add_epi32(key0, wa);
        key1 = _mm256_add_epi32(key1, wb);
    }
    words[0] = c0; words[1] = c1; words[2] = c2; words[3] = c3;
}

/* TensorFlow's uint32 -> float in [0, 1): 23 random mantissa bits under the exponent of 1, minus 1. */
static inline __m256 unit_float(__m256i bits) {
    __m256i f = _mm256_or_si256(_mm256_and_si256(bits, _mm256_set1_epi32(0x7fffff)), _mm256_set1_epi32(0x3f800000));
    return _mm256_sub_ps(_mm256_castsi256_ps(f), _mm256_set1_ps(1.0f));
}

/* 32 consecutive uniforms of the stream from index 4 (start - counter) on, in index order. */
static inline void uniforms32(Counter start, uint32_t k0, uint32_t k1, float out[32]) {
    __m256i w[4];
    philox8(start, k0, k1, w);
    /* lane i of word w is value 4 i + w: transpose the 4 x 8 words into index order */
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
        uniforms32(counter_plus(counter1, call), key1[0], key1[1], u1 + i);
        uniforms32(counter_plus(counter2, call), key2[0], key2[1], u2 + i);
    }
    const __m256 one = _mm256_set1_ps(1.0f), c = _mm256_set1_ps(coefficient), two_pi = _mm256_set1_ps((float)(2 * M_PI));
    for (int i = 0; i < n; i += 8) {
        __m256 r = _mm256_sqrt_ps(_mm256_mul_ps(c, _ZGVdN8v_logf(_mm256_sub_ps(one, _mm256_loadu_ps(u1 + i)))));
        __m256 theta = _mm256_mul_ps(_mm256_loadu_ps(u2 + i), two_pi);
        _mm256_storeu_ps(cosines + i, _mm256_mul_ps(r, _ZGVdN8v_cosf(theta)));
        _mm256_storeu_ps(sines + i, _mm256_mul_ps(r, _ZGVdN8v_sinf(theta)));
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

static int fail(TF_OpKernelContext *ctx, TF_Status *status, const char *message) {
    tf.SetStatus(status, TF_INVALID_ARGUMENT, message);
    tf.Failure(ctx, status);
    return 1;
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
    if (rank < 1 || rank > 8) { fail(ctx, status, "FlowkitBoxMullerNormal: shape must have 1 to 8 dimensions"); goto done; }
    static const char *const wrong_size[5] = {0, "FlowkitBoxMullerNormal: key1 must be uint64 [1] (a Philox key)",
        "FlowkitBoxMullerNormal: counter1 must be uint64 [2] (a Philox counter)",
        "FlowkitBoxMullerNormal: key2 must be uint64 [1] (a Philox key)",
        "FlowkitBoxMullerNormal: counter2 must be uint64 [2] (a Philox counter)"};
    for (int i = 1; i < 5; i++) {
        if (tf.TensorElementCount(in[i]) != (i % 2 ? 1 : 2)) { fail(ctx, status, wrong_size[i]); goto done; }
    }
    int64_t dims[8], per_row = 1;
    for (int64_t d = 0; d < rank; d++) {
        if (shape[d] < 0) { fail(ctx, status, "FlowkitBoxMullerNormal: shape has a negative dimension"); goto done; }
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

static void unknown_shape(TF_ShapeInferenceContext *ctx, TF_Status *status) { tf.SetUnknownShape(ctx, status); }

#define FIND(field, name) if (!(tf.field = dlsym(lib, name))) return 0
static int find_functions(void) {
    void *lib = dlopen("libtensorflow_framework.so.2", RTLD_NOW | RTLD_NOLOAD);
    if (!lib) lib = RTLD_DEFAULT;
    FIND(NewStatus, "TF_NewStatus"); FIND(DeleteStatus, "TF_DeleteStatus"); FIND(GetCode, "TF_GetCode");
    FIND(SetStatus, "TF_SetStatus"); FIND(TensorData, "TF_TensorData"); FIND(TensorElementCount, "TF_TensorElementCount");
    FIND(DeleteTensor, "TF_DeleteTensor"); FIND(GetInput, "TF_GetInput"); FIND(AllocateOutput, "TF_AllocateOutput");
    FIND(Failure, "TF_OpKernelContext_Failure"); FIND(GetAttrFloat, "TF_OpKernelConstruction_GetAttrFloat");
    FIND(NewKernelBuilder, "TF_NewKernelBuilder");
    FIND(RegisterKernelBuilder, "TF_RegisterKernelBuilder"); FIND(NewOpDefinitionBuilder, "TF_NewOpDefinitionBuilder");
    FIND(AddInput, "TF_OpDefinitionBuilderAddInput"); FIND(AddOutput, "TF_OpDefinitionBuilderAddOutput");
    FIND(AddAttr, "TF_OpDefinitionBuilderAddAttr");
    FIND(SetShapeInferenceFunction, "TF_OpDefinitionBuilderSetShapeInferenceFunction");
    FIND(SetUnknownShape, "TF_ShapeInferenceContextSetUnknownShape");
    FIND(RegisterOpDefinition, "TF_RegisterOpDefinition");
    return 1;
}

/* Runs when TensorFlow loads the library (TF_LoadLibrary), which collects the ops registered meanwhile. */
__attribute__((constructor)) static void register_op(void) {
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma") || !find_functions()) return;
    TF_Status *status = tf.NewStatus();
    TF_OpDefinitionBuilder *op = tf.NewOpDefinitionBuilder("FlowkitBoxMullerNormal");
    tf.AddInput(op, "shape: int32");
    tf.AddInput(op, "key1: uint64");
    tf.AddInput(op, "counter1: uint64");
    tf.AddInput(op, "key2: uint64");
    tf.AddInput(op, "counter2: uint64");
    tf.AddOutput(op, "output: float");
    tf.AddAttr(op, "scale: float = 1.0");
    tf.SetShapeInferenceFunction(op, unknown_shape);
    tf.RegisterOpDefinition(op, status);
    if (tf.GetCode(status) == TF_OK) {
        TF_KernelBuilder *kernel = tf.NewKernelBuilder("FlowkitBoxMullerNormal", "CPU", create, compute, destroy);
        tf.RegisterKernelBuilder("FlowkitBoxMullerNormal", kernel, status);
    }
    tf.DeleteStatus(status);
}
