package dev.flowkit.runtime.samplers;

import dev.flowkit.runtime.graph.Tensors;
import dev.flowkit.runtime.model.VectorField;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** An explicit one-step method on the uniform grid t_i = i/steps, unrolled into the graph. */
public abstract class FixedStepSolver implements Sampler {
    private final int steps;

    protected FixedStepSolver(int steps) {
        this.steps = steps;
    }

    public int steps() {
        return steps;
    }

    /** Field evaluations per step. */
    protected abstract int stages();

    /** x_{t+h} from x_t. */
    protected abstract Operand<TFloat32> step(Ops tf, VectorField f, Operand<TFloat32> x, double t, double h);

    @Override
    public int functionEvaluations() {
        return steps * stages();
    }

    @Override
    public Trajectory integrate(Ops tf, VectorField field, Operand<TFloat32> x0, int recordEvery) {
        double h = 1.0 / steps;
        Operand<TFloat32> x = x0;
        List<Operand<TFloat32>> recorded = new ArrayList<>(List.of(x0));
        List<Double> times = new ArrayList<>(List.of(0.0));
        for (int i = 0; i < steps; i++) {
            x = step(tf, field, x, i * h, h);
            if ((i + 1) % recordEvery == 0 || i + 1 == steps) {
                recorded.add(x);
                times.add((i + 1) * h);
            }
        }
        return new Trajectory(x, recorded, times.stream().mapToDouble(Double::doubleValue).toArray());
    }

    protected static Operand<TFloat32> time(Ops tf, double t) {
        return Tensors.scalar(tf, t);
    }

    /** x + c·k */
    protected static Operand<TFloat32> axpy(Ops tf, Operand<TFloat32> x, double c, Operand<TFloat32> k) {
        return tf.math.add(x, tf.math.mul(Tensors.scalar(tf, c), k));
    }
}
