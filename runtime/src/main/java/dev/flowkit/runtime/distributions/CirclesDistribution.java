package dev.flowkit.runtime.distributions;

import dev.flowkit.runtime.graph.RandomKey;
import dev.flowkit.runtime.graph.Tensors;
import dev.flowkit.spec.Circles;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** scikit-learn's two circles: radius 1 or factor (probability ½ each), angle ~ U[0, 2π), plus N(0, noise²), times scale. */
public final class CirclesDistribution extends PlanarDistribution<Circles> {
    public CirclesDistribution(Circles spec) {
        super(spec);
    }

    @Override
    public Operand<TFloat32> sample(Ops tf, Operand<TInt32> count, RandomKey key) {
        Operand<TInt32> column = Tensors.shape(tf, count, 1);
        Operand<TFloat32> angle = tf.math.mul(key.uniform(tf, column, 1), Tensors.scalar(tf, 2 * Math.PI));
        Operand<TFloat32> inner = tf.math.floor(tf.math.mul(key.uniform(tf, column, 2), Tensors.scalar(tf, 2)));
        // radius = 1 − inner·(1 − factor)
        Operand<TFloat32> radius = tf.math.sub(Tensors.scalar(tf, 1), tf.math.mul(inner, Tensors.scalar(tf, 1 - spec.getFactor())));
        Operand<TFloat32> points = tf.concat(List.of(tf.math.mul(radius, tf.math.cos(angle)), tf.math.mul(radius, tf.math.sin(angle))), tf.constant(1));
        Operand<TFloat32> noise = key.normal(tf, Tensors.shape(tf, count, 2), 3);
        Operand<TFloat32> noisy = tf.math.add(points, tf.math.mul(noise, Tensors.scalar(tf, spec.getNoise())));
        return tf.math.mul(noisy, Tensors.scalar(tf, spec.getScale()));
    }
}
