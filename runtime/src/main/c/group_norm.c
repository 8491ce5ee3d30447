/*
 * FlowkitGroupNorm and FlowkitGroupNormGrad: a U-Net's act(GroupNorm(x + shift)) and its gradient, each in a few passes
 * over one example's activations while they sit in the core's cache. TensorFlow's composition (reshape, two Means
 * over axes (1, 2, 4), squared differences, products and sums, then the activation) made about a third of a ScoreNet
 * sampling step, its Mean over non-contiguous axes the slowest part.
 *
 * Points are x [n, ..., C] (NHWC images: the middle dimensions are the pixels), channels last, in `groups` groups of
 * C / groups consecutive channels; shift is [n, C] or [1, C] (one row for every example). For each example and group g over its M = pixels * C / groups values of
 * z = x + shift[n]:
 *   mean_g, var_g (biased), inv_g = 1 / sqrt(var_g + epsilon), u = (z - mean_g) inv_g gamma_c + beta_c,
 *   y = u (silu = false) or u sigmoid(u) (silu = true).
 * The forward op also returns mean [n, groups] and inv_std [n, groups] for the gradient.
 *
 * FlowkitGroupNormGrad(dy, x, shift, gamma, beta, mean, inv_std) gives dx, dshift [n, C], dgamma [C], dbeta [C]:
 * du = dy (or dy silu'(u)), dbeta = sum du, dgamma = sum du xhat, and with dxhat = du gamma,
 * dx = inv_g (dxhat - mean_g(dxhat) - xhat mean_g(dxhat xhat)), dshift = sum over pixels of dx.
 *
 * Sums run over pixels for eight channels at a time (one AVX2 register each, two accumulators), in float as
 * TensorFlow's Mean does. Like the other kernels, each call runs on the calling thread: Flowkit splits large batches
 * into row blocks, one per core.
 */
#include <immintrin.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tf_kernel_api.h"
#include "vector_math.h"

typedef struct {
    int64_t groups;
    float epsilon;
    int silu;
} Attrs;

static void destroy(void *kernel) { free(kernel); }

static void *create_attrs(TF_OpKernelConstruction *ctx, int with_epsilon) {
    TF_Status *status = tf.NewStatus();
    Attrs *attrs = calloc(1, sizeof(Attrs));
    unsigned char silu = 0;
    tf.GetAttrInt64(ctx, "groups", &attrs->groups, status);
    if (tf.GetCode(status) == TF_OK) tf.GetAttrBool(ctx, "silu", &silu, status);
    if (tf.GetCode(status) == TF_OK && with_epsilon) tf.GetAttrFloat(ctx, "epsilon", &attrs->epsilon, status);
    if (tf.GetCode(status) == TF_OK && attrs->groups < 1) tf.SetStatus(status, TF_INVALID_ARGUMENT, "FlowkitGroupNorm: groups must be at least 1");
    attrs->silu = silu;
    return constructed(ctx, status, attrs, free);
}

static void *create_forward(TF_OpKernelConstruction *ctx) { return create_attrs(ctx, 1); }
static void *create_gradient(TF_OpKernelConstruction *ctx) { return create_attrs(ctx, 0); }

/* ------------------------------------------------------------------------------------------------ forward */

/* out[c] = sum over rows of (x[p, c] - offset[c]) (squares = 0) or of its square (squares = 1). */
static void column_sums(const float *restrict x, int64_t rows, int64_t cols, const float *restrict offset, int squares,
                        float *restrict out) {
    int64_t c = 0;
    for (; c + 8 <= cols; c += 8) {
        __m256 o = _mm256_loadu_ps(offset + c), s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
        int64_t p = 0;
        for (; p + 2 <= rows; p += 2) {
            __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(x + p * cols + c), o);
            __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(x + (p + 1) * cols + c), o);
            if (squares) { s0 = _mm256_fmadd_ps(d0, d0, s0); s1 = _mm256_fmadd_ps(d1, d1, s1); }
            else { s0 = _mm256_add_ps(s0, d0); s1 = _mm256_add_ps(s1, d1); }
        }
        for (; p < rows; p++) {
            __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(x + p * cols + c), o);
            s0 = squares ? _mm256_fmadd_ps(d0, d0, s0) : _mm256_add_ps(s0, d0);
        }
        _mm256_storeu_ps(out + c, _mm256_add_ps(s0, s1));
    }
    for (; c < cols; c++) {
        float s = 0.0f;
        for (int64_t p = 0; p < rows; p++) { float d = x[p * cols + c] - offset[c]; s += squares ? d * d : d; }
        out[c] = s;
    }
}

