package dev.flowkit.runtime.schedules;

import dev.flowkit.runtime.graph.Tensors;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** α_t = sin(πt/2), β_t = cos(πt/2). */
public final class Cosine implements Schedule {
    @Override
    public ScheduleValues at(Ops tf, Operand<TFloat32> t) {
        Operand<TFloat32> halfPi = Tensors.scalar(tf, Math.PI / 2);
        Operand<TFloat32> angle = tf.math.mul(t, halfPi);
        Operand<TFloat32> sin = tf.math.sin(angle);
        Operand<TFloat32> cos = tf.math.cos(angle);
        return new ScheduleValues(sin, cos, tf.math.mul(halfPi, cos), tf.math.neg(tf.math.mul(halfPi, sin)));
    }
}
