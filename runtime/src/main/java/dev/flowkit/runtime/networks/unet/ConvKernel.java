package dev.flowkit.runtime.networks.unet;

import dev.flowkit.runtime.graph.NativeKernels;
import java.util.List;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.TensorFlow;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A 3×3 convolution or its transposed (adjoint) as Flowkit's native kernel `FlowkitConv2D` (runtime/src/main/c/conv.c):
 * each output pixel a row of one product over its valid taps, on AVX-512 (else AVX2) register tiles. oneDNN's
 * convolutions of a ScoreNet sampling step ran at about 50 GFLOP/s per core, a quarter of its own matrix product's
 * rate here; these run at 150–180, and sampling 64 images went from ~2 500 to ~5 500 image-steps/s. The same numbers as
 * Conv2D and Conv2DBackpropInput up to rounding (tested against them, values and gradients, with either tile width);
 * its gradient is TensorFlow's own pair for that convolution (registered here), so training differentiates as before.
 */
final class ConvKernel {
    private ConvKernel() {}

    private static final boolean GRADIENT = NativeKernels.loaded(NativeKernels.CONV) && registerGradient();

    /** Whether graphs built now get the kernel (else TensorFlow's convolutions). */
    static boolean isNative() {
        return GRADIENT && NativeKernels.has(NativeKernels.CONV);
    }

    /**
     * x [n, h, w, C] → [n, height, width, out]: Conv2D(x, filter [3, 3, C, out]) at [stride], or transposed,
     * Conv2DBackpropInput([n, height, width, out], filter [3, 3, out, C], x); padding "SAME" or "VALID".
     */
    static Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x, Operand<TFloat32> filter, int stride, String padding, boolean transposed,
                                   int height, int width, int out) {
        // an empty tensor whose shape [height, width, out, 0] is the output's: what the kernel's shape function reads
        Operand<TFloat32> size = tf.constant(Shape.of(height, width, out, 0), DataBuffers.ofFloats(0));
        @SuppressWarnings("unchecked") Output<TFloat32> y = (Output<TFloat32>) (Output<?>) tf.scope().opBuilder(NativeKernels.CONV, "Conv2D")
                .addInput(x.asOutput()).addInput(filter.asOutput()).addInput(size.asOutput())
                .setAttr("stride", stride).setAttr("same", padding.equals("SAME")).setAttr("transposed", transposed)
                .build().output(0);
        return y;
    }

    /**
     * dx and dfilter as TensorFlow differentiates the convolution the kernel computes: for Conv2D, its input's and
     * filter's backprops; for the transposed one (Conv2DBackpropInput of x), Conv2D of dy and the filter's backprop
     * with the roles of x and dy exchanged.
     */
    private static boolean registerGradient() {
        try {
            return TensorFlow.registerCustomGradient(NativeKernels.CONV, (tf, op, gradients) -> {
                GraphOperation conv = (GraphOperation) op;
                @SuppressWarnings("unchecked") Operand<TFloat32> x = (Operand<TFloat32>) conv.input(0);
                @SuppressWarnings("unchecked") Operand<TFloat32> filter = (Operand<TFloat32>) conv.input(1);
                @SuppressWarnings("unchecked") Operand<TFloat32> dy = (Operand<TFloat32>) gradients.get(0);
                var attributes = conv.attributes();
                long stride = attributes.getAttrInt("stride");
                String padding = attributes.getAttrBool("same") ? "SAME" : "VALID";
                List<Long> strides = List.of(1L, stride, stride, 1L);
                Operand<TFloat32> dx;
                Operand<TFloat32> dfilter;
                if (attributes.getAttrBool("transposed")) {
                    dx = tf.nn.conv2d(dy, filter, strides, padding);
                    dfilter = tf.nn.conv2dBackpropFilter(dy, tf.shape(filter), x, strides, padding);
                } else {
                    dx = tf.nn.conv2dBackpropInput(tf.shape(x), filter, dy, strides, padding);
                    dfilter = tf.nn.conv2dBackpropFilter(x, tf.shape(filter), dy, strides, padding);
                }
                return List.of(dx, dfilter, tf.zerosLike(conv.input(2)));
            });
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }
}
