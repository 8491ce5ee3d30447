package dev.flowkit.runtime.networks.unet;

import dev.flowkit.runtime.networks.Dense;
import dev.flowkit.runtime.networks.Parameters;

import dev.flowkit.runtime.graph.RandomKey;
import dev.flowkit.runtime.graph.Tensors;
import dev.flowkit.spec.Activation;
import dev.flowkit.spec.Padding;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * x + conv₂(dropout(act(GN₂(conv₁(act(GN₁(x))) + Dense(e))))) at a fixed size and channel count (DDPM's block;
 * always zero-padded so the sum is defined). Dropout only in training, with the step's own key.
 */
final class ResidualBlock {
    private final GroupNorm norm1;
    private final Conv2d conv1;
    private final Dense time;
    private final GroupNorm norm2;
    private final Conv2d conv2;
    private final Activation activation;
    private final double dropout;
    private final int height;
    private final int width;

    ResidualBlock(Parameters p, String name, int embedding, int channels, int groups, Activation activation, double dropout,
                  int height, int width) {
        this.norm1 = new GroupNorm(p, name + ".norm1", groups, channels);
        this.conv1 = new Conv2d(p, name + ".conv1", channels, channels, 1, Padding.SAME, false, false);
        this.time = new Dense(p, name + ".time", embedding, channels);
        this.norm2 = new GroupNorm(p, name + ".norm2", groups, channels);
        this.conv2 = new Conv2d(p, name + ".conv2", channels, channels, 1, Padding.SAME, false, true);
        this.activation = activation;
        this.dropout = dropout;
        this.height = height;
        this.width = width;
    }

    /** [dropoutKey] null: no dropout, evaluated for sampling and evaluation, not training (see Activations). */
    Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x, Operand<TFloat32> e, RandomKey dropoutKey) {
        boolean training = dropoutKey != null;
        Operand<TFloat32> h = conv1.apply(tf, norm1.apply(tf, x, null, height, width, activation, training), height, width);
        h = norm2.apply(tf, h, time.apply(tf, e), height, width, activation, training);
        if (dropoutKey != null && dropout > 0) {
            // keep each value with probability 1 − p and scale by 1/(1 − p); the mask's shape is not differentiated
            Operand<TFloat32> u = dropoutKey.uniform(tf, tf.stopGradient(tf.shape(h)), 0);
            Operand<TFloat32> keep = tf.dtypes.cast(tf.math.greaterEqual(u, Tensors.scalar(tf, dropout)), TFloat32.class);
            h = tf.math.mul(h, tf.math.mul(keep, Tensors.scalar(tf, 1 / (1 - dropout))));
        }
        return tf.math.add(x, conv2.apply(tf, h, height, width));
    }
}
