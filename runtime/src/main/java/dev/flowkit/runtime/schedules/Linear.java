package dev.flowkit.runtime.schedules;

import dev.flowkit.runtime.graph.Tensors;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** α_t = t, β_t = 1 − t. */
public final class Linear implements Schedule {
    @Override
    public ScheduleValues at(Ops tf, Operand<TFloat32> t) {
        Operand<TFloat32> one = tf.onesLike(t);
        return new ScheduleValues(t, tf.math.sub(one, t), one, tf.math.neg(one));
    }

    /** ((1 − t)/t)² = e^L, so t = sigmoid(−L/2). */
    @Override
    public Operand<TFloat32> timeAtLogNoiseRatio(Ops tf, Operand<TFloat32> logRatio) {
        return tf.math.sigmoid(tf.math.mul(Tensors.scalar(tf, -0.5), logRatio));
    }
}
