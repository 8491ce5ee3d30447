package dev.flowkit.runtime.paths;

import dev.flowkit.runtime.schedules.Schedule;
import dev.flowkit.runtime.schedules.ScheduleValues;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** p_t(x | z) = N(α_t z, β_t² I): an affine path from the standard Gaussian, with closed-form field and score. */
public final class GaussianPath extends AffinePath {
    public GaussianPath(Schedule schedule) {
        super(schedule);
    }

    /** u_t(x | z) = (α̇_t − (β̇_t/β_t) α_t) z + (β̇_t/β_t) x. */
    public Operand<TFloat32> conditionalVectorField(Ops tf, Operand<TFloat32> x, Operand<TFloat32> z, Operand<TFloat32> t) {
        ScheduleValues s = schedule().at(tf, t);
        Operand<TFloat32> ratio = tf.math.div(s.betaDot(), s.beta());
        Operand<TFloat32> zCoefficient = tf.math.sub(s.alphaDot(), tf.math.mul(ratio, s.alpha()));
        return tf.math.add(tf.math.mul(zCoefficient, z), tf.math.mul(ratio, x));
    }

    /** ∇ log p_t(x | z) = (α_t z − x) / β_t². */
    public Operand<TFloat32> conditionalScore(Ops tf, Operand<TFloat32> x, Operand<TFloat32> z, Operand<TFloat32> t) {
        ScheduleValues s = schedule().at(tf, t);
        return tf.math.div(tf.math.sub(tf.math.mul(s.alpha(), z), x), tf.math.square(s.beta()));
    }
}
