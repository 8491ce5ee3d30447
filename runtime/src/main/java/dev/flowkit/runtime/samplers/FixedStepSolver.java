package dev.flowkit.runtime.samplers;

import dev.flowkit.runtime.graph.StateVariable;
import dev.flowkit.runtime.graph.Tensors;
import dev.flowkit.runtime.model.Model;
import dev.flowkit.runtime.paths.ProbabilityPath;
import java.util.List;
import java.util.function.Consumer;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.VarHandleOp;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** A one-step method on a grid 0 = t_0 < … < t_steps = 1 ({@link TimeGrid}; uniform t_i = i/steps unless told). */
public abstract class FixedStepSolver extends UnrolledSampler {
    private final int steps;
    private final TimeGrid grid;
    /** The grid laid out for the path of the graph being built (set by {@link #layOut}). */
    private TimeGrid.Layout layout;

    protected FixedStepSolver(int steps, TimeGrid grid) {
        this.steps = steps;
        this.grid = grid;
        this.layout = TimeGrid.UNIFORM.layOut(steps, null);
    }

    public int steps() {
        return steps;
    }

    /** Lays the grid out for [path]; every compile (its own, or a predictor–corrector's) does this first. */
    final void layOut(ProbabilityPath path) {
        layout = grid.layOut(steps, path);
        laidOut(path);
    }

    /** What a method derives from the laid-out grid for [path] (e.g. the path's coefficients at the grid times). */
    protected void laidOut(ProbabilityPath path) {}

    /** t_i, 0 ≤ i ≤ steps. */
    protected double time(int i) {
        return layout.times()[i];
    }

    /** Whether the last step jumps from the grid's smallest noise ratio straight to the data (β = 0). */
    protected boolean jumpsToData() {
        return layout.jumpsToData();
    }

    @Override
    public SamplerProgram compile(Ops tf, SamplingInput in) {
        layOut(in.path());
        return super.compile(tf, in);
    }

    @Override
    protected double timeAfter(int i) {
        return time(i + 1);
    }

    @Override
    protected int iterations() {
        return steps;
    }

    /** x_{t_{i+1}} from x_{t_i}, for step [i]: its time {@link #time(Ops, StepIndex)}, its size {@link #size}. */
    protected abstract Operand<TFloat32> step(Ops tf, SamplingInput in, Operand<TFloat32> x, StepIndex i);

    /** Every step of a method without a special step is looped. */
    @Override
    protected boolean loopable(int i) {
        return true;
    }

    @Override
    protected Operand<TFloat32> advance(Ops tf, SamplingInput in, Operand<TFloat32> x, StepIndex i) {
        return step(tf, in, x, i);
    }

    /** t_i */
    protected Operand<TFloat32> time(Ops tf, StepIndex i) {
        return i.scalar(tf, this::time);
    }

    /** c · h_i, h_i = t_{i+1} − t_i (c applied before rounding to float32). */
    protected Operand<TFloat32> size(Ops tf, StepIndex i, double c) {
        return i.scalar(tf, j -> c * (time(j + 1) - time(j)));
    }

    /** t_i + c · h_i */
    protected Operand<TFloat32> timeAfter(Ops tf, StepIndex i, double c) {
        return tf.math.add(time(tf, i), size(tf, i, c));
    }

    /**
     * The same method as a host loop around one compiled step, the state kept in the graph (one session call per
     * step, nothing copied back until the end). For dynamics whose graph is costly to repeat: TensorFlow's gradient
     * construction (Graph.addGradients) costs time in proportion to the whole graph, so an unrolled solve with a
     * divergence in every stage builds in time quadratic in its length. Methods whose steps are all built alike only
     * (e.g. not Euler–Maruyama's noise-free last step); the grid is the uniform one, with no jump to the data.
     */
    public SamplerProgram compileStepped(Ops tf, SamplingInput in) {
        if (grid != TimeGrid.UNIFORM) throw new UnsupportedOperationException("a stepped solve runs the uniform grid");
        layout = TimeGrid.UNIFORM.layOut(steps, null);
        VarHandleOp state = StateVariable.create(tf, "state");
        Op start = tf.assignVariableOp(state, in.x0());
        Placeholder<TInt32> k = tf.placeholder(TInt32.class);
        Operand<TFloat32> next = step(tf, in, tf.readVariableOp(state, TFloat32.class), StepIndex.range(tf, k, 0, steps));
        Op commit = tf.withControlDependencies(List.of(next)).assignVariableOp(state, next);
        Operand<TFloat32> read = tf.readVariableOp(state, TFloat32.class);
        return new SamplerProgram() {
            @Override
            public SampleRun run(Session session, Consumer<Session.Runner> inputs, boolean withTrajectory) {
                return run(session, inputs, withTrajectory, done -> {});
            }

            @Override
            public SampleRun run(Session session, Consumer<Session.Runner> inputs, boolean withTrajectory, java.util.function.DoubleConsumer progress) {
                Session.Runner init = session.runner().addTarget(start);
                inputs.accept(init);
                init.run().close();
                for (int i = 0; i < steps; i++) {
                    try (TInt32 index = TInt32.scalarOf(i)) {
                        session.runner().feed(k, index).addTarget(commit).run().close();
                    }
                    progress.accept((i + 1.0) / steps);
                }
                try (Result r = session.runner().fetch(read).run()) {
                    return new SampleRun(Tensors.toMatrix(r.get(0)), null, null, functionEvaluations());
                }
            }
        };
    }

    /** The velocity at (x, t), for ODE steps. */
    protected static Operand<TFloat32> velocity(Ops tf, Model model, Operand<TFloat32> x, Operand<TFloat32> t) {
        return model.velocity(tf, x, t);
    }

    /** x + c·k */
    protected static Operand<TFloat32> axpy(Ops tf, Operand<TFloat32> x, Operand<TFloat32> c, Operand<TFloat32> k) {
        return tf.math.add(x, tf.math.mul(c, k));
    }
}
