package dev.flowkit.runtime.samplers;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** x ← x + h u_t(x). */
public final class EulerSolver extends FixedStepSolver {
    public EulerSolver(int steps) {
        this(steps, TimeGrid.UNIFORM);
    }

    public EulerSolver(int steps, TimeGrid grid) {
        super(steps, grid);
    }

    @Override
    protected int evaluationsPerIteration() {
        return 1;
    }

    @Override
    protected Operand<TFloat32> step(Ops tf, SamplingInput in, Operand<TFloat32> x, StepIndex i) {
        return axpy(tf, x, size(tf, i, 1), velocity(tf, in.model(), x, time(tf, i)));
    }
}
