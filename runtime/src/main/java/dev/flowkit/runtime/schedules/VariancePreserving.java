package dev.flowkit.runtime.schedules;

import dev.flowkit.runtime.graph.Tensors;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * VP diffusion: α_t = m, β_t = √(1 − m²); α̇ = ½ β(s) m, β̇ = −α̇ m / β_t (see {@link LinearBeta}).
 * β̇ is infinite at t = 1, where β_t = 0: 1 − m² is floored at 10⁻⁴ in that division only.
 * Its SDE dx = −½ β(s) x ds + √β(s) dW has g² = β(s).
 */
public final class VariancePreserving implements Schedule {
    static final double MIN_VARIANCE = 1e-4;
    private final LinearBeta beta;

    public VariancePreserving(double betaMin, double betaMax) {
        this.beta = new LinearBeta(betaMin, betaMax);
    }

    @Override
    public ScheduleValues at(Ops tf, Operand<TFloat32> t) {
        LinearBeta.Kernel k = beta.at(tf, t);
        Operand<TFloat32> safeStd = tf.math.sqrt(tf.math.maximum(k.oneMinusMeanSquared(), Tensors.scalar(tf, MIN_VARIANCE)));
        Operand<TFloat32> betaDot = tf.math.neg(tf.math.div(tf.math.mul(k.meanDot(), k.mean()), safeStd));
        return new ScheduleValues(k.mean(), tf.math.sqrt(k.oneMinusMeanSquared()), k.meanDot(), betaDot);
    }

    /** g²/β² exactly: the default's β̇ is floored near t = 1. */
    @Override
    public Operand<TFloat32> logNoiseRatioDecay(Ops tf, Operand<TFloat32> t) {
        LinearBeta.Kernel k = beta.at(tf, t);
        return tf.math.div(k.rate(), k.oneMinusMeanSquared());
    }

    @Override
    public Operand<TFloat32> diffusionSquared(Ops tf, Operand<TFloat32> t) {
        return beta.at(tf, t).rate();
    }
}
