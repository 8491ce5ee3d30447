/*
 * FlowkitConv2D(x, filter, size): a 3x3 convolution of NHWC images x [n, h, w, C] at a stride, VALID or SAME, onto an
 * output of [n, H, W, O], where size is an empty tensor of shape [H, W, O, 0] (its shape carries the output's, which
 * shape inference cannot compute from attributes through the C API). Not transposed: filter [3, 3, C, O] and
 * y = Conv2D(x, filter). Transposed: filter [3, 3, O, C] and y = Conv2DBackpropInput([n, H, W, O], filter, x), the
 * adjoint of the convolution of [n, H, W, O] onto [n, h, w, C] (the U-Net's up-sampling). Padding follows TensorFlow's
 * rule (SAME: the total pad max((small - 1) stride + 3 - big, 0), less of it before than after).
 *
 * Why: in a ScoreNet sampling step (32 images per core, 2x2 to 26x26 pixels, 32 to 256 channels) oneDNN's
 * convolutions were 75 % of the time at about 50 GFLOP/s per core, where its own matrix product reaches 190-200 on
 * this machine; these run the same layers at 150-180 (AVX-512) or 95-100 (AVX2) on one core.
 *
 * Both are one mechanism, a product with gathered rows: each output pixel is a row of y, and with its valid taps
 * (ky, kx), y[p] = sum over taps of x[pixel feeding p through (ky, kx)] W(ky, kx), where W(ky, kx) is a [C, O] matrix.
 * A convolution's output pixels take all 9 taps (fewer at SAME's border); a transposed convolution's only those whose
 * offset has the stride's residue (for stride 2: 4, 2, 2 or 1 taps by the pixel's parity), so no product by an
 * inserted zero is ever computed. Pixels with the same valid taps form a class, multiplied as one product on register
 * tiles: 8 pixels by 32 channels in 16 AVX-512 accumulators (6 by 16 in 12 with AVX2), one FMA per row and vector
 * along each tap's C inputs, every row read through its own pointer. Runs on the calling thread, as the other kernels.
 */
#include <immintrin.h>
#include <stdlib.h>
#include <string.h>

#include "tf_kernel_api.h"
#include "vector_math.h"

/* Rows per tile: 8 with AVX-512 (16 accumulators of 16 floats), 6 with AVX2 (12 of 8). */
#define TILE_ROWS 8
#define AVX2_ROWS 6
#define MAX_TAPS 9
/* Tiles computed together, one block of output channels at a time: their rows' inputs (up to 64 pixels x 9 taps x C)
 * and one block of every tap's weights stay in L2, where a tile at a time would stream all weights per tile. */
#define CHUNK_TILES 8

typedef struct {
    int64_t stride;
    int same, transposed;
} Attrs;

static void destroy(void *kernel) { free(kernel); }

static void *create(TF_OpKernelConstruction *ctx) {
    TF_Status *status = tf.NewStatus();
    Attrs *attrs = calloc(1, sizeof(Attrs));
    unsigned char same = 0, transposed = 0;
    tf.GetAttrInt64(ctx, "stride", &attrs->stride, status);
    if (tf.GetCode(status) == TF_OK) tf.GetAttrBool(ctx, "same", &same, status);
    if (tf.GetCode(status) == TF_OK) tf.GetAttrBool(ctx, "transposed", &transposed, status);
    if (tf.GetCode(status) == TF_OK && attrs->stride < 1) tf.SetStatus(status, TF_INVALID_ARGUMENT, "FlowkitConv2D: stride must be at least 1");
    attrs->same = same;
    attrs->transposed = transposed;
    return constructed(ctx, status, attrs, free);
}

/* One spatial axis: for each output coordinate, the input coordinate each kernel offset k reads (or -1: padding, or
 * a transposed convolution's offset of the wrong residue or past the border), and the mask of its valid offsets. */
typedef struct {
    int *mask;      /* [out]: bit k set where input[y * 3 + k] >= 0 */
    int64_t *input; /* [out * 3] */
} Axis;

