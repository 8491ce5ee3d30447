package dev.flowkit.runtime.networks.unet;

import dev.flowkit.runtime.networks.Dense;
import dev.flowkit.runtime.networks.Parameters;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.train.BatchMatMul;
import org.tensorflow.types.TFloat32;

/** Single-head self-attention over the h·w positions: x + W_o softmax(q kᵀ/√c) v with q, k, v = W·GN(x). */
final class SelfAttention {
    private final GroupNorm norm;
    private final Dense query;
    private final Dense key;
    private final Dense value;
    private final Dense output;
    private final int channels;
    private final int height;
    private final int width;

    SelfAttention(Parameters p, String name, int channels, int groups, int height, int width) {
        this.norm = new GroupNorm(p, name + ".norm", groups, channels);
        this.query = new Dense(p, name + ".q", channels, channels);
        this.key = new Dense(p, name + ".k", channels, channels);
        this.value = new Dense(p, name + ".v", channels, channels);
        this.output = new Dense(p, name + ".out", channels, channels);
        this.channels = channels;
        this.height = height;
        this.width = width;
    }

    Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x) {
        Operand<TFloat32> flat = tf.reshape(norm.apply(tf, x, null, height, width, null, false), tf.constant(new int[] {-1, channels}));
        Operand<TFloat32> q = positions(tf, query.apply(tf, flat));
        Operand<TFloat32> k = positions(tf, key.apply(tf, flat));
        Operand<TFloat32> v = positions(tf, value.apply(tf, flat));
        Operand<TFloat32> scores = tf.math.mul(tf.train.batchMatMul(q, k, TFloat32.class, BatchMatMul.adjY(true)),
                tf.constant((float) (1 / Math.sqrt(channels))));
        Operand<TFloat32> attended = tf.train.batchMatMul(tf.nn.softmax(scores), v, TFloat32.class);
        Operand<TFloat32> projected = output.apply(tf, tf.reshape(attended, tf.constant(new int[] {-1, channels})));
        return tf.math.add(x, tf.reshape(projected, tf.constant(new int[] {-1, height, width, channels})));
    }

    private Operand<TFloat32> positions(Ops tf, Operand<TFloat32> rows) {
        return tf.reshape(rows, tf.constant(new int[] {-1, height * width, channels}));
    }
}