/* Per channel, the group's value: each group's sum of in[c] over its channels, times factor. */
static void group_totals(const float *in, int64_t channels, int64_t groups, float factor, float *per_group) {
    int64_t width = channels / groups;
    for (int64_t g = 0; g < groups; g++) {
        float s = 0.0f;
        for (int64_t c = g * width; c < (g + 1) * width; c++) s += in[c];
        per_group[g] = s * factor;
    }
}

/* y[p, c] = act(x[p, c] a[c] + b[c]). */
static void scale_shift(const float *restrict x, int64_t rows, int64_t cols, const float *a, const float *b, int silu,
                        float *restrict y) {
    for (int64_t p = 0; p < rows; p++) {
        const float *xp = x + p * cols;
        float *yp = y + p * cols;
        int64_t c = 0;
        for (; c + 8 <= cols; c += 8) {
            __m256 u = _mm256_fmadd_ps(_mm256_loadu_ps(xp + c), _mm256_loadu_ps(a + c), _mm256_loadu_ps(b + c));
            if (silu) u = silu8(u);
            _mm256_storeu_ps(yp + c, u);
        }
        for (; c < cols; c++) {
            float u = xp[c] * a[c] + b[c];
            yp[c] = silu ? u * sigmoid1(u) : u;
        }
    }
}

/* The inputs' shapes: x [n, ..., C] with C a multiple of groups, shift [n, C] or [1, C], gamma and beta [C]. */
static const char *check_shapes(const Attrs *attrs, TF_Tensor *x, TF_Tensor *shift, TF_Tensor *gamma, TF_Tensor *beta,
                                int64_t *n, int64_t *pixels, int64_t *channels) {
    int rank = tf.NumDims(x);
    if (rank < 2) return "FlowkitGroupNorm: x must have rank 2 or more ([n, ..., channels])";
    *n = tf.Dim(x, 0);
    *channels = tf.Dim(x, rank - 1);
    *pixels = *n * *channels == 0 ? 0 : tf.TensorElementCount(x) / (*n * *channels);
    if (*channels % attrs->groups != 0) return "FlowkitGroupNorm: the channels must be a multiple of groups";
    if (tf.NumDims(shift) != 2 || (tf.Dim(shift, 0) != *n && tf.Dim(shift, 0) != 1) || tf.Dim(shift, 1) != *channels)
        return "FlowkitGroupNorm: shift must be [n, channels] or [1, channels]";
    if (tf.TensorElementCount(gamma) != *channels || tf.TensorElementCount(beta) != *channels)
        return "FlowkitGroupNorm: gamma and beta must have one value per channel";
    return NULL;
}