/* out and in: this axis's output and input sizes; the convolution (not transposed) maps the larger onto the smaller. */
static int axis_of(Axis *a, int64_t out, int64_t in, int64_t stride, int same, int transposed) {
    int64_t big = transposed ? out : in, small = transposed ? in : out;
    int64_t pad = same ? (small - 1) * stride + 3 - big : 0;
    pad = pad > 0 ? pad / 2 : 0;
    a->mask = malloc(sizeof(int) * (size_t)out);
    a->input = malloc(sizeof(int64_t) * (size_t)out * 3);
    if (!a->mask || !a->input) return 0;
    for (int64_t y = 0; y < out; y++) {
        a->mask[y] = 0;
        for (int64_t k = 0; k < 3; k++) {
            int64_t i = -1;
            if (!transposed) i = y * stride + k - pad;
            else if (y + pad - k >= 0 && (y + pad - k) % stride == 0) i = (y + pad - k) / stride;
            a->input[y * 3 + k] = i >= 0 && i < in ? i : -1;
            if (a->input[y * 3 + k] >= 0) a->mask[y] |= 1 << k;
        }
    }
    return 1;
}

static void free_axis(Axis *a) {
    free(a->mask);
    free(a->input);
}

/*
 * One tile: rows out[0 .. R) at columns [col, col + 2 V_WIDTH): out[r] = sum over taps t of sum_i a[t][r][i] b[t][i o + col ..],
 * for R up to the instance's rows. The body is one text for AVX2 and AVX-512 (as vector_math.h's): each instance
 * defines V_TYPE, V_WIDTH, V_ZERO, V_BROADCAST, V_FMADD, V_LOAD(ptr, half) and V_STORE(ptr, half, v) (half 0 or 1 of the
 * 2 V_WIDTH columns, masked where the instance needs it) and EACH_ROW, then expands GATHERED_TILE. The accumulators are
 * named variables, a macro per row (GCC kept them in registers; arrays of them it stored to the stack on every step);
 * a shorter tile repeats its last row's inputs and stores only its own rows.
 */
#define DECLARE(r) V_TYPE c##r##0 = V_ZERO(), c##r##1 = V_ZERO();
#define POINTER(r) const float *p##r = a[t][r < R ? r : R - 1];
#define STEP(r) { V_TYPE s = V_BROADCAST(p##r + i); c##r##0 = V_FMADD(s, w0, c##r##0); c##r##1 = V_FMADD(s, w1, c##r##1); }
#define STORE(r) if (r < R) { V_STORE(out[r] + col, 0, c##r##0); V_STORE(out[r] + col + V_WIDTH, 1, c##r##1); }
#define GATHERED_TILE                                                                                                 \
    EACH_ROW(DECLARE)                                                                                                 \
    for (int t = 0; t < taps; t++) {                                                                                  \
        const float *w = b[t] + col;                                                                                  \
        EACH_ROW(POINTER)                                                                                             \
        for (int64_t i = 0; i < k; i++, w += o) {                                                                     \
            V_TYPE w0 = V_LOAD(w, 0), w1 = V_LOAD(w + V_WIDTH, 1);                                                    \
            EACH_ROW(STEP)                                                                                            \
        }                                                                                                             \
    }                                                                                                                 \
    EACH_ROW(STORE)

/* AVX2: 6 rows by 16 columns; masked: fewer than 16 columns left (masked loads and stores), inlined twice so that full
 * tiles use plain ones. */
#define V_TYPE __m256
#define V_WIDTH 8
#define V_ZERO _mm256_setzero_ps
#define V_BROADCAST _mm256_broadcast_ss
#define V_FMADD _mm256_fmadd_ps
#define V_LOAD(ptr, half) (masked ? _mm256_maskload_ps(ptr, (half) ? m1 : m0) : _mm256_loadu_ps(ptr))
#define V_STORE(ptr, half, v) do { if (masked) _mm256_maskstore_ps(ptr, (half) ? m1 : m0, v); else _mm256_storeu_ps(ptr, v); } while (0)
#define EACH_ROW(X) X(0) X(1) X(2) X(3) X(4) X(5)
static inline __attribute__((always_inline)) void tile_avx2_of(const float *const a[][TILE_ROWS], const float *const *b, int taps, int64_t k,
                                                                int64_t R, float *const *out, int64_t o, int64_t col, const int masked) {
    __m256i m0 = lane_mask(o - col), m1 = lane_mask(o - col - 8);
    GATHERED_TILE
}
#undef V_TYPE
#undef V_WIDTH
#undef V_ZERO
#undef V_BROADCAST
#undef V_FMADD
#undef V_LOAD
#undef V_STORE
#undef EACH_ROW

