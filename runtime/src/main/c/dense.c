/*
 * FlowkitDense: y = act(sum_j x_j w_j + b) for inputs x_j [rows, k_j], weights w_j [k_j, n] and a bias of n values
 * (any shape), act SiLU (attr silu) or none: an MLP layer as one kernel, its input given in parts that are never
 * concatenated (a U-Net's [decoder | encoder] channels, an MLP's [x | t]). With keep_z it also returns
 * z = sum_j x_j w_j + b (for the gradient: training), else an empty z.
 * FlowkitDenseGrad(dy, z, x_j, w_j, bias): with dz = dy silu'(z) (or dy), every gradient of the layer in one kernel:
 * dx_j = dz w_j^T, dw_j = x_j^T dz and db = dz summed over rows, in the shapes of x_j, w_j and the bias.
 * FlowkitSiluGrad(dy, z) = dy silu'(z) in one pass.
 *
 * Why: TensorFlow's oneDNN MatMul spends ~10 us per call on set-up and runs at 75-93 GFLOP/s for
 * [1000, 64] x [64, 64] here, and bias, SiLU and their gradients were more passes and ops; these products run at
 * ~115 GFLOP/s on one core, and SiLU runs on each tile of rows while it is in cache.
 *
 * Every product is C = init + sum_t A_t B_t by one register-tiled loop: tiles of up to 6 rows by 16 columns, 12 AVX2
 * accumulators, one FMA per row and vector for each step along k (B's rows stay in L1 for the shapes it is meant
 * for); columns past the last 16 by masked 8-wide vectors. A is read through strides, so x^T dz needs no transpose.
 * Runs on the calling thread, as the other kernels.
 */
#include <immintrin.h>
#include <stdlib.h>
#include <string.h>

#include "tf_kernel_api.h"
#include "vector_math.h"

#define TILE_ROWS 6

typedef struct {
    int silu, keep_z;
} Attrs;

static void destroy(void *kernel) { free(kernel); }

/* silu, and keep_z where the op has it (FlowkitDense; FlowkitDenseGrad has silu only). */
static void *attrs_of(TF_OpKernelConstruction *ctx, int with_keep_z) {
    TF_Status *status = tf.NewStatus();
    Attrs *attrs = calloc(1, sizeof(Attrs));
    unsigned char silu = 0, keep_z = 0;
    tf.GetAttrBool(ctx, "silu", &silu, status);
    if (with_keep_z && tf.GetCode(status) == TF_OK) tf.GetAttrBool(ctx, "keep_z", &keep_z, status);
    attrs->silu = silu;
    attrs->keep_z = keep_z;
    return constructed(ctx, status, attrs, free);
}

static void *create(TF_OpKernelConstruction *ctx) { return attrs_of(ctx, 1); }

static void *create_grad(TF_OpKernelConstruction *ctx) { return attrs_of(ctx, 0); }

/* One term A B of a product: A(r, i) = a[r * row_stride + i * step] for i < k; B [k, C's columns], row-major. */
typedef struct {
    const float *a;
    int64_t row_stride, step, k;
    const float *b;
} Term;

/*
 * Rows [r0, r0 + R) of C [.., n] at columns [col, col + 16) (wide) or the masked 8 at col: init (or 0) plus every
 * term. Inlined with constant R and wide, so the accumulators are registers and the row loops unrolled.
 */
static inline __attribute__((always_inline)) void block(const Term *terms, int count, int64_t r0, const int R, const float *init,
                                                         float *c, int64_t n, int64_t col, const int wide, __m256i m) {
    __m256 acc0[TILE_ROWS], acc1[TILE_ROWS];
    __m256 i0 = init ? (wide ? _mm256_loadu_ps(init + col) : _mm256_maskload_ps(init + col, m)) : _mm256_setzero_ps();
    __m256 i1 = init && wide ? _mm256_loadu_ps(init + col + 8) : _mm256_setzero_ps();
    for (int r = 0; r < R; r++) { acc0[r] = i0; acc1[r] = i1; }
    for (int t = 0; t < count; t++) {
        const float *a = terms[t].a + r0 * terms[t].row_stride, *b = terms[t].b + col;
        const int64_t rs = terms[t].row_stride, step = terms[t].step;
        for (int64_t i = 0; i < terms[t].k; i++, a += step, b += n) {
            __m256 w0 = wide ? _mm256_loadu_ps(b) : _mm256_maskload_ps(b, m);
            __m256 w1 = wide ? _mm256_loadu_ps(b + 8) : w0;
            for (int r = 0; r < R; r++) {
                __m256 s = _mm256_broadcast_ss(a + r * rs);
                acc0[r] = _mm256_fmadd_ps(s, w0, acc0[r]);
                if (wide) acc1[r] = _mm256_fmadd_ps(s, w1, acc1[r]);
            }
        }
    }
    for (int r = 0; r < R; r++) {
        float *cr = c + (r0 + r) * n + col;
        if (wide) { _mm256_storeu_ps(cr, acc0[r]); _mm256_storeu_ps(cr + 8, acc1[r]); }
        else _mm256_maskstore_ps(cr, m, acc0[r]);
    }
}

