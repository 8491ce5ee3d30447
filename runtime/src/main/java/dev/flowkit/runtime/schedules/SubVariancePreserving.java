package dev.flowkit.runtime.schedules;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Sub-VP diffusion: α_t = m, β_t = 1 − m²; α̇ = ½ β(s) m, β̇ = −β(s) m², finite everywhere (see {@link LinearBeta}).
 * Its SDE dx = −½ β(s) x ds + g dW has g² = β(s) (1 − e^{−2∫₀ˢβ}) = β(s) (1 − m⁴).
 */
public final class SubVariancePreserving implements Schedule {
    private final LinearBeta beta;

    public SubVariancePreserving(double betaMin, double betaMax) {
        this.beta = new LinearBeta(betaMin, betaMax);
    }

    @Override
    public ScheduleValues at(Ops tf, Operand<TFloat32> t) {
        LinearBeta.Kernel k = beta.at(tf, t);
        Operand<TFloat32> betaDot = tf.math.neg(tf.math.mul(k.rate(), tf.math.square(k.mean())));
        return new ScheduleValues(k.mean(), k.oneMinusMeanSquared(), k.meanDot(), betaDot);
    }

    @Override
    public Operand<TFloat32> diffusionSquared(Ops tf, Operand<TFloat32> t) {
        LinearBeta.Kernel k = beta.at(tf, t);
        // 1 − m⁴ = (1 − m²)(1 + m²)
        return tf.math.mul(k.rate(), tf.math.mul(k.oneMinusMeanSquared(), tf.math.add(tf.onesLike(t), tf.math.square(k.mean()))));
    }
}
