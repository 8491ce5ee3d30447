package dev.flowkit.runtime.samplers;

import dev.flowkit.runtime.model.VectorField;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** x ← x + h u_t(x). */
public final class EulerSolver extends FixedStepSolver {
    public EulerSolver(int steps) {
        super(steps);
    }

    @Override
    protected int stages() {
        return 1;
    }

    @Override
    protected Operand<TFloat32> step(Ops tf, VectorField f, Operand<TFloat32> x, double t, double h) {
        return axpy(tf, x, h, f.velocity(tf, x, time(tf, t)));
    }
}
