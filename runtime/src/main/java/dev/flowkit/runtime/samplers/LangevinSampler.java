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
    protected Operand<TFloat32> advance(Ops tf, SamplingInput in, Operand<TFloat32> x, StepIndex i) {
        Operand<TFloat32> score = in.model().score(tf, x, Tensors.scalar(tf, time));
        Operand<TFloat32> mean = tf.math.add(x, tf.math.mul(Tensors.scalar(tf, stepSize), score));
        if (i.is(this::last)) return mean;
        Operand<TFloat32> noise = i.derive(in.noise()).normal(tf, tf.shape(x));
        return tf.math.add(mean, tf.math.mul(Tensors.scalar(tf, Math.sqrt(2 * stepSize)), noise));
    }

    private boolean last(int i) {
        return i == steps - 1;
    }

    /** The noise-free last step is built on its own. */
    @Override
    protected boolean loopable(int i) {
        return !last(i);
    }
}
