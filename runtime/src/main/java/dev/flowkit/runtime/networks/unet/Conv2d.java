package dev.flowkit.runtime.networks.unet;

import dev.flowkit.runtime.graph.Tensors;
import dev.flowkit.runtime.networks.FusedDense;
import dev.flowkit.runtime.networks.Parameters;

import dev.flowkit.spec.Padding;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * A 3×3 convolution (NHWC, dilation 1: TensorFlow's Conv2D gradient is correct there), [in] → [out] channels at
 * [stride]; with [transposed] its adjoint (Conv2DBackpropInput), which up-samples by [stride] to a given size, so the
 * decoder reaches exactly the encoder's sizes (28 → 14 → 7 → 4 and back). Both run as Flowkit's native kernel where it
 * is loaded ({@link ConvKernel}), else as TensorFlow's ops. A stride-1 transposed convolution onto a
 * few channels (the output layer) is a matrix product and a sum of its 9 shifted taps instead: oneDNN's kernel for
 * one output channel ran at 5 GFLOP/s (4.7 ms for [32, 26, 26, 64] → [32, 28, 28, 1] on one core, 0.4 ms this way).
 */
final class Conv2d {
    private final Variable<TFloat32> filter;
    private final Variable<TFloat32> bias;
    private final int stride;
    private final String padding;
    private final boolean transposed;
    private final int out;

    Conv2d(Parameters p, String name, int in, int out, int stride, Padding padding, boolean transposed, boolean withBias) {
        // a transposed convolution's filter is [3, 3, out, in]: the forward convolution it is the adjoint of maps out → in
        this.filter = transposed ? p.uniform(name + ".filter", 9 * in, 3, 3, out, in) : p.uniform(name + ".filter", 9 * in, 3, 3, in, out);
        this.bias = withBias ? p.zeros(name + ".b", out) : null;
        this.stride = stride;
        this.padding = padding == Padding.SAME ? "SAME" : "VALID";
        this.transposed = transposed;
        this.out = out;
    }

    private static final int FEW_CHANNELS = 4;

    /**
     * The stride-1 transposed convolution as out[p, q] = Σ_ab x[p − a, q − b] · filter[a, b]ᵀ: one product
     * [n·h·w, in] × [in, 9·out] gives every tap's contribution at once, and each tap's slice lands on the (h + 2) × (w + 2)
     * canvas at offset (a, b) (VALID; SAME keeps its centre). The input's parts (channel blocks) are multiplied by their
     * rows of the taps and summed, so they are never concatenated (the U-Net's [decoder | encoder] at full size).
     */
    private Operand<TFloat32> shiftedTaps(Ops tf, List<Operand<TFloat32>> parts, int[] partChannels, int height, int width) {
        long[] shape = filter.shape().asArray(); // [3, 3, out, in]
        int in = (int) shape[3];
        boolean same = padding.equals("SAME");
        int h = same ? height : height - 2;
        int w = same ? width : width - 2;
        Operand<TFloat32> taps = tf.reshape(tf.linalg.transpose(filter, tf.constant(new int[] {3, 0, 1, 2})), tf.constant(new int[] {in, 9 * out}));
        List<Operand<TFloat32>> inputs = new java.util.ArrayList<>();
        List<Operand<TFloat32>> rows = new java.util.ArrayList<>();
        for (int i = 0, row = 0; i < parts.size(); row += partChannels[i], i++) {
            inputs.add(tf.reshape(parts.get(i), tf.constant(new int[] {-1, partChannels[i]})));
            rows.add(parts.size() == 1 ? taps : tf.slice(taps, tf.constant(new int[] {row, 0}), tf.constant(new int[] {partChannels[i], 9 * out})));
        }
        Operand<TFloat32> sum = FusedDense.apply(tf, inputs, rows, tf.constant(new float[9 * out]), false);
        Operand<TFloat32> products = tf.reshape(sum, tf.constant(new int[] {-1, h, w, 9 * out}));
        List<Operand<TFloat32>> shifted = new java.util.ArrayList<>();
        for (int a = 0; a < 3; a++) {
            for (int b = 0; b < 3; b++) {
                Operand<TFloat32> tap = tf.slice(products, tf.constant(new int[] {0, 0, 0, (3 * a + b) * out}), tf.constant(new int[] {-1, h, w, out}));
                shifted.add(tf.pad(tap, tf.constant(new int[][] {{0, 0}, {a, 2 - a}, {b, 2 - b}, {0, 0}}), Tensors.scalar(tf, 0)));
            }
        }
        Operand<TFloat32> canvas = tf.math.addN(shifted);
        return same ? tf.slice(canvas, tf.constant(new int[] {0, 1, 1, 0}), tf.constant(new int[] {-1, height, width, out})) : canvas;
    }

    /** [n, h, w, in] → [n, height, width, out], the output's size [height, width]. */
    Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x, int height, int width) {
        return apply(tf, List.of(x), height, width);
    }

    /** The same for an input given as channel blocks [n, h, w, in_i] (their concatenation), with static channel counts. */
    Operand<TFloat32> apply(Ops tf, List<Operand<TFloat32>> parts, int height, int width) {
        List<Long> strides = List.of(1L, (long) stride, (long) stride, 1L);
        int[] partChannels = parts.stream().mapToInt(part -> (int) part.shape().get(part.shape().numDimensions() - 1)).toArray();
        Operand<TFloat32> y;
        if (transposed && stride == 1 && out <= FEW_CHANNELS && java.util.Arrays.stream(partChannels).allMatch(c -> c > 0)) {
            y = shiftedTaps(tf, parts, partChannels, height, width);
        } else {
            Operand<TFloat32> x = parts.size() == 1 ? parts.get(0) : tf.concat(parts, tf.constant(3));
            if (ConvKernel.isNative()) {
                y = ConvKernel.apply(tf, x, filter, stride, padding, transposed, height, width, out);
            } else if (transposed) {
                Operand<org.tensorflow.types.TInt32> batch = tf.gather(tf.shape(x), tf.constant(0), tf.constant(0));
                Operand<org.tensorflow.types.TInt32> size = tf.stack(List.of(batch, tf.constant(height), tf.constant(width), tf.constant(out)));
                y = tf.nn.conv2dBackpropInput(size, filter, x, strides, padding);
            } else {
                y = tf.nn.conv2d(x, filter, strides, padding);
            }
        }
        return bias == null ? y : tf.nn.biasAdd(y, bias);
    }
}
