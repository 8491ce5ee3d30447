package dev.flowkit.runtime.samplers;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** k1 = u_t(x), k2 = u_{t+h}(x + h k1), x ← x + h (k1 + k2)/2. */
public final class HeunSolver extends FixedStepSolver {
    public HeunSolver(int steps) {
        super(steps);
    }

    @Override
    protected int evaluationsPerIteration() {
        return 2;
    }

    @Override
    protected Operand<TFloat32> step(Ops tf, SamplingInput in, Operand<TFloat32> x, int i, Operand<TFloat32> t, double h) {
        Operand<TFloat32> k1 = velocity(tf, in.model(), x, t);
        Operand<TFloat32> k2 = velocity(tf, in.model(), axpy(tf, x, h, k1), later(tf, t, h));
        return axpy(tf, x, h / 2, tf.math.add(k1, k2));
    }
}
