package dev.flowkit.runtime.samplers;

import dev.flowkit.runtime.graph.StateVariable;
import dev.flowkit.runtime.graph.Tensors;
import dev.flowkit.runtime.model.Model;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.VarHandleOp;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * Adaptive Dormand–Prince 5(4) with the first-same-as-last property: six new field evaluations per attempted step.
 * The host drives the step size; the state x and the last derivative stay in the graph (resource variables, kept out
 * of checkpoints), so each attempt copies back one number, the error norm RMS(err / (atol + rtol max(|x|, |x_new|)))
 * over the whole batch. A step is accepted when it is <= 1; the next h is h · clamp(0.9 norm^(−1/5), 0.2, 10).
 * The first h follows Hairer, Nørsett and Wanner's starting-step heuristic (two evaluations).
 */
public final class Dopri5Solver implements Sampler {
    private static final double[] C = {0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1, 1};
    private static final double[][] A = {
            {},
            {1.0 / 5},
            {3.0 / 40, 9.0 / 40},
            {44.0 / 45, -56.0 / 15, 32.0 / 9},
            {19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729},
            {9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656},
            {35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84},
    };
    /** Fifth-order weights minus the embedded fourth-order ones (k7 included). */
    private static final double[] E = {71.0 / 57600, 0, -71.0 / 16695, 71.0 / 1920, -17253.0 / 339200, 22.0 / 525, -1.0 / 40};

    private final double rtol;
    private final double atol;
    private final int maxSteps;

    public Dopri5Solver(double rtol, double atol, int maxSteps) {
        this.rtol = rtol;
        this.atol = atol;
        this.maxSteps = maxSteps;
    }

    @Override
    public SamplerProgram compile(Ops tf, SamplingInput in) {
        Model f = in.model();
        VarHandleOp state = StateVariable.create(tf, "state");
        VarHandleOp slope = StateVariable.create(tf, "slope");

        // start: x := x0, k := u_0(x0), and the norms the starting-step heuristic needs
        Operand<TFloat32> x0 = in.x0();
        Operand<TFloat32> f0 = f.velocity(tf, x0, Tensors.scalar(tf, 0));
        Operand<TFloat32> scale0 = scale(tf, x0, x0);
        List<Op> start = List.of(tf.assignVariableOp(state, x0), tf.assignVariableOp(slope, f0));
        Operand<TFloat32> d0 = rms(tf, tf.math.div(x0, scale0));
        Operand<TFloat32> d1 = rms(tf, tf.math.div(f0, scale0));

        // probe: ‖u_h(x + h k) − k‖ / h for the starting step
        Placeholder<TFloat32> probeH = tf.placeholder(TFloat32.class);
        Operand<TFloat32> x = tf.readVariableOp(state, TFloat32.class);
        Operand<TFloat32> k = tf.readVariableOp(slope, TFloat32.class);
        Operand<TFloat32> f1 = f.velocity(tf, tf.math.add(x, tf.math.mul(probeH, k)), probeH);
        Operand<TFloat32> d2 = tf.math.div(rms(tf, tf.math.div(tf.math.sub(f1, k), scale(tf, x, x))), probeH);

        // one attempted step from (t, x) with step h
        Placeholder<TFloat32> t = tf.placeholder(TFloat32.class);
        Placeholder<TFloat32> h = tf.placeholder(TFloat32.class);
        List<Operand<TFloat32>> stages = new ArrayList<>(List.of(k));
        Operand<TFloat32> next = null;
        for (int i = 1; i < 7; i++) {
            next = combination(tf, x, h, A[i], stages); // the last row is the fifth-order solution x5, and k7 = u_{t+h}(x5)
            stages.add(f.velocity(tf, next, tf.math.add(t, tf.math.mul(h, Tensors.scalar(tf, C[i])))));
        }
        Operand<TFloat32> error = combination(tf, tf.zerosLike(x), h, E, stages);
        Operand<TFloat32> norm = rms(tf, tf.math.div(error, scale(tf, x, next)));
        Operand<TBool> accept = tf.math.lessEqual(norm, Tensors.scalar(tf, 1));
        Operand<TFloat32> newX = tf.select(accept, next, x);
        Operand<TFloat32> newK = tf.select(accept, stages.get(6), k);
        Ops after = tf.withControlDependencies(List.of(newX, newK, norm));
        List<Op> commit = List.of(after.assignVariableOp(state, newX), after.assignVariableOp(slope, newK));
        Operand<TFloat32> read = tf.readVariableOp(state, TFloat32.class);

        return new Program(start, d0, d1, probeH, d2, t, h, norm, commit, read, in.recordEvery());
    }

    /** x + h Σ_j a_j k_j over the nonzero a_j. */
    private static Operand<TFloat32> combination(Ops tf, Operand<TFloat32> x, Operand<TFloat32> h, double[] a, List<Operand<TFloat32>> k) {
        Operand<TFloat32> sum = null;
        for (int j = 0; j < a.length; j++) {
            if (a[j] == 0) continue;
            Operand<TFloat32> term = tf.math.mul(Tensors.scalar(tf, a[j]), k.get(j));
            sum = sum == null ? term : tf.math.add(sum, term);
        }
        return tf.math.add(x, tf.math.mul(h, sum));
    }