static void compute_forward(void *kernel, TF_OpKernelContext *ctx) {
    const Attrs *attrs = kernel;
    TF_Status *status = tf.NewStatus();
    TF_Tensor *in[4] = {0}, *out[3] = {0};
    float *work = NULL;
    if (!get_inputs(ctx, status, in, 4)) goto done;
    int64_t n, pixels, channels, groups = attrs->groups;
    const char *problem = tf.NumDims(in[0]) > 8 ? "FlowkitGroupNorm: x has rank above 8"
                                                : check_shapes(attrs, in[0], in[1], in[2], in[3], &n, &pixels, &channels);
    if (problem) { fail_kernel(ctx, status, problem); goto done; }
    int64_t stats_dims[2] = {n, groups};
    out[0] = allocate_like(ctx, 0, in[0], status);
    for (int i = 1; i < 3 && tf.GetCode(status) == TF_OK; i++)
        out[i] = tf.AllocateOutput(ctx, i, TF_FLOAT, stats_dims, 2, (size_t)(n * groups) * sizeof(float), status);
    if (tf.GetCode(status) != TF_OK) { tf.Failure(ctx, status); goto done; }
    const float *x = tf.TensorData(in[0]), *shift = tf.TensorData(in[1]), *gamma = tf.TensorData(in[2]), *beta = tf.TensorData(in[3]);
    int64_t shift_step = tf.Dim(in[1], 0) == 1 ? 0 : channels;
    float *y = tf.TensorData(out[0]), *means = tf.TensorData(out[1]), *inverses = tf.TensorData(out[2]);
    work = malloc(sizeof(float) * (size_t)(4 * channels + 2 * groups + 1));
    float *offset = work, *sums = work + channels, *a = work + 2 * channels, *b = work + 3 * channels;
    float *group_mean = work + 4 * channels, *group_inverse = group_mean + groups;
    int64_t width = channels / groups;
    float per_value = pixels * width == 0 ? 0.0f : 1.0f / (float)(pixels * width);
    for (int64_t e = 0; e < n; e++) {
        const float *xe = x + e * pixels * channels, *se = shift + e * shift_step;
        /* z - mean = x - (mean - shift): the offset folds the shift in */
        for (int64_t c = 0; c < channels; c++) offset[c] = -se[c];
        column_sums(xe, pixels, channels, offset, 0, sums);
        group_totals(sums, channels, groups, per_value, group_mean);
        for (int64_t c = 0; c < channels; c++) offset[c] = group_mean[c / width] - se[c];
        column_sums(xe, pixels, channels, offset, 1, sums);
        group_totals(sums, channels, groups, per_value, group_inverse);
        for (int64_t g = 0; g < groups; g++) {
            group_inverse[g] = 1.0f / sqrtf(group_inverse[g] + attrs->epsilon);
            means[e * groups + g] = group_mean[g];
            inverses[e * groups + g] = group_inverse[g];
        }
        for (int64_t c = 0; c < channels; c++) {
            a[c] = gamma[c] * group_inverse[c / width];
            b[c] = beta[c] - offset[c] * a[c];
        }
        scale_shift(xe, pixels, channels, a, b, attrs->silu, y + e * pixels * channels);
    }
done:
    free(work);
    for (int i = 0; i < 3; i++) if (out[i]) tf.DeleteTensor(out[i]);
    for (int i = 0; i < 4; i++) if (in[i]) tf.DeleteTensor(in[i]);
    tf.DeleteStatus(status);
}

/* ----------------------------------------------------------------------------------------------- gradient */

/*
 * First pass of one example: du = dy (times silu'(u), u = x a + b) into du; per channel sum du and sum du (x - offset).
 */
static void first_pass(const float *restrict dy, const float *restrict x, int64_t rows, int64_t cols, const float *a,
                       const float *b, const float *offset, int silu, float *restrict du, float *sum_du, float *sum_du_x) {
    int64_t c = 0;
    for (; c + 8 <= cols; c += 8) {
        __m256 va = _mm256_loadu_ps(a + c), vb = _mm256_loadu_ps(b + c), vo = _mm256_loadu_ps(offset + c);
        __m256 s = _mm256_setzero_ps(), sx = _mm256_setzero_ps();
        for (int64_t p = 0; p < rows; p++) {
            __m256 xv = _mm256_loadu_ps(x + p * cols + c), g = _mm256_loadu_ps(dy + p * cols + c);
            if (silu) {
                g = _mm256_mul_ps(g, silu_derivative8(_mm256_fmadd_ps(xv, va, vb)));
            }
            _mm256_storeu_ps(du + p * cols + c, g);
            s = _mm256_add_ps(s, g);
            sx = _mm256_fmadd_ps(g, _mm256_sub_ps(xv, vo), sx);
        }
        _mm256_storeu_ps(sum_du + c, s);
        _mm256_storeu_ps(sum_du_x + c, sx);
    }
    for (; c < cols; c++) {
        float s = 0.0f, sx = 0.0f;
        for (int64_t p = 0; p < rows; p++) {
            float xv = x[p * cols + c], g = dy[p * cols + c];
            if (silu) { float u = xv * a[c] + b[c], sg = sigmoid1(u); g *= sg * (1.0f + u * (1.0f - sg)); }
            du[p * cols + c] = g;
            s += g;
            sx += g * (xv - offset[c]);
        }
        sum_du[c] = s;
        sum_du_x[c] = sx;
    }
}

