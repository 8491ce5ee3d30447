package dev.flowkit.runtime.samplers;

import dev.flowkit.runtime.graph.Tensors;
import dev.flowkit.runtime.model.Model;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** A one-step method on the uniform grid t_i = i/steps. */
public abstract class FixedStepSolver extends UnrolledSampler {
    private final int steps;

    protected FixedStepSolver(int steps) {
        this.steps = steps;
    }

    public int steps() {
        return steps;
    }

    @Override
    protected int iterations() {
        return steps;
    }

    /** x_{t+h} from x_t; [i] is the step's index (the last is steps − 1). */
    protected abstract Operand<TFloat32> step(Ops tf, SamplingInput in, Operand<TFloat32> x, int i, double t, double h);

    @Override
    protected Operand<TFloat32> advance(Ops tf, SamplingInput in, Operand<TFloat32> x, int i) {
        double h = 1.0 / steps;
        return step(tf, in, x, i, i * h, h);
    }

    /** The velocity at (x, t), for ODE steps. */
    protected static Operand<TFloat32> velocity(Ops tf, Model model, Operand<TFloat32> x, double t) {
        return model.velocity(tf, x, Tensors.scalar(tf, t));
    }

    /** x + c·k */
    protected static Operand<TFloat32> axpy(Ops tf, Operand<TFloat32> x, double c, Operand<TFloat32> k) {
        return tf.math.add(x, tf.math.mul(Tensors.scalar(tf, c), k));
    }
}
