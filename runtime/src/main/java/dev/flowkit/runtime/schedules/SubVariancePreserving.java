package dev.flowkit.runtime.schedules;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Sub-VP diffusion: α_t = m, β_t = 1 − m²; α̇ = ½ β(s) m, β̇ = −β(s) m², finite everywhere (see {@link LinearBeta}). */
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
}
