package dev.flowkit.runtime.schedules;

import dev.flowkit.runtime.graph.Tensors;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * VE diffusion on diffusion time s = 1 − t: σ(s) = σmin (σmax/σmin)^s, so α_t = 1, α̇_t = 0, β_t = σ(1 − t) and
 * β̇_t = −ln(σmax/σmin) β_t. Its SDE dx = g dW has g² = dσ²/ds = 2 ln(σmax/σmin) σ².
 */
public final class VarianceExploding implements Schedule {
    private final double sigmaMin;
    private final double sigmaMax;
    private final double logRatio;

    public VarianceExploding(double sigmaMin, double sigmaMax) {
        this.sigmaMin = sigmaMin;
        this.sigmaMax = sigmaMax;
        this.logRatio = Math.log(sigmaMax / sigmaMin);
    }

    @Override
    public ScheduleValues at(Ops tf, Operand<TFloat32> t) {
        Operand<TFloat32> sigma = sigma(tf, t);
        Operand<TFloat32> one = tf.onesLike(t);
        return new ScheduleValues(one, sigma, tf.zerosLike(t), tf.math.mul(Tensors.scalar(tf, -logRatio), sigma));
    }

    @Override
    public double sourceStd() {
        return sigmaMax;
    }

    @Override
    public Operand<TFloat32> diffusionSquared(Ops tf, Operand<TFloat32> t) {
        return tf.math.mul(Tensors.scalar(tf, 2 * logRatio), tf.math.square(sigma(tf, t)));
    }

    private Operand<TFloat32> sigma(Ops tf, Operand<TFloat32> t) {
        // σmin · exp((1 − t) ln r)
        Operand<TFloat32> s = tf.math.sub(tf.onesLike(t), t);
        return tf.math.mul(Tensors.scalar(tf, sigmaMin), tf.math.exp(tf.math.mul(Tensors.scalar(tf, logRatio), s)));
    }
}
