package dev.flowkit.runtime.schedules;

import dev.flowkit.runtime.graph.Tensors;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** α_t = t, β_t = √(1 − t). */
public final class SquareRoot implements Schedule {
    /** β̇ = −1/(2√(1 − t)) is infinite at t = 1; 1 − t is floored here so training targets stay finite. */
    static final double MIN_REMAINING = 1e-4;

    @Override
    public ScheduleValues at(Ops tf, Operand<TFloat32> t) {
        Operand<TFloat32> one = tf.onesLike(t);
        Operand<TFloat32> remaining = tf.math.sub(one, t);
        Operand<TFloat32> beta = tf.math.sqrt(tf.math.maximum(remaining, tf.zerosLike(t)));
        Operand<TFloat32> safe = tf.math.sqrt(tf.math.maximum(remaining, Tensors.scalar(tf, MIN_REMAINING)));
        Operand<TFloat32> betaDot = tf.math.div(Tensors.scalar(tf, -0.5), safe);
        return new ScheduleValues(t, beta, one, betaDot);
    }
}
