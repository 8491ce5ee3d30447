package dev.flowkit.runtime.schedules;

import dev.flowkit.runtime.graph.Tensors;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The score-SDE tutorial's dx = σ^s dW on diffusion time s = 1 − t: α_t = 1, β_t² = (σ^{2s} − 1)/(2 ln σ) (the
 * variance ∫₀ˢ σ^{2r} dr), so β̇_t = −σ^{2s}/(2β_t) and g² = σ^{2s}. β² uses expm1, exact for small s in float32.
 * β̇ is infinite at t = 1, where β_t = 0: β² is floored at 10⁻¹² in that division only.
 */
public final class ExponentialVe implements Schedule {
    private static final double MIN_VARIANCE = 1e-12;
    private final double logSigma;

    public ExponentialVe(double sigma) {
        this.logSigma = Math.log(sigma);
    }

    @Override
    public ScheduleValues at(Ops tf, Operand<TFloat32> t) {
        Operand<TFloat32> g2 = diffusionSquared(tf, t);
        Operand<TFloat32> variance = tf.math.div(tf.math.expm1(twoLogSigmaS(tf, t)), Tensors.scalar(tf, 2 * logSigma));
        Operand<TFloat32> beta = tf.math.sqrt(variance);
        Operand<TFloat32> safeBeta = tf.math.sqrt(tf.math.maximum(variance, Tensors.scalar(tf, MIN_VARIANCE)));
        Operand<TFloat32> betaDot = tf.math.neg(tf.math.div(g2, tf.math.mul(Tensors.scalar(tf, 2), safeBeta)));
        return new ScheduleValues(tf.onesLike(t), beta, tf.zerosLike(t), betaDot);
    }

    @Override
    public double sourceStd() {
        return Math.sqrt(Math.expm1(2 * logSigma) / (2 * logSigma));
    }

    @Override
    public Operand<TFloat32> diffusionSquared(Ops tf, Operand<TFloat32> t) {
        return tf.math.exp(twoLogSigmaS(tf, t));
    }

    /** β² = expm1(2 s ln σ)/(2 ln σ), so s = log1p(2 ln σ · e^L)/(2 ln σ). */
    @Override
    public Operand<TFloat32> timeAtLogNoiseRatio(Ops tf, Operand<TFloat32> logRatio) {
        Operand<TFloat32> twoLogSigma = Tensors.scalar(tf, 2 * logSigma);
        Operand<TFloat32> s = tf.math.div(tf.math.log1p(tf.math.mul(twoLogSigma, tf.math.exp(logRatio))), twoLogSigma);
        return tf.math.sub(tf.onesLike(s), s);
    }

    /** 2 s ln σ with s = 1 − t. */
    private Operand<TFloat32> twoLogSigmaS(Ops tf, Operand<TFloat32> t) {
        return tf.math.mul(Tensors.scalar(tf, 2 * logSigma), tf.math.sub(tf.onesLike(t), t));
    }
}
