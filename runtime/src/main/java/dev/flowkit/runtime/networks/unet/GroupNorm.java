package dev.flowkit.runtime.networks.unet;

import dev.flowkit.runtime.networks.Parameters;

import dev.flowkit.runtime.graph.Tensors;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TFloat32;

/** GroupNorm: each example's channels in [groups] groups, normalized over (h, w, channels of the group), then γ x + β. */
final class GroupNorm {
    private static final double EPS = 1e-5;
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

    Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x, int height, int width) {
        Operand<TFloat32> grouped = tf.reshape(x, tf.constant(new int[] {-1, height, width, groups, channels / groups}));
        Operand<org.tensorflow.types.TInt32> axes = tf.constant(new int[] {1, 2, 4});
        Operand<TFloat32> mean = tf.math.mean(grouped, axes, Mean.keepDims(true));
        Operand<TFloat32> variance = tf.math.mean(tf.math.squaredDifference(grouped, mean), axes, Mean.keepDims(true));
        // y = x·a + b with per-(example, channel) a = γ/σ and b = β − μ a: two passes over the activations, not four
        Operand<TFloat32> inverse = tf.math.rsqrt(tf.math.add(variance, Tensors.scalar(tf, EPS))); // [n, 1, 1, G, 1]
        Operand<TFloat32> gammaGrouped = tf.reshape(gamma, tf.constant(new int[] {1, 1, 1, groups, channels / groups}));
        Operand<TFloat32> betaGrouped = tf.reshape(beta, tf.constant(new int[] {1, 1, 1, groups, channels / groups}));
        Operand<TFloat32> scale = tf.math.mul(inverse, gammaGrouped); // [n, 1, 1, G, c/G]
        Operand<TFloat32> shift = tf.math.sub(betaGrouped, tf.math.mul(mean, scale));
        Operand<TFloat32> normalized = tf.math.add(tf.math.mul(grouped, scale), shift);
        return tf.reshape(normalized, tf.constant(new int[] {-1, height, width, channels}));
    }
}
