package dev.flowkit.runtime.distributions;

import dev.flowkit.runtime.graph.RandomKey;
import dev.flowkit.runtime.graph.Tensors;
import dev.flowkit.spec.Moons;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * scikit-learn's two moons: the upper arc (cos θ, sin θ) and the lower arc (1 − cos θ, ½ − sin θ),
 * θ ~ U[0, π], each point on either with probability ½, plus N(0, noise²) — then centred on the
 * origin (the arcs span x ∈ [−1, 2], y ∈ [−½, 1]) and multiplied by scale.
 */
public final class MoonsDistribution extends PlanarDistribution<Moons> {
    public MoonsDistribution(Moons spec) {
        super(spec);
    }

    @Override
    public Operand<TFloat32> sample(Ops tf, Operand<TInt32> count, RandomKey key) {
        Operand<TInt32> column = Tensors.shape(tf, count, 1);
        Operand<TFloat32> theta = tf.math.mul(key.uniform(tf, column, 1), Tensors.scalar(tf, Math.PI));
        Operand<TFloat32> lower = tf.math.floor(tf.math.mul(key.uniform(tf, column, 2), Tensors.scalar(tf, 2)));
        Operand<TFloat32> upper = tf.math.sub(Tensors.scalar(tf, 1), lower);
        Operand<TFloat32> cos = tf.math.cos(theta);
        Operand<TFloat32> sin = tf.math.sin(theta);
        // upper: (cos, sin); lower: (1 - cos, 0.5 - sin); centre (0.5, 0.25)
        Operand<TFloat32> x = tf.math.add(tf.math.mul(upper, cos), tf.math.mul(lower, tf.math.sub(Tensors.scalar(tf, 1), cos)));
        Operand<TFloat32> y = tf.math.add(tf.math.mul(upper, sin), tf.math.mul(lower, tf.math.sub(Tensors.scalar(tf, 0.5), sin)));
        Operand<TFloat32> points = tf.concat(List.of(tf.math.sub(x, Tensors.scalar(tf, 0.5)), tf.math.sub(y, Tensors.scalar(tf, 0.25))), tf.constant(1));
        Operand<TFloat32> noise = key.normal(tf, Tensors.shape(tf, count, 2), 3);
        Operand<TFloat32> noisy = tf.math.add(points, tf.math.mul(noise, Tensors.scalar(tf, spec.getNoise())));
        return tf.math.mul(noisy, Tensors.scalar(tf, spec.getScale()));
    }
}
