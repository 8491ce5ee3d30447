package dev.flowkit.runtime.schedules;

import dev.flowkit.runtime.graph.Tensors;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** α_t = t^p, β_t = 1 − t^p (p ≥ 1). */
public final class Polynomial implements Schedule {
    private final double exponent;

    public Polynomial(double exponent) {
        this.exponent = exponent;
    }

    @Override
    public ScheduleValues at(Ops tf, Operand<TFloat32> t) {
        Operand<TFloat32> alpha = tf.math.pow(t, Tensors.scalar(tf, exponent));
        Operand<TFloat32> alphaDot = tf.math.mul(Tensors.scalar(tf, exponent), tf.math.pow(t, Tensors.scalar(tf, exponent - 1)));
        return new ScheduleValues(alpha, tf.math.sub(tf.onesLike(t), alpha), alphaDot, tf.math.neg(alphaDot));
    }
}
