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

    /**
     * x_{t+h} from x_t; [i] is the step's index (the last is steps − 1), or −1 when one compiled step serves every
     * index (see {@link #compileStepped}).
     */
    protected abstract Operand<TFloat32> step(Ops tf, SamplingInput in, Operand<TFloat32> x, int i, Operand<TFloat32> t, double h);

    @Override
    protected Operand<TFloat32> advance(Ops tf, SamplingInput in, Operand<TFloat32> x, int i) {
        return step(tf, in, x, i, Tensors.scalar(tf, time(i)), time(i + 1) - time(i));
    }

    /**
     * The same method as a host loop around one compiled step, the state kept in the graph (one session call per
     * step, nothing copied back until the end). For dynamics whose graph is costly to repeat: TensorFlow's gradient
     * construction (Graph.addGradients) costs time in proportion to the whole graph, so an unrolled solve with a
     * divergence in every stage builds in time quadratic in its length. Deterministic methods on the uniform grid only.
     */
    public SamplerProgram compileStepped(Ops tf, SamplingInput in) {
        if (grid != TimeGrid.UNIFORM) throw new UnsupportedOperationException("a stepped solve runs the uniform grid");
        VarHandleOp state = StateVariable.create(tf, "state");
        Op start = tf.assignVariableOp(state, in.x0());
        Placeholder<TFloat32> t = tf.placeholder(TFloat32.class);
        Operand<TFloat32> next = step(tf, in, tf.readVariableOp(state, TFloat32.class), -1, t, 1.0 / steps);
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
                    try (TFloat32 time = TFloat32.scalarOf((float) ((double) i / steps))) {
                        session.runner().feed(t, time).addTarget(commit).run().close();
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

    /** t + c */
    protected static Operand<TFloat32> later(Ops tf, Operand<TFloat32> t, double c) {
        return tf.math.add(t, Tensors.scalar(tf, c));
    }

    /** x + c·k */
    protected static Operand<TFloat32> axpy(Ops tf, Operand<TFloat32> x, double c, Operand<TFloat32> k) {
        return tf.math.add(x, tf.math.mul(Tensors.scalar(tf, c), k));
    }
}
