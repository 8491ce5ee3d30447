package dev.flowkit.runtime.samplers;

import dev.flowkit.runtime.graph.Tensors;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Unadjusted Langevin at a fixed t: x ← x + ε ∇log p_t(x) + √(2ε) ξ, the last step without noise. */
public final class LangevinSampler extends UnrolledSampler {
    private final int steps;
    private final double stepSize;
    private final double time;

    public LangevinSampler(int steps, double stepSize, double time) {
        this.steps = steps;
        this.stepSize = stepSize;
        this.time = time;
    }

    @Override
    protected int iterations() {
        return steps;
    }

    @Override
    protected int evaluationsPerIteration() {
        return 1;
    }

    @Override
    protected Operand<TFloat32> advance(Ops tf, SamplingInput in, Operand<TFloat32> x, int i) {
        Operand<TFloat32> score = in.model().score(tf, x, Tensors.scalar(tf, time));
        Operand<TFloat32> mean = tf.math.add(x, tf.math.mul(Tensors.scalar(tf, stepSize), score));
        if (i == steps - 1) return mean;
        Operand<TFloat32> noise = in.noise().normal(tf, tf.shape(x), i);
        return tf.math.add(mean, tf.math.mul(Tensors.scalar(tf, Math.sqrt(2 * stepSize)), noise));
    }
}
