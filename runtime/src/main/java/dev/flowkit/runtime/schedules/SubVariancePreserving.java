package dev.flowkit.runtime.schedules;

import dev.flowkit.runtime.graph.Tensors;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Sub-VP diffusion: α_t = m = e^{−I(s)}, β_t = 1 − m², s = 1 − t; α̇ = ½ β(s) m, β̇ = −β(s) m² (finite everywhere). */
public final class SubVariancePreserving implements Schedule {
    private final LinearBeta beta;

    public SubVariancePreserving(double betaMin, double betaMax) {
        this.beta = new LinearBeta(betaMin, betaMax);
    }

    @Override
    public ScheduleValues at(Ops tf, Operand<TFloat32> t) {
        Operand<TFloat32> s = beta.diffusionTime(tf, t);
        Operand<TFloat32> halfIntegral = beta.halfIntegral(tf, s);
        Operand<TFloat32> m = tf.math.exp(tf.math.neg(halfIntegral));
        Operand<TFloat32> rate = beta.rate(tf, s);
        Operand<TFloat32> alphaDot = tf.math.mul(tf.math.mul(Tensors.scalar(tf, 0.5), rate), m);
        Operand<TFloat32> betaDot = tf.math.neg(tf.math.mul(rate, tf.math.square(m)));
        return new ScheduleValues(m, beta.oneMinusMeanSquared(tf, halfIntegral), alphaDot, betaDot);
    }
}
