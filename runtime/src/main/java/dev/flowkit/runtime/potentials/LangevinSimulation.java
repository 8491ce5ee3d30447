package dev.flowkit.runtime.potentials;

import dev.flowkit.runtime.compiler.SessionOptions;
import dev.flowkit.runtime.compiler.StepProfile;
import dev.flowkit.runtime.distributions.Distribution;
import dev.flowkit.runtime.graph.RandomKey;
import dev.flowkit.runtime.graph.RowBlocks;
import dev.flowkit.runtime.graph.StateVariable;
import dev.flowkit.runtime.graph.StepLoop;
import dev.flowkit.runtime.graph.Tensors;
import dev.flowkit.spec.LangevinIntegrator;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.ReduceMax;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.op.core.VarHandleOp;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Overdamped Langevin dynamics dX = −∇V(X) dt + √(2T) dW for many independent chains, in the graph: chains are
 * simulated in chunks that fit in memory, each chunk's state kept in a resource variable and advanced by one
 * session call per {@value #STEPS_PER_CALL} steps (a While loop around one step, {@link StepLoop}). After every call
 * the chains are checked; a non-finite or exploding state stops the simulation with the largest stable dt estimated
 * from the curvature of V.
 */
public final class LangevinSimulation {
    /**
     * Changes whenever the same spec and seed would give other chains (2: Box–Muller noise, split gradient; 3: its pairs
     * within rows; 4: a key per step of the run, the steps in a While loop).
     */
    public static final int VERSION = 4;
    /** Steps per session call: how often the chains are checked and the progress shown; enough to amortize a call. */
    static final int STEPS_PER_CALL = 10;
    /** Values per chunk of chains (64 MiB of float32 state). */
    public static final int CHUNK_VALUES = 1 << 24;
    /** Large elementwise work: every core helps, best as one block of chains per inter-op thread (see RowBlocks). */
    private static final SessionOptions THREADS = SessionOptions.rowBlocks(Runtime.getRuntime().availableProcessors());
    /** |x| beyond this counts as an explosion even while finite. */
    static final double EXPLOSION = 1e6;
    /** Finite-difference step of the Hessian–vector products. */
    private static final double CURVATURE_STEP = 1e-2;
    /** Chains the curvature estimate looks at. */
    private static final int PROBE_CHAINS = 1024;

    private final Potential potential;
    private final Distribution init;
    private final double temperature;
    private final double dt;
    private final int steps;
    private final LangevinIntegrator integrator;
    private final boolean progress;

    private final SessionOptions session;
    private final int chunkValues;

    public LangevinSimulation(Potential potential, Distribution init, double temperature, double dt, int steps,
                              LangevinIntegrator integrator, boolean progress) {
        this(potential, init, temperature, dt, steps, integrator, progress, THREADS, CHUNK_VALUES);
    }

    /**
     * With TensorFlow threads of [session] (e.g. a Spark task's cores) and chunks of [chunkValues] values: the chunk
     * size decides which chains share a random key, so runs meant to agree must use the same.
     */
    public LangevinSimulation(Potential potential, Distribution init, double temperature, double dt, int steps,
                              LangevinIntegrator integrator, boolean progress, SessionOptions session, int chunkValues) {
        this.potential = potential;
        this.init = init;
        this.temperature = temperature;
        this.dt = dt;
        this.steps = steps;
        this.integrator = integrator;
        this.progress = progress;
        this.session = session;
        this.chunkValues = chunkValues;
    }

    /** MALA: accepted proposals and all proposals over every chain and step simulated so far. */
    private double accepted;
    private double proposed;
    /** MALA: the fraction of a chunk's steps that tune the step size, and the acceptance they aim for. */
    static final double BURN_IN = 0.2;
    static final double TARGET_ACCEPTANCE = 0.6;
    private double stepSizeUsed = Double.NaN;

    /** The step size MALA settled on during burn-in (the last chunk's; NaN for the other integrators). */
    public double stepSize() {
        return stepSizeUsed;
    }

    /** The fraction of MALA proposals accepted over the runs so far (NaN for the other integrators). */
    public double acceptanceRate() {
        return proposed == 0 ? Double.NaN : accepted / proposed;
    }

    /** [chains] end points, row-major [chains × dim], a function of [seed]. */
    public float[] run(int chains, long seed) {
        return runRows(chains, seed, 0, chains);
    }

    /** Chains per chunk of a run of [chains]: chunk k is simulated from its own random key (seed, k). */
    public int chunkChains(int chains) {
        return Math.max(1, Math.min(chains, chunkValues / potential.dim()));
    }

    /**
     * Rows [from, from + rows) of {@link #run(int, long)} of [chains], number for number (a shard of it): whole chunks,
     * so [from] is a multiple of {@link #chunkChains(int)} and the shard ends on a chunk boundary or at the last chain.
     */
    public float[] runRows(int chains, long seed, int from, int rows) {
        int dim = potential.dim();
        int chunk = chunkChains(chains);
        if (from < 0 || from % chunk != 0 || rows < 1 || from + (long) rows > chains || (from + rows != chains && rows % chunk != 0)) {
            throw new IllegalArgumentException("rows [" + from + ", " + (from + (long) rows) + ") are not whole chunks of " + chunk
                    + " chains of a run of " + chains);
        }
        float[] out = new float[rows * dim];
        try (Graph graph = new Graph()) {
            Program program = new Program(Ops.create(graph));
            try (Session tf = new Session(graph, session.toConfig());
                 ProgressBar bar = progress ? bar((long) steps * rows) : null) {
                for (int at = from; at < from + rows; at += chunk) {
                    int n = Math.min(chunk, from + rows - at);
                    float[] end = program.simulate(tf, n, seed, at / chunk, bar);
                    System.arraycopy(end, 0, out, (at - from) * dim, end.length);
                }
            }
        }
        return out;
    }

    /**
     * Where one call of {@value #STEPS_PER_CALL} steps of [chains] goes (TensorFlow's trace of the call after an untraced
     * one): kernel time by op type, loop bodies included.
     */
    public StepProfile profileCall(int chains) {
        try (Graph graph = new Graph()) {
            Program program = new Program(Ops.create(graph));
            try (Session tf = new Session(graph, session.toConfig())) {
                program.begin(tf, chains, 0, 0);
                program.call(tf, 0, 0, 0, STEPS_PER_CALL).close(); // the first call sets the kernels up
                try (TInt64 k = TInt64.vectorOf(0, 1 + STEPS_PER_CALL); TInt32 count = TInt32.scalarOf(STEPS_PER_CALL)) { // the second
                    return StepProfile.traced(program.runner(tf, k, count), graph);
                }
            }
        }
    }

    /** (I + dt A)⁻¹ by Gauss–Jordan elimination (I + dt A is symmetric positive definite for A ⪰ 0). */
    static double[][] resolvent(double[][] a, double dt) {
        int n = a.length;
        double[][] m = new double[n][2 * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) m[i][j] = (i == j ? 1 : 0) + dt * a[i][j];
            m[i][n + i] = 1;
        }
        for (int c = 0; c < n; c++) {
            int pivot = c;
            for (int r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) pivot = r;
            double[] swap = m[c];
            m[c] = m[pivot];
            m[pivot] = swap;
            double d = m[c][c];
            for (int j = 0; j < 2 * n; j++) m[c][j] /= d;
            for (int r = 0; r < n; r++) {
                if (r == c || m[r][c] == 0) continue;
                double f = m[r][c];
                for (int j = 0; j < 2 * n; j++) m[r][j] -= f * m[c][j];
            }
        }
        double[][] out = new double[n][n];
        for (int i = 0; i < n; i++) System.arraycopy(m[i], n, out[i], 0, n);
        return out;
    }

    private static ProgressBar bar(long chainSteps) {
        return new ProgressBarBuilder().setTaskName("langevin").setInitialMax(chainSteps).setStyle(ProgressBarStyle.ASCII)
                .setUnit(" chain-steps", 1).showSpeed(new java.text.DecimalFormat("#.#E0")).setSpeedUnit(ChronoUnit.SECONDS)
                .setUpdateIntervalMillis(500).build();
    }

    /** A compiled call of several steps: the op storing the new state, and checks of that state. */
    private record Advance(Op store, Operand<TBool> finite, Operand<TFloat32> largest) {}

    /** The compiled chunk: start, advance by up to STEPS_PER_CALL steps, check, read; and a curvature probe. */
    private final class Program {
        final Placeholder<TInt32> count;
        final Placeholder<TInt64> key;
        final Op start;
        /** Steps of the next call. */
        final Placeholder<TInt32> times;
        final Advance advance;
        final Operand<TFloat32> state;
        /** The first PROBE_CHAINS chains, what a divergence's curvature estimate looks at. */
        final Operand<TFloat32> probeRows;
        final Placeholder<TFloat32> probeX;
        final Placeholder<TFloat32> probeV;
        final Operand<TFloat32> hessianTimesV;
        /** MALA: accepted moves since the chunk started, and the starting points' energies' finiteness. */
        final VarHandleOp acceptedMoves;
        final Op resetAccepted;
        final Operand<TFloat32> acceptedCount;
        final Operand<TFloat32> nonFiniteEnergies;
        /** MALA: the step size, data.dt at the start of each chunk, tuned during burn-in, then frozen. */
        final VarHandleOp stepSize;
        final Placeholder<TFloat32> newStepSize;
        final Op setStepSize;

        Program(Ops tf) {
            count = tf.placeholder(TInt32.class);
            key = tf.placeholder(TInt64.class);
            RandomKey base = new RandomKey(key);
            acceptedMoves = StateVariable.create(tf, "accepted");
            resetAccepted = tf.assignVariableOp(acceptedMoves, tf.constant(0f));
            acceptedCount = tf.readVariableOp(acceptedMoves, TFloat32.class);
            stepSize = StateVariable.create(tf, "stepSize");
            newStepSize = tf.placeholder(TFloat32.class, Placeholder.shape(org.tensorflow.ndarray.Shape.scalar()));
            setStepSize = tf.assignVariableOp(stepSize, newStepSize);
            VarHandleOp variable = StateVariable.create(tf, "langevin");
            start = tf.assignVariableOp(variable, init.sample(tf, count, base.derive(-1)));
            times = tf.placeholder(TInt32.class, Placeholder.shape(org.tensorflow.ndarray.Shape.scalar()));
            advance = advance(tf, variable, key, times);
            state = tf.readVariableOp(variable, TFloat32.class);
            probeRows = tf.slice(state, tf.constant(new int[] {0, 0}), tf.stack(List.of(
                    tf.math.minimum(RowBlocks.rows(tf, state), tf.constant(PROBE_CHAINS)), tf.constant(-1))));
            Operand<TInt32> axes = tf.constant(new int[] {0, 1});
            nonFiniteEnergies = tf.reduceSum(tf.dtypes.cast(tf.math.logicalNot(tf.math.isFinite(potential.energy(tf, state))), TFloat32.class), axes);
            probeX = tf.placeholder(TFloat32.class);
            probeV = tf.placeholder(TFloat32.class);
            // Hessian–vector products by a central difference of TensorFlow's gradient (v has unit rows): the C API
            // has no second-order gradients (no gradient for the OnesLike that seeds the first one)
            Operand<TFloat32> step = tf.math.mul(probeV, Tensors.scalar(tf, CURVATURE_STEP));
            Operand<TFloat32> hv = tf.math.div(tf.math.sub(potential.gradient(tf, tf.math.add(probeX, step)),
                    potential.gradient(tf, tf.math.sub(probeX, step))), Tensors.scalar(tf, 2 * CURVATURE_STEP));
            // the semi-implicit step is limited by the curvature of U = V − ½ xᵀAx only
            hessianTimesV = integrator == LangevinIntegrator.SEMI_IMPLICIT
                    ? tf.math.sub(hv, tf.linalg.matMul(probeV, tf.constant(Tensors.toFloat(potential.quadraticPart())))) : hv;
        }

        /**
         * Stores the blocks' new states [ends] joined (after [before]) and reports, in the same call, whether they are
         * finite and their largest |x|, each block checked on its own thread: no second call to check them.
         */
        private Advance stored(Ops tf, VarHandleOp variable, List<Operand<TFloat32>> ends, List<Op> before) {
            Operand<TInt32> axes = tf.constant(new int[] {0, 1});
            Operand<TFloat32> x = RowBlocks.join(tf, ends, 0);
            List<Op> dependencies = new ArrayList<>(before);
            dependencies.add(x);
            Operand<TBool> finite = tf.reduceAll(tf.stack(ends.stream().map(e -> (Operand<TBool>) tf.reduceAll(tf.math.isFinite(e), axes)).toList()),
                    tf.constant(0));
            Operand<TFloat32> largest = tf.reduceMax(tf.stack(ends.stream().map(e -> (Operand<TFloat32>) tf.reduceMax(tf.math.abs(e), axes,
                    ReduceMax.keepDims(false))).toList()), tf.constant(0), ReduceMax.keepDims(false));
            return new Advance(tf.withControlDependencies(dependencies).assignVariableOp(variable, x), finite, largest);
        }

        /**
         * [times] steps from the variable's state, as one While loop per block of rows (RowBlocks: one block per inter-op
         * thread, the numbers of a single block): the step is built once, not once per step. Step s of the chunk (s counted
         * from 0 over the whole run, the fed key being [seed, chunk · 2³² + 1 + s₀] for a call starting at s₀) draws
         * from the key [seed, chunk · 2³² + 1 + s].
         */
        @SuppressWarnings("unchecked")
        private Advance advance(Ops tf, VarHandleOp variable, Operand<TInt64> key, Operand<TInt32> times) {
            boolean metropolis = integrator == LangevinIntegrator.MALA;
            Operand<TFloat32> all = tf.readVariableOp(variable, TFloat32.class);
            Operand<TFloat32> h = metropolis ? tf.readVariableOp(stepSize, TFloat32.class) : null; // dt, tuned during burn-in
            List<Operand<TFloat32>> ends = new ArrayList<>();
            Operand<TFloat32> moved = tf.zeros(tf.constant(new int[0]), TFloat32.class);
            for (RowBlocks.Block block : RowBlocks.split(tf, RowBlocks.rows(tf, all), session.interOpThreads())) {
                Operand<TFloat32> x = block.of(tf, all);
                if (metropolis) {
                    List<Operand<?>> end = StepLoop.repeat(tf, times, List.of(key, block.first(), h),
                            List.of(x, potential.energy(tf, x), potential.gradient(tf, x), tf.zeros(tf.constant(new int[0]), TFloat32.class)),
                            (g, k, constants, state) -> metropolisStep(g, stepKey(g, constants, k), (Operand<TFloat32>) constants.get(2), state));
                    ends.add((Operand<TFloat32>) end.get(0));
                    moved = tf.math.add(moved, (Operand<TFloat32>) end.get(3));
                } else {
                    List<Operand<?>> end = StepLoop.repeat(tf, times, List.of(key, block.first()), List.of(x),
                            (g, k, constants, state) -> List.of(step(g, stepKey(g, constants, k), (Operand<TFloat32>) state.get(0))));
                    ends.add((Operand<TFloat32>) end.get(0));
                }
            }
            return stored(tf, variable, ends, metropolis ? List.of(tf.assignAddVariableOp(acceptedMoves, moved)) : List.of());
        }

        /** Step k's key inside a loop whose constants start with the call's key and the block's first row. */
        @SuppressWarnings("unchecked")
        private RandomKey stepKey(Ops g, List<Operand<?>> constants, Operand<TInt32> k) {
            Operand<TInt64> call = (Operand<TInt64>) constants.get(0);
            Operand<TInt64> offset = g.stack(List.of(g.constant(0L), g.dtypes.cast(k, TInt64.class))); // [0, k]
            return new RandomKey(g.math.add(call, offset)).rows((Operand<TInt32>) constants.get(1));
        }

        /** One Euler, tamed or semi-implicit step of the chains [x] with the noise of [key]: x, drift and noise added in one op. */
        private Operand<TFloat32> step(Ops tf, RandomKey key, Operand<TFloat32> x) {
            boolean implicit = integrator == LangevinIntegrator.SEMI_IMPLICIT;
            // −dt ∇V, or −dt ∇U with U = V − ½ xᵀAx, as terms with −dt folded into their constants
            List<Operand<TFloat32>> drift = implicit ? potential.mildGradientTerms(tf, x, -dt) : potential.gradientTerms(tf, x, -dt);
            if (integrator == LangevinIntegrator.TAMED) {
                Operand<TFloat32> d = Potential.sum(tf, drift);
                Operand<TFloat32> norm = tf.math.sqrt(tf.reduceSum(tf.math.square(d), tf.constant(new int[] {1}), ReduceSum.keepDims(true)));
                drift = List.of(tf.math.div(d, tf.math.add(Tensors.scalar(tf, 1), norm)));
            }
            List<Operand<TFloat32>> parts = new ArrayList<>(drift);
            parts.add(x);
            parts.add(key.normalByBoxMuller(tf, tf.shape(x), 0, Math.sqrt(2 * temperature * dt))); // large draws: see RandomKey
            Operand<TFloat32> next = Potential.sum(tf, parts);
            // rows times (I + dt A)⁻¹, symmetric
            return implicit ? tf.linalg.matMul(next, tf.constant(Tensors.toFloat(resolvent(potential.quadraticPart(), dt)))) : next;
        }

        /**
         * One Metropolis-adjusted step of [state] = (x, V(x), ∇V(x), accepted moves so far) with step size [h]: the Euler
         * proposal accepted per chain with the Metropolis–Hastings ratio; V and ∇V carried from one step to the next.
         */
        @SuppressWarnings("unchecked")
        private List<Operand<?>> metropolisStep(Ops tf, RandomKey key, Operand<TFloat32> h, List<Operand<?>> state) {
            Operand<TFloat32> x = (Operand<TFloat32>) state.get(0);
            Operand<TFloat32> vx = (Operand<TFloat32>) state.get(1);
            Operand<TFloat32> gx = (Operand<TFloat32>) state.get(2);
            Operand<TFloat32> noiseScale = tf.math.sqrt(tf.math.mul(h, Tensors.scalar(tf, 2 * temperature)));
            Operand<TFloat32> y = tf.math.add(tf.math.sub(x, tf.math.mul(gx, h)), tf.math.mul(key.normalByBoxMuller(tf, tf.shape(x), 0), noiseScale));
            Operand<TFloat32> vy = potential.energy(tf, y);
            Operand<TFloat32> gy = potential.gradient(tf, y);
            // log q(x | y) − log q(y | x), q(b | a) = N(b; a − dt ∇V(a), 2T dt I)
            Operand<TFloat32> back = squaredNorm(tf, tf.math.add(tf.math.sub(x, y), tf.math.mul(gy, h)));
            Operand<TFloat32> forth = squaredNorm(tf, tf.math.add(tf.math.sub(y, x), tf.math.mul(gx, h)));
            Operand<TFloat32> logRatio = tf.math.sub(tf.math.div(tf.math.sub(vx, vy), Tensors.scalar(tf, temperature)),
                    tf.math.div(tf.math.sub(back, forth), tf.math.mul(h, Tensors.scalar(tf, 4 * temperature))));
            Operand<TFloat32> u = key.uniform(tf, tf.stack(List.of(RowBlocks.rows(tf, x), tf.constant(1))), 1);
            // log u < log ratio; a non-finite ratio (NaN energy) never accepts
            Operand<TBool> accept = tf.math.logicalAnd(tf.math.less(tf.math.log(tf.math.sub(Tensors.scalar(tf, 1), u)), logRatio), tf.math.isFinite(logRatio));
            Operand<TBool> acceptRows = tf.broadcastTo(accept, tf.shape(x));
            return List.of(tf.select(acceptRows, y, x), tf.select(accept, vy, vx), tf.select(acceptRows, gy, gx),
                    tf.math.add((Operand<TFloat32>) state.get(3), tf.reduceSum(tf.dtypes.cast(accept, TFloat32.class), tf.constant(new int[] {0, 1}))));
        }

        private Operand<TFloat32> squaredNorm(Ops tf, Operand<TFloat32> v) {
            return tf.reduceSum(tf.math.square(v), tf.constant(new int[] {1}), ReduceSum.keepDims(true));
        }

        /** The chunk's [rows] end points, row-major. */
        /** Draws the chunk's [rows] starting points. */
        void begin(Session session, int rows, long seed, long chunkIndex) {
            try (TInt32 n = TInt32.scalarOf(rows); TInt64 k = TInt64.vectorOf(seed, chunkIndex << 32)) {
                session.runner().feed(count, n).feed(key, k).addTarget(start).addTarget(resetAccepted).run().close();
            }
        }

        /** The call advancing by [n] steps with the call's [key]: it stores the new state and fetches its checks. */
        Session.Runner runner(Session session, TInt64 key, TInt32 n) {
            return session.runner().feed(this.key, key).feed(times, n).addTarget(advance.store()).fetch(advance.finite()).fetch(advance.largest());
        }

        /** That call for the [n] steps after step [done] of chunk [chunkIndex]. */
        Result call(Session session, long seed, long chunkIndex, int done, int n) {
            try (TInt64 k = TInt64.vectorOf(seed, (chunkIndex << 32) + 1 + done); TInt32 count = TInt32.scalarOf(n)) {
                return runner(session, k, count).run();
            }
        }

        float[] simulate(Session session, int rows, long seed, long chunkIndex, ProgressBar bar) {
            begin(session, rows, seed, chunkIndex);
            boolean metropolis = integrator == LangevinIntegrator.MALA;
            double h = dt;
            if (metropolis) {
                setStepSize(session, h);
                requireFiniteEnergies(session, rows);
            }
            double acceptedBefore = 0;
            float[][] lastGood = sample(session);
            int done = 0;
            while (done < steps) {
                int n = Math.min(STEPS_PER_CALL, steps - done);
                try (Result r = call(session, seed, chunkIndex, done, n)) {
                    done += n;
                    boolean ok = ((TBool) r.get(0)).getBoolean();
                    float max = ((TFloat32) r.get(1)).getFloat();
                    if (!ok || max > EXPLOSION) throw diverged(session, done, ok, max, lastGood);
                }
                if (done % (STEPS_PER_CALL * 20) == 0) lastGood = sample(session);
                if (metropolis) {
                    double acceptedNow = acceptedSoFar(session);
                    double rate = acceptedNow / ((double) rows * done);
                    // during burn-in a step that accepts nothing is halved like any other; after it, nothing can help
                    if (rate == 0 && done > steps * BURN_IN) throw noAcceptance(done, h);
                    if (done <= steps * BURN_IN) {
                        // burn-in: move the step size toward an acceptance of 0.6 (by at most a factor 2 per call), then keep it
                        double recent = (acceptedNow - acceptedBefore) / ((double) rows * n);
                        h *= Math.exp(Math.max(-Math.log(2), Math.min(Math.log(2), 2 * (recent - TARGET_ACCEPTANCE))));
                        setStepSize(session, h);
                    }
                    acceptedBefore = acceptedNow;
                    stepSizeUsed = h;
                    if (bar != null) bar.setExtraMessage(String.format(Locale.ROOT, " acceptance %.3f, dt %.3g", rate, h));
                }
                if (bar != null) bar.stepBy((long) n * rows);
            }
            if (metropolis) {
                accepted += acceptedSoFar(session);
                proposed += (double) rows * steps;
            }
            try (Result r = session.runner().fetch(state).run()) {
                float[] flat = new float[rows * potential.dim()];
                ((TFloat32) r.get(0)).asRawTensor().data().asFloats().read(flat);
                return flat;
            }
        }

        private void setStepSize(Session session, double h) {
            try (TFloat32 value = TFloat32.scalarOf((float) h)) {
                session.runner().feed(newStepSize, value).addTarget(setStepSize).run().close();
            }
        }

        private double acceptedSoFar(Session session) {
            try (Result r = session.runner().fetch(acceptedCount).run()) {
                return ((TFloat32) r.get(0)).getFloat();
            }
        }

        /** MALA's ratio needs V itself: a start where it is not finite would never move. */
        private void requireFiniteEnergies(Session session, int rows) {
            try (Result r = session.runner().fetch(nonFiniteEnergies).run()) {
                float bad = ((TFloat32) r.get(0)).getFloat();
                if (bad > 0) {
                    throw new IllegalArgumentException(String.format(Locale.ROOT, "data.potential: the energy V is not finite at %.0f of %d "
                            + "starting points; integrator = mala needs V itself (not only ∇V) to accept or reject a move: start the "
                            + "chains where V is finite (data.init) or use integrator = euler", bad, rows));
                }
            }
        }

        private IllegalArgumentException noAcceptance(int step, double tuned) {
            return new IllegalArgumentException(String.format(Locale.ROOT, "data.dt: with integrator = mala no proposal was accepted in "
                    + "the first %d steps at dt = %g%s: the Euler step is far too long for this potential; try dt = %g (aim for an "
                    + "acceptance near 0.6)", step, dt, tuned != dt ? String.format(Locale.ROOT, " (tuned to %g)", tuned) : "", Math.min(dt, tuned) / 10));
        }

        private float[][] sample(Session session) {
            try (Result r = session.runner().fetch(probeRows).run()) {
                return Tensors.toMatrix(r.get(0));
            }
        }

        private IllegalArgumentException diverged(Session session, int step, boolean finite, float max, float[][] lastGood) {
            double curvature = largestCurvature(session, lastGood);
            String what = finite ? String.format(Locale.ROOT, "chains exploded (|x| reached %.3g)", max) : "chains became NaN or infinite";
            String advice = integrator == LangevinIntegrator.EULER
                    ? "lower data.dt below that, or use data.integrator = tamed (it cannot explode)"
                    : "lower data.dt below that, or start the chains closer to typical states (data.init)";
            return new IllegalArgumentException(String.format(Locale.ROOT,
                    "the Langevin simulation diverged: %s by step %d of %d with dt = %g. The largest curvature of the %s "
                            + "met along the chains is about L = %.4g, so the largest stable dt is about 2/L = %.3g; %s",
                    what, step, steps, dt, integrator == LangevinIntegrator.SEMI_IMPLICIT ? "potential's mild part U" : "potential",
                    curvature, 2 / curvature, advice));
        }

        /** max over chains of the largest Hessian eigenvalue of V at [x], by 50 power iterations of Hessian–vector products. */
        double largestCurvature(Session session, float[][] x) {
            int n = x.length;
            int dim = x[0].length;
            java.util.Random random = new java.util.Random(1);
            float[][] v = new float[n][dim];
            for (float[] row : v) {
                double norm = 0;
                for (int j = 0; j < dim; j++) norm += (row[j] = (float) random.nextGaussian()) * (double) row[j];
                for (int j = 0; j < dim; j++) row[j] /= (float) Math.sqrt(norm);
            }
            double[] rayleigh = new double[n];
            try (TFloat32 fx = Tensors.matrix(x)) {
                for (int it = 0; it < 50; it++) {
                    float[][] hv;
                    try (TFloat32 fv = Tensors.matrix(v); Result r = session.runner().feed(probeX, fx).feed(probeV, fv).fetch(hessianTimesV).run()) {
                        hv = Tensors.toMatrix(r.get(0));
                    }
                    for (int i = 0; i < n; i++) {
                        double dot = 0;
                        double norm = 0;
                        double vv = 0;
                        for (int j = 0; j < dim; j++) {
                            dot += hv[i][j] * v[i][j];
                            norm += hv[i][j] * (double) hv[i][j];
                            vv += v[i][j] * (double) v[i][j];
                        }
                        rayleigh[i] = dot / vv;
                        double scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
                        for (int j = 0; j < dim; j++) v[i][j] = (float) (hv[i][j] * scale);
                    }
                }
            }
            return java.util.Arrays.stream(rayleigh).filter(Double::isFinite).max().orElse(Double.NaN);
        }
    }
}
