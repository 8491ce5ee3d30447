package dev.flowkit.runtime.schedules;

import dev.flowkit.runtime.graph.Tensors;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * VP diffusion: α_t = m = e^{−I(s)}, β_t = √(1 − m²), s = 1 − t; α̇ = ½ β(s) m, β̇ = −½ β(s) m² / β_t.
 * β̇ is infinite at t = 1, where β_t = 0: 1 − m² is floored at 10⁻⁴ in that division only.
 */
public final class VariancePreserving implements Schedule {
    static final double MIN_VARIANCE = 1e-4;
    private final LinearBeta beta;

    public VariancePreserving(double betaMin, double betaMax) {
        this.beta = new LinearBeta(betaMin, betaMax);
    }

    @Override
    public ScheduleValues at(Ops tf, Operand<TFloat32> t) {
        Operand<TFloat32> s = beta.diffusionTime(tf, t);
        Operand<TFloat32> halfIntegral = beta.halfIntegral(tf, s);
        Operand<TFloat32> m = tf.math.exp(tf.math.neg(halfIntegral));
        Operand<TFloat32> variance = beta.oneMinusMeanSquared(tf, halfIntegral);
        Operand<TFloat32> rate = beta.rate(tf, s);
        Operand<TFloat32> alphaDot = tf.math.mul(tf.math.mul(Tensors.scalar(tf, 0.5), rate), m);
        Operand<TFloat32> safeStd = tf.math.sqrt(tf.math.maximum(variance, Tensors.scalar(tf, MIN_VARIANCE)));
        Operand<TFloat32> betaDot = tf.math.neg(tf.math.div(tf.math.mul(alphaDot, m), safeStd));
        return new ScheduleValues(m, tf.math.sqrt(variance), alphaDot, betaDot);
    }
}