/* Second pass: dx = du a + x k1 + k0 over du's storage; per channel, sum dx added to sum_dx. */
static void second_pass(float *restrict dx, const float *restrict x, int64_t rows, int64_t cols, const float *a,
                        const float *k1, const float *k0, float *sum_dx) {
    int64_t c = 0;
    for (; c + 8 <= cols; c += 8) {
        __m256 va = _mm256_loadu_ps(a + c), v1 = _mm256_loadu_ps(k1 + c), v0 = _mm256_loadu_ps(k0 + c), s = _mm256_setzero_ps();
        for (int64_t p = 0; p < rows; p++) {
            float *at = dx + p * cols + c;
            __m256 d = _mm256_fmadd_ps(_mm256_loadu_ps(at), va, _mm256_fmadd_ps(_mm256_loadu_ps(x + p * cols + c), v1, v0));
            _mm256_storeu_ps(at, d);
            s = _mm256_add_ps(s, d);
        }
        _mm256_storeu_ps(sum_dx + c, _mm256_add_ps(_mm256_loadu_ps(sum_dx + c), s));
    }
    for (; c < cols; c++) {
        float s = 0.0f;
        for (int64_t p = 0; p < rows; p++) {
            float d = dx[p * cols + c] * a[c] + x[p * cols + c] * k1[c] + k0[c];
            dx[p * cols + c] = d;
            s += d;
        }
        sum_dx[c] += s;
    }
}

static void compute_gradient(void *kernel, TF_OpKernelContext *ctx) {
    const Attrs *attrs = kernel;
    TF_Status *status = tf.NewStatus();
    TF_Tensor *in[7] = {0}, *out[4] = {0};
    float *work = NULL;
    if (!get_inputs(ctx, status, in, 7)) goto done;
    int64_t n, pixels, channels, groups = attrs->groups;
    const char *problem = tf.NumDims(in[1]) > 8 ? "FlowkitGroupNormGrad: x has rank above 8"
                                                : check_shapes(attrs, in[1], in[2], in[3], in[4], &n, &pixels, &channels);
    if (!problem && tf.TensorElementCount(in[0]) != tf.TensorElementCount(in[1])) problem = "FlowkitGroupNormGrad: dy must have x's shape";
    if (!problem && (tf.TensorElementCount(in[5]) != n * groups || tf.TensorElementCount(in[6]) != n * groups))
        problem = "FlowkitGroupNormGrad: mean and inv_std must be [n, groups]";
    if (problem) { fail_kernel(ctx, status, problem); goto done; }
    out[0] = allocate_like(ctx, 0, in[1], status);
    if (tf.GetCode(status) == TF_OK) out[1] = allocate_like(ctx, 1, in[2], status);
    if (tf.GetCode(status) == TF_OK) out[2] = allocate_like(ctx, 2, in[3], status);
    if (tf.GetCode(status) == TF_OK) out[3] = allocate_like(ctx, 3, in[4], status);
    if (tf.GetCode(status) != TF_OK) { tf.Failure(ctx, status); goto done; }
    const float *dy = tf.TensorData(in[0]), *x = tf.TensorData(in[1]), *shift = tf.TensorData(in[2]);
    const float *gamma = tf.TensorData(in[3]), *beta = tf.TensorData(in[4]), *means = tf.TensorData(in[5]), *inverses = tf.TensorData(in[6]);
    float *dx = tf.TensorData(out[0]), *dshift = tf.TensorData(out[1]), *dgamma = tf.TensorData(out[2]), *dbeta = tf.TensorData(out[3]);
    int64_t shift_step = tf.Dim(in[2], 0) == 1 ? 0 : channels;
    memset(dshift, 0, sizeof(float) * (size_t)tf.TensorElementCount(in[2]));
    memset(dgamma, 0, sizeof(float) * (size_t)channels);
    memset(dbeta, 0, sizeof(float) * (size_t)channels);
    work = malloc(sizeof(float) * (size_t)(7 * channels + 2 * groups + 1));
    float *offset = work, *a = work + channels, *b = work + 2 * channels, *sum_du = work + 3 * channels;
    float *sum_du_x = work + 4 * channels, *k1 = work + 5 * channels, *k0 = work + 6 * channels;
    float *total_a = work + 7 * channels, *total_b = total_a + groups;
    int64_t width = channels / groups;
    float per_value = pixels * width == 0 ? 0.0f : 1.0f / (float)(pixels * width);
    for (int64_t e = 0; e < n; e++) {
        const float *xe = x + e * pixels * channels, *se = shift + e * shift_step;
        const float *mean = means + e * groups, *inverse = inverses + e * groups;
        for (int64_t c = 0; c < channels; c++) {
            offset[c] = mean[c / width] - se[c];
            a[c] = gamma[c] * inverse[c / width];
            b[c] = beta[c] - offset[c] * a[c];
        }
        float *dxe = dx + e * pixels * channels;
        first_pass(dy + e * pixels * channels, xe, pixels, channels, a, b, offset, attrs->silu, dxe, sum_du, sum_du_x);
        /* per channel: dbeta = sum du, dgamma = inv sum du (x - offset); per group: A = sum gamma dbeta, B = sum gamma dgamma */
        for (int64_t c = 0; c < channels; c++) {
            float inv = inverse[c / width];
            dbeta[c] += sum_du[c];
            dgamma[c] += sum_du_x[c] * inv;
            sum_du[c] *= gamma[c];
            sum_du_x[c] *= gamma[c] * inv;
        }
        group_totals(sum_du, channels, groups, per_value, total_a);
        group_totals(sum_du_x, channels, groups, per_value, total_b);
        /* dx = inv (gamma du - A/M - xhat B/M), xhat = (x - offset) inv */
        for (int64_t c = 0; c < channels; c++) {
            int64_t g = c / width;
            float inv = inverse[g];
            k1[c] = -inv * inv * total_b[g];
            k0[c] = -inv * total_a[g] + offset[c] * inv * inv * total_b[g];
        }
        second_pass(dxe, xe, pixels, channels, a, k1, k0, dshift + e * shift_step);
    }
done:
    free(work);
    for (int i = 0; i < 4; i++) if (out[i]) tf.DeleteTensor(out[i]);
    for (int i = 0; i < 7; i++) if (in[i]) tf.DeleteTensor(in[i]);
    tf.DeleteStatus(status);
}