    private Operand<TFloat32> scale(Ops tf, Operand<TFloat32> a, Operand<TFloat32> b) {
        Operand<TFloat32> size = tf.math.maximum(tf.math.abs(a), tf.math.abs(b));
        return tf.math.add(Tensors.scalar(tf, atol), tf.math.mul(Tensors.scalar(tf, rtol), size));
    }

    private static Operand<TFloat32> rms(Ops tf, Operand<TFloat32> v) {
        return tf.math.sqrt(tf.math.mean(tf.math.square(v), tf.constant(new int[] {0, 1})));
    }

    private final class Program implements SamplerProgram {
        private final List<Op> start;
        private final Operand<TFloat32> d0;
        private final Operand<TFloat32> d1;
        private final Placeholder<TFloat32> probeH;
        private final Operand<TFloat32> d2;
        private final Placeholder<TFloat32> t;
        private final Placeholder<TFloat32> h;
        private final Operand<TFloat32> norm;
        private final List<Op> commit;
        private final Operand<TFloat32> read;
        private final int recordEvery;

        Program(List<Op> start, Operand<TFloat32> d0, Operand<TFloat32> d1, Placeholder<TFloat32> probeH, Operand<TFloat32> d2,
                Placeholder<TFloat32> t, Placeholder<TFloat32> h, Operand<TFloat32> norm, List<Op> commit, Operand<TFloat32> read,
                int recordEvery) {
            this.start = start;
            this.d0 = d0;
            this.d1 = d1;
            this.probeH = probeH;
            this.d2 = d2;
            this.t = t;
            this.h = h;
            this.norm = norm;
            this.commit = commit;
            this.read = read;
            this.recordEvery = recordEvery;
        }

        @Override
        public SampleRun run(Session session, Consumer<Session.Runner> inputs, boolean withTrajectory) {
            return run(session, inputs, withTrajectory, done -> {});
        }

        @Override
        public SampleRun run(Session session, Consumer<Session.Runner> inputs, boolean withTrajectory, java.util.function.DoubleConsumer progress) {
            Session.Runner init = session.runner();
            inputs.accept(init);
            start.forEach(init::addTarget);
            double n0;
            double n1;
            try (Result r = init.fetch(d0).fetch(d1).run()) {
                n0 = ((TFloat32) r.get(0)).getFloat();
                n1 = ((TFloat32) r.get(1)).getFloat();
            }
            List<float[][]> recorded = new ArrayList<>();
            List<Double> times = new ArrayList<>();
            if (withTrajectory) {
                recorded.add(state(session));
                times.add(0.0);
            }
            double step = n0 < 1e-5 || n1 < 1e-5 ? 1e-6 : 0.01 * n0 / n1;
            double n2;
            try (TFloat32 probe = TFloat32.scalarOf((float) step)) {
                n2 = scalar(session.runner().feed(probeH, probe).fetch(d2));
            }
            double biggest = Math.max(n1, n2);
            double h1 = biggest <= 1e-15 ? Math.max(1e-6, step * 1e-3) : Math.pow(0.01 / biggest, 1.0 / 5);
            step = Math.min(1.0, Math.min(100 * step, h1));
            long evaluations = 2;
            double time = 0;
            int attempts = 0;
            int accepted = 0;
            while (1 - time > 1e-9) {
                if (attempts++ >= maxSteps) {
                    throw new IllegalStateException("dopri5 took more than maxSteps = " + maxSteps + " steps and reached only t = "
                            + time + "; loosen rtol/atol or raise maxSteps");
                }
                step = Math.min(step, 1 - time);
                double err;
                try (TFloat32 tNow = TFloat32.scalarOf((float) time); TFloat32 hNow = TFloat32.scalarOf((float) step)) {
                    Session.Runner runner = session.runner().feed(t, tNow).feed(h, hNow).fetch(norm);
                    commit.forEach(runner::addTarget);
                    err = scalar(runner);
                }
                evaluations += 6;
                boolean ok = err <= 1;
                if (ok) {
                    time += step;
                    accepted++;
                    progress.accept(Math.min(time, 1.0));
                    if (withTrajectory && (accepted % recordEvery == 0 || 1 - time <= 1e-9)) {
                        recorded.add(state(session));
                        times.add(Math.min(time, 1.0));
                    }
                }
                double factor = !Double.isFinite(err) ? 0.2 : err == 0 ? 10 : Math.min(10, Math.max(0.2, 0.9 * Math.pow(err, -0.2)));
                step *= ok ? factor : Math.min(1, factor);
                if (step < 1e-10) {
                    throw new IllegalStateException("dopri5's step size fell below 1e-10 at t = " + time
                            + " (the field is not finite or too stiff there)");
                }
            }
            float[][] end = withTrajectory ? recorded.get(recorded.size() - 1) : state(session);
            float[][][] trajectory = withTrajectory ? recorded.toArray(float[][][]::new) : null;
            double[] recordedTimes = withTrajectory ? times.stream().mapToDouble(Double::doubleValue).toArray() : null;
            return new SampleRun(end, trajectory, recordedTimes, evaluations);
        }

        private float[][] state(Session session) {
            try (Result r = session.runner().fetch(read).run()) {
                return Tensors.toMatrix(r.get(0));
            }
        }

        /** Runs [runner] and returns its one fetched scalar. */
        private static double scalar(Session.Runner runner) {
            try (Result r = runner.run()) {
                return ((TFloat32) r.get(0)).getFloat();
            }
        }
    }
}