static inline __attribute__((always_inline)) void rows_of(const Term *terms, int count, int64_t r0, const int R, const float *init,
                                                           float *c, int64_t n) {
    int64_t col = 0;
    for (; col + 16 <= n; col += 16) block(terms, count, r0, R, init, c, n, col, 1, _mm256_setzero_si256());
    for (; col < n; col += 8) block(terms, count, r0, R, init, c, n, col, 0, lane_mask(n - col));
}

/* Rows [r0, r0 + R) of C = init + sum of the terms, R in 1 .. 6. */
static void tile(const Term *terms, int count, int64_t r0, int64_t R, const float *init, float *c, int64_t n) {
    switch (R) {
    case 6: rows_of(terms, count, r0, 6, init, c, n); break;
    case 5: rows_of(terms, count, r0, 5, init, c, n); break;
    case 4: rows_of(terms, count, r0, 4, init, c, n); break;
    case 3: rows_of(terms, count, r0, 3, init, c, n); break;
    case 2: rows_of(terms, count, r0, 2, init, c, n); break;
    default: rows_of(terms, count, r0, 1, init, c, n); break;
    }
}

/* C [m, n] = init + A B for one term. */
static void product(const Term *term, int64_t m, const float *init, float *c, int64_t n) {
    for (int64_t r = 0; r < m; r += TILE_ROWS) tile(term, 1, r, m - r < TILE_ROWS ? m - r : TILE_ROWS, init, c, n);
}

/* The layer's parts: inputs first .. first + 2 parts - 1 are x_0 .. x_{parts-1}, w_0 .. w_{parts-1}; their rows and columns checked. */
static const char *terms_of(TF_Tensor **in, int parts, int64_t *rows, int64_t *n, Term *terms) {
    for (int j = 0; j < parts; j++) {
        TF_Tensor *x = in[j], *w = in[parts + j];
        if (tf.NumDims(x) != 2 || tf.NumDims(w) != 2) return "FlowkitDense: every x and w must be a matrix";
        if (tf.Dim(w, 0) != tf.Dim(x, 1)) return "FlowkitDense: each w must have as many rows as its x has columns";
        if (j == 0) { *rows = tf.Dim(x, 0); *n = tf.Dim(w, 1); }
        if (tf.Dim(x, 0) != *rows || tf.Dim(w, 1) != *n) return "FlowkitDense: every x must have the same rows and every w the same columns";
        terms[j] = (Term){tf.TensorData(x), tf.Dim(x, 1), 1, tf.Dim(x, 1), tf.TensorData(w)};
    }
    return NULL;
}

/* The activation of count values of z into y (in place where y is z); a copy without one. */
static void activate(const Attrs *attrs, const float *z, float *y, int64_t count) {
    if (attrs->silu) silu_array(z, y, count);
    else if (y != z) memcpy(y, z, sizeof(float) * (size_t)count);
}

/* Fetches all of the kernel's inputs; their count, or 0 (and the kernel failed). */
static int all_inputs(TF_OpKernelContext *ctx, TF_Status *status, TF_Tensor ***in) {
    int count = tf.NumInputs(ctx);
    *in = calloc((size_t)count, sizeof(TF_Tensor *));
    return get_inputs(ctx, status, *in, count) ? count : 0;
}

static void delete_all(TF_Tensor **tensors, int count) {
    for (int i = 0; i < count; i++) if (tensors[i]) tf.DeleteTensor(tensors[i]);
    free(tensors);
}