static void tile_avx2(const float *const a[][TILE_ROWS], const float *const *b, int taps, int64_t k, int64_t R, float *const *out, int64_t o,
                      int64_t col) {
    if (col + 16 <= o) tile_avx2_of(a, b, taps, k, R, out, o, col, 0);
    else tile_avx2_of(a, b, taps, k, R, out, o, col, 1);
}

/* AVX-512: 8 rows by 32 columns, lanes past o masked. */
#define TARGET_AVX512 __attribute__((target("avx512f")))
#define V_TYPE __m512
#define V_WIDTH 16
#define V_ZERO _mm512_setzero_ps
#define V_BROADCAST(ptr) _mm512_set1_ps(*(ptr))
#define V_FMADD _mm512_fmadd_ps
#define V_LOAD(ptr, half) _mm512_maskz_loadu_ps((half) ? m1 : m0, ptr)
#define V_STORE(ptr, half, v) _mm512_mask_storeu_ps(ptr, (half) ? m1 : m0, v)
#define EACH_ROW(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)
static TARGET_AVX512 void tile_avx512(const float *const a[][TILE_ROWS], const float *const *b, int taps, int64_t k, int64_t R,
                                      float *const *out, int64_t o, int64_t col) {
    int64_t left = o - col;
    __mmask16 m0 = left >= 16 ? 0xFFFF : (__mmask16)((1u << left) - 1);
    __mmask16 m1 = left >= 32 ? 0xFFFF : left > 16 ? (__mmask16)((1u << (left - 16)) - 1) : 0;
    GATHERED_TILE
}
#undef V_TYPE
#undef V_WIDTH
#undef V_ZERO
#undef V_BROADCAST
#undef V_FMADD
#undef V_LOAD
#undef V_STORE
#undef EACH_ROW

/* AVX-512 where the CPU has it, unless FLOWKIT_AVX512=0 (the AVX2 tiles: how the tests check those on any machine). */
static int use_avx512(void) {
    static int cached = -1; /* a race writes the same value */
    if (cached < 0) {
        const char *setting = getenv("FLOWKIT_AVX512");
        cached = __builtin_cpu_supports("avx512f") && !(setting && strcmp(setting, "0") == 0);
    }
    return cached;
}

/*
 * y [n, H, W, o] from x [n, h, w, c] and weights [9][c][o] (tap ky * 3 + kx): the gathered-row product above.
 * Returns 0 if memory ran out.
 */
