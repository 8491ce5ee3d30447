package dev.flowkit.runtime.samplers;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** x ← x + h u_{t+h/2}(x + (h/2) u_t(x)). */
public final class MidpointSolver extends FixedStepSolver {
    public MidpointSolver(int steps) {
        this(steps, TimeGrid.UNIFORM);
    }

    public MidpointSolver(int steps, TimeGrid grid) {
        super(steps, grid);
    }

    @Override
    protected int evaluationsPerIteration() {
        return 2;
    }

    @Override
    protected Operand<TFloat32> step(Ops tf, SamplingInput in, Operand<TFloat32> x, int i, Operand<TFloat32> t, double h) {
        Operand<TFloat32> k1 = velocity(tf, in.model(), x, t);
        return axpy(tf, x, h, velocity(tf, in.model(), axpy(tf, x, h / 2, k1), later(tf, t, h / 2)));
    }
}
