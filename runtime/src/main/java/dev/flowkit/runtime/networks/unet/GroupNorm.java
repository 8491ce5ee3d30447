package dev.flowkit.runtime.networks.unet;

import dev.flowkit.runtime.graph.NativeKernels;
import dev.flowkit.runtime.graph.Tensors;
import dev.flowkit.runtime.networks.Activations;
import dev.flowkit.runtime.networks.Parameters;
import dev.flowkit.spec.Activation;
import java.util.List;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.TensorFlow;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * act(GroupNorm(x + shift)): each example's channels in [groups] groups, x + shift normalized over (h, w, channels of
 * the group), then γ x + β and the activation (none, or the block's). Where Flowkit's native kernels are loaded, SiLU
 * or no activation is one kernel (`FlowkitGroupNorm`, with `FlowkitGroupNormGrad` registered as its gradient), a few
 * passes over each example in cache where TensorFlow's composition took about a third of a ScoreNet sampling step;
 * otherwise the composition below. The two are tested against each other, values and gradients.
 */
final class GroupNorm {
    private static final double EPS = 1e-5;
    private static final boolean GRADIENT = NativeKernels.loaded(NativeKernels.GROUP_NORM) && registerGradient();
    private final Variable<TFloat32> gamma;
    private final Variable<TFloat32> beta;
    private final int groups;
    private final int channels;

    GroupNorm(Parameters p, String name, int groups, int channels) {
        this.gamma = p.ones(name + ".gamma", channels);
        this.beta = p.zeros(name + ".beta", channels);
        this.groups = groups;
        this.channels = channels;
    }

    /** act(GN(x + shift)) of images x [n, height, width, channels]; shift [n or 1, channels] or null; activation null: none. */
    Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x, Operand<TFloat32> shift, int height, int width, Activation activation, boolean training) {
        if (GRADIENT && NativeKernels.has(NativeKernels.GROUP_NORM) && (activation == null || activation == Activation.SILU)) return fused(tf, x, shift, activation != null);
        return composed(tf, x, shift, height, width, activation, training);
    }

    Operand<TFloat32> composed(Ops tf, Operand<TFloat32> x, Operand<TFloat32> shift, int height, int width, Activation activation, boolean training) {
        Operand<TFloat32> h = shift == null ? x : tf.math.add(x, tf.reshape(shift, tf.constant(new int[] {-1, 1, 1, channels})));
        Operand<TFloat32> grouped = tf.reshape(h, tf.constant(new int[] {-1, height, width, groups, channels / groups}));
        Operand<TInt32> axes = tf.constant(new int[] {1, 2, 4});
        Operand<TFloat32> mean = tf.math.mean(grouped, axes, Mean.keepDims(true));
        Operand<TFloat32> variance = tf.math.mean(tf.math.squaredDifference(grouped, mean), axes, Mean.keepDims(true));
        // y = x·a + b with per-(example, channel) a = γ/σ and b = β − μ a: two passes over the activations, not four
        Operand<TFloat32> inverse = tf.math.rsqrt(tf.math.add(variance, Tensors.scalar(tf, EPS))); // [n, 1, 1, G, 1]
        Operand<TFloat32> gammaGrouped = tf.reshape(gamma, tf.constant(new int[] {1, 1, 1, groups, channels / groups}));
        Operand<TFloat32> betaGrouped = tf.reshape(beta, tf.constant(new int[] {1, 1, 1, groups, channels / groups}));
        Operand<TFloat32> scale = tf.math.mul(inverse, gammaGrouped); // [n, 1, 1, G, c/G]
        Operand<TFloat32> offset = tf.math.sub(betaGrouped, tf.math.mul(mean, scale));
        Operand<TFloat32> normalized = tf.reshape(tf.math.add(tf.math.mul(grouped, scale), offset), tf.constant(new int[] {-1, height, width, channels}));
        return activation == null ? normalized : Activations.apply(tf, normalized, activation, training);
    }

    private Operand<TFloat32> fused(Ops tf, Operand<TFloat32> x, Operand<TFloat32> shift, boolean silu) {
        if (shift == null) shift = tf.constant(new float[1][channels]); // one zero row for every example
        @SuppressWarnings("unchecked") Output<TFloat32> y = (Output<TFloat32>) (Output<?>) tf.scope().opBuilder(NativeKernels.GROUP_NORM, "GroupNorm")
                .addInput(x.asOutput()).addInput(shift.asOutput()).addInput(gamma.asOutput()).addInput(beta.asOutput())
                .setAttr("groups", groups).setAttr("epsilon", (float) EPS).setAttr("silu", silu).build().output(0);
        return y;
    }

    /** The gradient with respect to x, shift, γ and β, by the gradient kernel from the forward op's saved statistics. */
    private static boolean registerGradient() {
        try {
            return TensorFlow.registerCustomGradient(NativeKernels.GROUP_NORM, (tf, op, gradients) -> {
                GraphOperation forward = (GraphOperation) op;
                var builder = tf.scope().opBuilder(NativeKernels.GROUP_NORM_GRAD, "GroupNormGrad").addInput(gradients.get(0));
                for (int i = 0; i < 4; i++) builder.addInput(forward.input(i));
                GraphOperation grad = (GraphOperation) builder.addInput(forward.output(1)).addInput(forward.output(2))
                        .setAttr("groups", forward.attributes().getAttrInt("groups"))
                        .setAttr("silu", forward.attributes().getAttrBool("silu")).build();
                return List.of(grad.output(0), grad.output(1), grad.output(2), grad.output(3));
            });
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }
}
