package dev.flowkit.runtime.samplers;

import dev.flowkit.runtime.model.Model;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** The classic fourth-order Runge–Kutta step. */
public final class Rk4Solver extends FixedStepSolver {
    public Rk4Solver(int steps) {
        this(steps, TimeGrid.UNIFORM);
    }

    public Rk4Solver(int steps, TimeGrid grid) {
        super(steps, grid);
    }

    @Override
    protected int evaluationsPerIteration() {
        return 4;
    }

    @Override
    protected Operand<TFloat32> step(Ops tf, SamplingInput in, Operand<TFloat32> x, int i, Operand<TFloat32> t, double h) {
        Model f = in.model();
        Operand<TFloat32> k1 = velocity(tf, f, x, t);
        Operand<TFloat32> k2 = velocity(tf, f, axpy(tf, x, h / 2, k1), later(tf, t, h / 2));
        Operand<TFloat32> k3 = velocity(tf, f, axpy(tf, x, h / 2, k2), later(tf, t, h / 2));
        Operand<TFloat32> k4 = velocity(tf, f, axpy(tf, x, h, k3), later(tf, t, h));
        Operand<TFloat32> sum = tf.math.add(tf.math.add(k1, k4), tf.math.mul(tf.constant(2f), tf.math.add(k2, k3)));
        return axpy(tf, x, h / 6, sum);
    }
}
