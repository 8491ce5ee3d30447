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
    protected Operand<TFloat32> step(Ops tf, SamplingInput in, Operand<TFloat32> x, StepIndex i) {
        Operand<TFloat32> k1 = velocity(tf, in.model(), x, time(tf, i));
        return axpy(tf, x, size(tf, i, 1), velocity(tf, in.model(), axpy(tf, x, size(tf, i, 0.5), k1), timeAfter(tf, i, 0.5)));
    }
}