static void compute(void *kernel, TF_OpKernelContext *ctx) {
    const Attrs *attrs = kernel;
    TF_Status *status = tf.NewStatus();
    TF_Tensor **in = NULL, *out[2] = {0};
    int inputs = all_inputs(ctx, status, &in), parts = (inputs - 1) / 2;
    Term *terms = calloc((size_t)(parts > 0 ? parts : 1), sizeof(Term));
    int64_t rows = 0, n = 0;
    if (!inputs) goto done;
    const char *problem = terms_of(in, parts, &rows, &n, terms);
    if (!problem && tf.TensorElementCount(in[2 * parts]) != n) problem = "FlowkitDense: the bias must have one value per column of w";
    if (problem) { fail_kernel(ctx, status, problem); goto done; }
    int64_t dims[2] = {rows, n}, empty[1] = {0};
    out[0] = tf.AllocateOutput(ctx, 0, TF_FLOAT, dims, 2, (size_t)(rows * n) * sizeof(float), status);
    if (tf.GetCode(status) == TF_OK) {
        out[1] = attrs->keep_z ? tf.AllocateOutput(ctx, 1, TF_FLOAT, dims, 2, (size_t)(rows * n) * sizeof(float), status)
                               : tf.AllocateOutput(ctx, 1, TF_FLOAT, empty, 1, 0, status);
    }
    if (tf.GetCode(status) != TF_OK) { tf.Failure(ctx, status); goto done; }
    const float *b = tf.TensorData(in[2 * parts]);
    float *y = tf.TensorData(out[0]);
    float *z = attrs->keep_z ? tf.TensorData(out[1]) : y; /* the product goes to z, the activation from there to y */
    for (int64_t r = 0; r < rows; r += TILE_ROWS) {
        int64_t R = rows - r < TILE_ROWS ? rows - r : TILE_ROWS;
        tile(terms, parts, r, R, b, z, n);
        activate(attrs, z + r * n, y + r * n, R * n);
    }
done:
    free(terms);
    for (int i = 0; i < 2; i++) if (out[i]) tf.DeleteTensor(out[i]);
    if (in) delete_all(in, inputs);
    tf.DeleteStatus(status);
}

/* Inputs dy, z, x_0 .. x_{N-1}, w_0 .. w_{N-1}, bias; outputs dx_0 .. dx_{N-1}, dw_0 .. dw_{N-1}, db. */
static void compute_grad(void *kernel, TF_OpKernelContext *ctx) {
    const Attrs *attrs = kernel;
    TF_Status *status = tf.NewStatus();
    TF_Tensor **in = NULL, **out = NULL;
    int inputs = all_inputs(ctx, status, &in), parts = (inputs - 3) / 2;
    Term *terms = calloc((size_t)(parts > 0 ? parts : 1), sizeof(Term));
    float *dz_buffer = NULL, *wt = NULL;
    int64_t rows = 0, n = 0;
    if (!inputs) goto done;
    out = calloc((size_t)(2 * parts + 1), sizeof(TF_Tensor *));
    const char *problem = terms_of(in + 2, parts, &rows, &n, terms);
    if (!problem && tf.TensorElementCount(in[0]) != rows * n) problem = "FlowkitDenseGrad: dy must be [rows, columns of w]";
    if (!problem && attrs->silu && tf.TensorElementCount(in[1]) != rows * n) problem = "FlowkitDenseGrad: z must be [rows, columns of w]";
    if (!problem && tf.TensorElementCount(in[2 + 2 * parts]) != n) problem = "FlowkitDenseGrad: the bias must have one value per column of w";
    if (problem) { fail_kernel(ctx, status, problem); goto done; }
    for (int j = 0; j < 2 * parts + 1 && tf.GetCode(status) == TF_OK; j++) out[j] = allocate_like(ctx, j, in[2 + j], status);
    if (tf.GetCode(status) != TF_OK) { tf.Failure(ctx, status); goto done; }

    const float *dz = tf.TensorData(in[0]);
    if (attrs->silu) {
        dz_buffer = malloc(sizeof(float) * (size_t)(rows * n));
        silu_grad_array(dz, tf.TensorData(in[1]), dz_buffer, rows * n);
        dz = dz_buffer;
    }
    float *db = tf.TensorData(out[2 * parts]);
    memset(db, 0, sizeof(float) * (size_t)n);
    for (int64_t r = 0; r < rows; r++) for (int64_t c = 0; c < n; c++) db[c] += dz[r * n + c];

    int64_t widest = 0;
    for (int j = 0; j < parts; j++) if (terms[j].k > widest) widest = terms[j].k;
    wt = malloc(sizeof(float) * (size_t)(widest * n + 1));
    for (int j = 0; j < parts; j++) {
        int64_t k = terms[j].k;
        /* dw_j [k, n] = x_j^T dz: A(i, r) = x_j[r k + i], along the rows */
        Term xt = {terms[j].a, 1, k, rows, dz};
        product(&xt, k, NULL, tf.TensorData(out[parts + j]), n);
        /* dx_j [rows, k] = dz w_j^T, with w_j^T [n, k] written out once */
        for (int64_t i = 0; i < k; i++) for (int64_t c = 0; c < n; c++) wt[c * k + i] = terms[j].b[i * n + c];
        Term back = {dz, n, 1, n, wt};
        product(&back, rows, NULL, tf.TensorData(out[j]), k);
    }
done:
    free(dz_buffer);
    free(wt);
    free(terms);
    if (out) delete_all(out, 2 * parts + 1);
    if (in) delete_all(in, inputs);
    tf.DeleteStatus(status);
}

