package dev.flowkit.runtime.samplers;

import dev.flowkit.runtime.graph.Tensors;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Euler–Maruyama on dX = [u_t + ½σ_t² ∇log p_t] dt + σ_t dW: x ← x + h drift + σ_t √h ξ. The last step adds no
 * noise, so the result is the mean of the final transition (the "denoised" sample of the references).
 */
public final class EulerMaruyamaSolver extends FixedStepSolver {
    private final NoiseScale sigma;

    public EulerMaruyamaSolver(int steps, NoiseScale sigma) {
        this(steps, sigma, TimeGrid.UNIFORM);
    }

    public EulerMaruyamaSolver(int steps, NoiseScale sigma, TimeGrid grid) {
        super(steps, grid);
        this.sigma = sigma;
    }

    @Override
    protected int evaluationsPerIteration() {
        return 1;
    }

    @Override
    protected Operand<TFloat32> step(Ops tf, SamplingInput in, Operand<TFloat32> x, int i, Operand<TFloat32> t, double h) {
        if (sigma.isZero()) return axpy(tf, x, h, velocity(tf, in.model(), x, t));
        if (i < 0) throw new UnsupportedOperationException("a stochastic step needs its index (its own noise, a noise-free last step)");
        Operand<TFloat32> variance = sigma.squared(tf, in.path(), t);
        Operand<TFloat32> drift = in.model().velocityPlusScore(tf, x, t, tf.math.mul(Tensors.scalar(tf, 0.5), variance));
        Operand<TFloat32> mean = axpy(tf, x, h, drift);
        if (i == steps() - 1) return mean;
        Operand<TFloat32> noise = in.noise().normal(tf, tf.shape(x), i);
        return tf.math.add(mean, tf.math.mul(tf.math.sqrt(tf.math.mul(variance, Tensors.scalar(tf, h))), noise));
    }
}
