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
    protected Operand<TFloat32> step(Ops tf, SamplingInput in, Operand<TFloat32> x, StepIndex i) {
        Operand<TFloat32> t = time(tf, i);
        Operand<TFloat32> h = size(tf, i, 1);
        if (sigma.isZero()) return axpy(tf, x, h, velocity(tf, in.model(), x, t));
        Operand<TFloat32> variance = sigma.squared(tf, in.path(), t);
        Operand<TFloat32> drift = in.model().velocityPlusScore(tf, x, t, tf.math.mul(Tensors.scalar(tf, 0.5), variance));
        Operand<TFloat32> mean = axpy(tf, x, h, drift);
        if (i.is(this::last)) return mean;
        Operand<TFloat32> noise = i.derive(in.noise()).normal(tf, tf.shape(x));
        return tf.math.add(mean, tf.math.mul(tf.math.sqrt(tf.math.mul(variance, h)), noise));
    }

    private boolean last(int i) {
        return i == steps() - 1;
    }

    /** The noise-free last step is built on its own. */
    @Override
    protected boolean loopable(int i) {
        return sigma.isZero() || !last(i);
    }
}
