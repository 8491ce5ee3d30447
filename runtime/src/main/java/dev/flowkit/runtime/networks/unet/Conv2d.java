package dev.flowkit.runtime.networks.unet;

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
 * decoder reaches exactly the encoder's sizes (28 → 14 → 7 → 4 and back).
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

    /** [n, h, w, in] → [n, height, width, out]; height and width matter only for a transposed convolution. */
    Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x, int height, int width) {
        List<Long> strides = List.of(1L, (long) stride, (long) stride, 1L);
        Operand<TFloat32> y;
        if (transposed) {
            Operand<org.tensorflow.types.TInt32> batch = tf.gather(tf.shape(x), tf.constant(0), tf.constant(0));
            Operand<org.tensorflow.types.TInt32> size = tf.stack(List.of(batch, tf.constant(height), tf.constant(width), tf.constant(out)));
            y = tf.nn.conv2dBackpropInput(size, filter, x, strides, padding);
        } else {
            y = tf.nn.conv2d(x, filter, strides, padding);
        }
        return bias == null ? y : tf.nn.biasAdd(y, bias);
    }
}
