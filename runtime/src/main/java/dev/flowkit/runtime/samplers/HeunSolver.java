package dev.flowkit.runtime.samplers;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** k1 = u_t(x), k2 = u_{t+h}(x + h k1), x ← x + h (k1 + k2)/2. On a noise-ratio grid: EDM's Heun. */
public final class HeunSolver extends FixedStepSolver {
    public HeunSolver(int steps) {
        this(steps, TimeGrid.UNIFORM);
    }

    public HeunSolver(int steps, TimeGrid grid) {
        super(steps, grid);
    }

    @Override
    protected int evaluationsPerIteration() {
        return 2;
    }

    /** One evaluation fewer when the last step is Euler (see {@link #step}). */
    @Override
    public long functionEvaluations() {
        return super.functionEvaluations() - (jumpsToData() ? 1 : 0);
    }

    /** The last step into β = 0 is Euler (EDM's rule): a score or noise model's velocity at β = 0 is undefined. */
    @Override
    protected Operand<TFloat32> step(Ops tf, SamplingInput in, Operand<TFloat32> x, StepIndex i) {
        Operand<TFloat32> k1 = velocity(tf, in.model(), x, time(tf, i));
        Operand<TFloat32> h = size(tf, i, 1);
        if (i.is(this::toData)) return axpy(tf, x, h, k1);
        Operand<TFloat32> k2 = velocity(tf, in.model(), axpy(tf, x, h, k1), timeAfter(tf, i, 1));
        return axpy(tf, x, size(tf, i, 0.5), tf.math.add(k1, k2));
    }

    private boolean toData(int i) {
        return i == steps() - 1 && jumpsToData();
    }

    @Override
    protected boolean loopable(int i) {
        return !toData(i);
    }
}