/* Outputs 0 .. count - 1 have the shapes of inputs first .. first + count - 1; any others are left to the kernel. */
static void shapes_of(TF_ShapeInferenceContext *ctx, TF_Status *status, int first, int count) {
    tf.SetUnknownShape(ctx, status);
    TF_ShapeHandle *shape = tf.NewShapeHandle();
    for (int i = 0; i < count && tf.GetCode(status) == TF_OK; i++) {
        tf.GetInputShape(ctx, first + i, shape, status);
        if (tf.GetCode(status) == TF_OK) tf.SetOutputShape(ctx, i, shape, status);
    }
    tf.DeleteShapeHandle(shape);
}

/* y: x's shape (mean and inv_std [n, groups]); dx, dshift, dgamma, dbeta: x's, shift's, gamma's and beta's. */
static void forward_shape(TF_ShapeInferenceContext *ctx, TF_Status *status) { shapes_of(ctx, status, 0, 1); }
static void gradient_shape(TF_ShapeInferenceContext *ctx, TF_Status *status) { shapes_of(ctx, status, 1, 4); }

const OpKernel group_norm = {
    .name = "FlowkitGroupNorm",
    .inputs = {"x: float", "shift: float", "gamma: float", "beta: float"},
    .outputs = {"y: float", "mean: float", "inv_std: float"},
    .attrs = {"groups: int", "epsilon: float", "silu: bool"},
    .shape = forward_shape, .create = create_forward, .compute = compute_forward, .destroy = destroy,
};

const OpKernel group_norm_grad = {
    .name = "FlowkitGroupNormGrad",
    .inputs = {"dy: float", "x: float", "shift: float", "gamma: float", "beta: float", "mean: float", "inv_std: float"},
    .outputs = {"dx: float", "dshift: float", "dgamma: float", "dbeta: float"},
    .attrs = {"groups: int", "silu: bool"},
    .shape = gradient_shape, .create = create_gradient, .compute = compute_gradient, .destroy = destroy,
};
