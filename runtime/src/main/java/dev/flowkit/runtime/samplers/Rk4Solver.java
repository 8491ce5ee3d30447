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
    protected Operand<TFloat32> step(Ops tf, SamplingInput in, Operand<TFloat32> x, StepIndex i) {
        Model f = in.model();
        Operand<TFloat32> half = size(tf, i, 0.5);
        Operand<TFloat32> middle = timeAfter(tf, i, 0.5);
        Operand<TFloat32> k1 = velocity(tf, f, x, time(tf, i));
        Operand<TFloat32> k2 = velocity(tf, f, axpy(tf, x, half, k1), middle);
        Operand<TFloat32> k3 = velocity(tf, f, axpy(tf, x, half, k2), middle);
        Operand<TFloat32> k4 = velocity(tf, f, axpy(tf, x, size(tf, i, 1), k3), timeAfter(tf, i, 1));
        Operand<TFloat32> sum = tf.math.add(tf.math.add(k1, k4), tf.math.mul(tf.constant(2f), tf.math.add(k2, k3)));
        return axpy(tf, x, size(tf, i, 1.0 / 6), sum);
    }
}
