package dev.flowkit.runtime.paths;

import dev.flowkit.runtime.graph.Tensors;
import dev.flowkit.runtime.schedules.Schedule;
import dev.flowkit.runtime.schedules.ScheduleValues;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * p_t(x | z) = N(α_t z, β_t² I): an affine path from the source N(0, β_0² I) (whose draws, divided by β_0, are the
 * standard noise ε), with closed-form conditional field and score, and the score among its conversions.
 */
public final class GaussianPath extends AffinePath {
    public GaussianPath(Schedule schedule) {
        super(schedule);
    }

    @Override
    public PathSample sample(Ops tf, Operand<TFloat32> x0, Operand<TFloat32> z, Operand<TFloat32> t) {
        double sourceStd = schedule().sourceStd();
        Operand<TFloat32> noise = sourceStd == 1.0 ? x0 : tf.math.div(x0, Tensors.scalar(tf, sourceStd));
        return combine(tf, x0, z, t, noise);
    }

    @Override
    protected boolean hasScore() {
        return true;
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