/* dz = dy silu'(z) for dy and z of one shape. */
static void compute_silu_grad(void *kernel, TF_OpKernelContext *ctx) {
    (void)kernel;
    TF_Status *status = tf.NewStatus();
    TF_Tensor *in[2] = {0}, *out = NULL;
    if (!get_inputs(ctx, status, in, 2)) goto done;
    int64_t count = tf.TensorElementCount(in[1]);
    if (tf.TensorElementCount(in[0]) != count || tf.NumDims(in[1]) > 8) { fail_kernel(ctx, status, "FlowkitSiluGrad: dy and z must have one shape"); goto done; }
    out = allocate_like(ctx, 0, in[1], status);
    if (tf.GetCode(status) != TF_OK) { tf.Failure(ctx, status); goto done; }
    silu_grad_array(tf.TensorData(in[0]), tf.TensorData(in[1]), tf.TensorData(out), count);
done:
    if (out) tf.DeleteTensor(out);
    for (int i = 0; i < 2; i++) if (in[i]) tf.DeleteTensor(in[i]);
    tf.DeleteStatus(status);
}

static void *create_stateless(TF_OpKernelConstruction *ctx) {
    (void)ctx;
    return NULL;
}

/* y: [x_0's rows, w_0's columns]; z too, or empty (left to the kernel). */
static void shape(TF_ShapeInferenceContext *ctx, TF_Status *status) {
    int parts = (int)((tf.ShapeNumInputs(ctx) - 1) / 2);
    joined_shape(ctx, status, &(ShapePart){0, 2, 0, 1}, &(ShapePart){parts, 2, 1, 2});
}

/* dx_j, dw_j and db in the shapes of x_j, w_j and the bias (inputs 2 ..). */
static void shape_grad(TF_ShapeInferenceContext *ctx, TF_Status *status) {
    int64_t outputs = tf.ShapeNumInputs(ctx) - 2;
    for (int64_t i = 0; i < outputs && tf.GetCode(status) == TF_OK; i++) copy_shape(ctx, (int)i + 2, (int)i, status);
}

const OpKernel dense = {
    .name = "FlowkitDense",
    .inputs = {"x: N * float", "w: N * float", "bias: float"},
    .outputs = {"y: float", "z: float"},
    .attrs = {"N: int >= 1", "silu: bool", "keep_z: bool = false"},
    .shape = shape, .create = create, .compute = compute, .destroy = destroy,
};

const OpKernel dense_grad = {
    .name = "FlowkitDenseGrad",
    .inputs = {"dy: float", "z: float", "x: N * float", "w: N * float", "bias: float"},
    .outputs = {"dx: N * float", "dw: N * float", "db: float"},
    .attrs = {"N: int >= 1", "silu: bool"},
    .shape = shape_grad, .create = create_grad, .compute = compute_grad, .destroy = destroy,
};

const OpKernel silu_grad = {
    .name = "FlowkitSiluGrad",
    .inputs = {"dy: float", "z: float"},
    .outputs = {"dz: float"},
    .shape = shape_of_first_input, .create = create_stateless, .compute = compute_silu_grad, .destroy = destroy,
};