int flowkit_conv(const float *x, int64_t n, int64_t h, int64_t w, int64_t c, const float *weights, float *y, int64_t H,
                 int64_t W, int64_t o, int64_t stride, int same, int transposed) {
    Axis ay = {0}, ax = {0};
    const int avx512 = use_avx512();
    const int64_t tile_rows = avx512 ? TILE_ROWS : AVX2_ROWS, pixels = H * W;
    /* one image's pixels sorted by class (a counting sort), and each one's input offsets for its class's taps */
    int64_t *order = malloc(sizeof(int64_t) * (size_t)(pixels + 1)), *offsets = malloc(sizeof(int64_t) * (size_t)(pixels * MAX_TAPS + 1));
    int64_t start[65] = {0};
    int ok = order && offsets && axis_of(&ay, H, h, stride, same, transposed) && axis_of(&ax, W, w, stride, same, transposed);
    if (ok) {
        /* pixels with the same valid taps (mask of rows' offsets, mask of columns') form a class: one product */
        for (int64_t p = 0; p < pixels; p++) start[ay.mask[p / W] * 8 + ax.mask[p % W] + 1]++;
        for (int cls = 0; cls < 64; cls++) start[cls + 1] += start[cls];
        int64_t next[64];
        memcpy(next, start, sizeof(next));
        for (int64_t p = 0; p < pixels; p++) order[next[ay.mask[p / W] * 8 + ax.mask[p % W]]++] = p;
        for (int cls = 0; cls < 64; cls++) {
            int64_t count = start[cls + 1] - start[cls];
            if (!count) continue;
            const int64_t *members = order + start[cls];
            int my = cls / 8, mx = cls % 8, taps = 0;
            const float *b[MAX_TAPS];
            for (int64_t ky = 0; ky < 3; ky++) {
                for (int64_t kx = 0; kx < 3; kx++) {
                    if (!(my >> ky & 1) || !(mx >> kx & 1)) continue;
                    for (int64_t j = 0; j < count; j++) {
                        int64_t py = members[j] / W, px = members[j] % W;
                        offsets[j * MAX_TAPS + taps] = (ay.input[py * 3 + ky] * w + ax.input[px * 3 + kx]) * c;
                    }
                    b[taps++] = weights + (ky * 3 + kx) * c * o;
                }
            }
            /* chunks of tiles of the class's pixels, across images (pixel j of image i is row i * count + j) */
            for (int64_t g0 = 0; g0 < n * count; g0 += CHUNK_TILES * tile_rows) {
                const float *a[CHUNK_TILES][MAX_TAPS][TILE_ROWS];
                float *out[CHUNK_TILES][TILE_ROWS];
                int64_t rows[CHUNK_TILES], tiles = 0, image = g0 / count, j = g0 % count;
                for (int64_t g = g0; g < n * count && tiles < CHUNK_TILES; g += tile_rows, tiles++) {
                    int64_t R = rows[tiles] = n * count - g < tile_rows ? n * count - g : tile_rows;
                    for (int64_t r = 0; r < R; r++) {
                        out[tiles][r] = y + (image * pixels + members[j]) * o;
                        if (!taps) memset(out[tiles][r], 0, sizeof(float) * (size_t)o);
                        const float *input = x + image * h * w * c;
                        for (int t = 0; t < taps; t++) a[tiles][t][r] = input + offsets[j * MAX_TAPS + t];
                        if (++j == count) { j = 0; image++; }
                    }
                }
                for (int64_t col = 0; taps && col < o; col += avx512 ? 32 : 16)
                    for (int64_t i = 0; i < tiles; i++) {
                        if (avx512) tile_avx512(a[i], b, taps, c, rows[i], out[i], o, col);
                        else tile_avx2(a[i], b, taps, c, rows[i], out[i], o, col);
                    }
            }
        }
    }
    free_axis(&ay);
    free_axis(&ax);
    free(order);
    free(offsets);
    return ok;
}

/* dst [cols, rows] = src [rows, cols]^T: 8 x 8 blocks by AVX shuffles (a scalar loop was 4 % of a sampling step), the
 * edges one value at a time. */
static void transpose(const float *src, int64_t rows, int64_t cols, float *dst) {
    int64_t r0 = 0;
    for (; r0 + 8 <= rows; r0 += 8) {
        int64_t c0 = 0;
        for (; c0 + 8 <= cols; c0 += 8) {
            const float *s = src + r0 * cols + c0;
            __m256 a0 = _mm256_loadu_ps(s), a1 = _mm256_loadu_ps(s + cols), a2 = _mm256_loadu_ps(s + 2 * cols),
                   a3 = _mm256_loadu_ps(s + 3 * cols), a4 = _mm256_loadu_ps(s + 4 * cols), a5 = _mm256_loadu_ps(s + 5 * cols),
                   a6 = _mm256_loadu_ps(s + 6 * cols), a7 = _mm256_loadu_ps(s + 7 * cols);
            __m256 b0 = _mm256_unpacklo_ps(a0, a1), b1 = _mm256_unpackhi_ps(a0, a1), b2 = _mm256_unpacklo_ps(a2, a3),
                   b3 = _mm256_unpackhi_ps(a2, a3), b4 = _mm256_unpacklo_ps(a4, a5), b5 = _mm256_unpackhi_ps(a4, a5),
                   b6 = _mm256_unpacklo_ps(a6, a7), b7 = _mm256_unpackhi_ps(a6, a7);
            __m256 d0 = _mm256_shuffle_ps(b0, b2, 0x44), d1 = _mm256_shuffle_ps(b0, b2, 0xEE), d2 = _mm256_shuffle_ps(b1, b3, 0x44),
                   d3 = _mm256_shuffle_ps(b1, b3, 0xEE), d4 = _mm256_shuffle_ps(b4, b6, 0x44), d5 = _mm256_shuffle_ps(b4, b6, 0xEE),
                   d6 = _mm256_shuffle_ps(b5, b7, 0x44), d7 = _mm256_shuffle_ps(b5, b7, 0xEE);
            float *d = dst + c0 * rows + r0;
            _mm256_storeu_ps(d, _mm256_permute2f128_ps(d0, d4, 0x20));
            _mm256_storeu_ps(d + rows, _mm256_permute2f128_ps(d1, d5, 0x20));
            _mm256_storeu_ps(d + 2 * rows, _mm256_permute2f128_ps(d2, d6, 0x20));
            _mm256_storeu_ps(d + 3 * rows, _mm256_permute2f128_ps(d3, d7, 0x20));
            _mm256_storeu_ps(d + 4 * rows, _mm256_permute2f128_ps(d0, d4, 0x31));
            _mm256_storeu_ps(d + 5 * rows, _mm256_permute2f128_ps(d1, d5, 0x31));
            _mm256_storeu_ps(d + 6 * rows, _mm256_permute2f128_ps(d2, d6, 0x31));
            _mm256_storeu_ps(d + 7 * rows, _mm256_permute2f128_ps(d3, d7, 0x31));
        }
        for (int64_t r = r0; r < r0 + 8; r++)
            for (int64_t col = c0; col < cols; col++) dst[col * rows + r] = src[r * cols + col];
    }
    for (int64_t r = r0; r < rows; r++)
        for (int64_t col = 0; col < cols; col++) dst[col * rows + r] = src[r * cols + col];
}

