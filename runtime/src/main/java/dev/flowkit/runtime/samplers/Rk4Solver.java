package dev.flowkit.runtime.samplers;

import dev.flowkit.runtime.model.VectorField;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** The classic fourth-order Runge–Kutta step. */
public final class Rk4Solver extends FixedStepSolver {
    public Rk4Solver(int steps) {
        super(steps);
    }

    @Override
    protected int stages() {
        return 4;
    }

    @Override
    protected Operand<TFloat32> step(Ops tf, VectorField f, Operand<TFloat32> x, double t, double h) {
        Operand<TFloat32> k1 = f.velocity(tf, x, time(tf, t));
        Operand<TFloat32> k2 = f.velocity(tf, axpy(tf, x, h / 2, k1), time(tf, t + h / 2));
        Operand<TFloat32> k3 = f.velocity(tf, axpy(tf, x, h / 2, k2), time(tf, t + h / 2));
        Operand<TFloat32> k4 = f.velocity(tf, axpy(tf, x, h, k3), time(tf, t + h));
        Operand<TFloat32> sum = tf.math.add(tf.math.add(k1, k4), tf.math.mul(tf.constant(2f), tf.math.add(k2, k3)));
        return axpy(tf, x, h / 6, sum);
    }
}
