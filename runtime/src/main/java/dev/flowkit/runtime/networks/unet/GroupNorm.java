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
        Operand<TFloat32> normalized = tf.math.mul(tf.math.sub(grouped, mean), tf.math.rsqrt(tf.math.add(variance, Tensors.scalar(tf, EPS))));
        Operand<TFloat32> back = tf.reshape(normalized, tf.constant(new int[] {-1, height, width, channels}));
        return tf.math.add(tf.math.mul(back, gamma), beta);
    }
}
