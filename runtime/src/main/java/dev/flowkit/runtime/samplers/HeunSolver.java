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
    protected Operand<TFloat32> step(Ops tf, SamplingInput in, Operand<TFloat32> x, int i, Operand<TFloat32> t, double h) {
        Operand<TFloat32> k1 = velocity(tf, in.model(), x, t);
        if (i == steps() - 1 && jumpsToData()) return axpy(tf, x, h, k1);
        Operand<TFloat32> k2 = velocity(tf, in.model(), axpy(tf, x, h, k1), later(tf, t, h));
        return axpy(tf, x, h / 2, tf.math.add(k1, k2));
    }
}
