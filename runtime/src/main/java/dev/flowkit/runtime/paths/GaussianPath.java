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

    /**
     * Marginal score from marginal velocity: s = (α_t u − α̇_t x) / (β_t² α̇_t − α_t β̇_t β_t). Both are
     * expectations of the same (z, ε) given x, so any exact velocity gives the exact score; singular at t = 1
     * (β_t = 0), where the data's own score is.
     */
    public Operand<TFloat32> scoreFromVelocity(Ops tf, Operand<TFloat32> x, Operand<TFloat32> velocity, Operand<TFloat32> t) {
        ScheduleValues s = schedule().at(tf, t);
        Operand<TFloat32> numerator = tf.math.sub(tf.math.mul(s.alpha(), velocity), tf.math.mul(s.alphaDot(), x));
        Operand<TFloat32> denominator = tf.math.mul(s.beta(), tf.math.sub(tf.math.mul(s.beta(), s.alphaDot()), tf.math.mul(s.alpha(), s.betaDot())));
        return tf.math.div(numerator, denominator);
    }

    /**
     * Marginal velocity from marginal score: u = (α̇_t/α_t) x + (β_t² α̇_t/α_t − β̇_t β_t) s. Singular at t = 0
     * (α_t = 0), where the score of N(0, I) carries no information about the data.
     */
    public Operand<TFloat32> velocityFromScore(Ops tf, Operand<TFloat32> x, Operand<TFloat32> score, Operand<TFloat32> t) {
        ScheduleValues s = schedule().at(tf, t);
        Operand<TFloat32> xCoefficient = tf.math.div(s.alphaDot(), s.alpha());
        Operand<TFloat32> scoreCoefficient = tf.math.sub(tf.math.mul(tf.math.square(s.beta()), xCoefficient), tf.math.mul(s.betaDot(), s.beta()));
        return tf.math.add(tf.math.mul(xCoefficient, x), tf.math.mul(scoreCoefficient, score));
    }
}
