package dev.flowkit.runtime.samplers;

import dev.flowkit.runtime.model.VectorField;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** k1 = u_t(x), k2 = u_{t+h}(x + h k1), x ← x + h (k1 + k2)/2. */
public final class HeunSolver extends FixedStepSolver {
    public HeunSolver(int steps) {
        super(steps);
    }

    @Override
    protected int stages() {
        return 2;
    }

    @Override
    protected Operand<TFloat32> step(Ops tf, VectorField f, Operand<TFloat32> x, double t, double h) {
        Operand<TFloat32> k1 = f.velocity(tf, x, time(tf, t));
        Operand<TFloat32> k2 = f.velocity(tf, axpy(tf, x, h, k1), time(tf, t + h));
        return axpy(tf, x, h / 2, tf.math.add(k1, k2));
    }
}