static void compute(void *kernel, TF_OpKernelContext *ctx) {
    const Attrs *attrs = kernel;
    TF_Status *status = tf.NewStatus();
    TF_Tensor *in[3] = {0}, *out = NULL;
    float *weights = NULL;
    if (!get_inputs(ctx, status, in, 3)) goto done;
    TF_Tensor *x = in[0], *filter = in[1], *size = in[2];
    if (tf.NumDims(x) != 4 || tf.NumDims(filter) != 4 || tf.NumDims(size) != 4 || tf.Dim(filter, 0) != 3 || tf.Dim(filter, 1) != 3) {
        fail_kernel(ctx, status, "FlowkitConv2D: x must be [n, h, w, C], the filter [3, 3, ., .] and size [H, W, O, 0]");
        goto done;
    }
    int64_t n = tf.Dim(x, 0), h = tf.Dim(x, 1), w = tf.Dim(x, 2), c = tf.Dim(x, 3), H = tf.Dim(size, 0), W = tf.Dim(size, 1), o = tf.Dim(size, 2);
    if (tf.Dim(filter, attrs->transposed ? 3 : 2) != c || tf.Dim(filter, attrs->transposed ? 2 : 3) != o) {
        fail_kernel(ctx, status, "FlowkitConv2D: the filter must map x's channels to size's");
        goto done;
    }
    int64_t dims[4] = {n, H, W, o};
    out = tf.AllocateOutput(ctx, 0, TF_FLOAT, dims, 4, (size_t)(n * H * W * o) * sizeof(float), status);
    if (tf.GetCode(status) != TF_OK) { tf.Failure(ctx, status); goto done; }
    const float *f = tf.TensorData(filter);
    if (attrs->transposed) {
        /* [3, 3, o, c] -> one [c, o] matrix per tap */
        weights = malloc(sizeof(float) * (size_t)(9 * c * o));
        if (!weights) { fail_kernel(ctx, status, "FlowkitConv2D: out of memory"); goto done; }
        for (int64_t t = 0; t < 9; t++) transpose(f + t * o * c, o, c, weights + t * c * o);
        f = weights;
    }
    if (n * H * W * o > 0 && !flowkit_conv(tf.TensorData(x), n, h, w, c, f, tf.TensorData(out), H, W, o, attrs->stride, attrs->same, attrs->transposed))
        fail_kernel(ctx, status, "FlowkitConv2D: out of memory");
done:
    free(weights);
    if (out) tf.DeleteTensor(out);
    for (int i = 0; i < 3; i++) if (in[i]) tf.DeleteTensor(in[i]);
    tf.DeleteStatus(status);
}

/* y: [x's n, size's H, W and O]. */
static void shape(TF_ShapeInferenceContext *ctx, TF_Status *status) {
    joined_shape(ctx, status, &(ShapePart){0, 4, 0, 1}, &(ShapePart){2, 4, 0, 3});
}

const OpKernel conv = {
    .name = "FlowkitConv2D",
    .inputs = {"x: float", "filter: float", "size: float"},
    .outputs = {"y: float"},
    .attrs = {"stride: int", "same: bool", "transposed: bool"},
    .shape = shape, .create = create, .compute = compute, .destroy = destroy,
};
