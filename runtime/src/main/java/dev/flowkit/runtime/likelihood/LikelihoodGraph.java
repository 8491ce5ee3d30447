package dev.flowkit.runtime.likelihood;

import dev.flowkit.runtime.compiler.RandomDraw;
import dev.flowkit.runtime.distributions.Distribution;
import dev.flowkit.runtime.graph.Tensors;
import dev.flowkit.runtime.model.Model;
import dev.flowkit.runtime.paths.ProbabilityPath;
import dev.flowkit.runtime.samplers.FixedStepSolver;
import dev.flowkit.runtime.samplers.SampleRun;
import dev.flowkit.runtime.samplers.Sampler;
import dev.flowkit.runtime.samplers.SamplerProgram;
import dev.flowkit.runtime.samplers.SamplingInput;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * log p_1(x) (or p_time) of a model at given points: the augmented probability-flow ODE from t = 1 (or time) back to t = 0 with any ODE
 * sampler (fixed-step or dopri5, each a host loop around one compiled step), then log p_0 of the end points under
 * the source.
 */
public final class LikelihoodGraph {
    private final int dim;
    private final double bitsPerDimOffset;
    private final Placeholder<TFloat32> points;
    private final RandomDraw draw;
    private final SamplerProgram program;
    private final Placeholder<TFloat32> ends;
    private final Operand<TFloat32> sourceLogDensity;

    /** log-densities of points from [data]'s space (its dimension, and its quantization for bits per dimension). */
    public LikelihoodGraph(Ops tf, Model model, ProbabilityPath path, Distribution source, Sampler solver, Divergence divergence,
                           Distribution data) {
        this(tf, model, path, source, solver, divergence, data, 1.0);
    }

    /** The same for the density p_[time] (1: the data's). */
    public LikelihoodGraph(Ops tf, Model model, ProbabilityPath path, Distribution source, Sampler solver, Divergence divergence,
                           Distribution data, double time) {
        int dim = data.dim();
        this.dim = dim;
        this.bitsPerDimOffset = data.bitsPerDimOffset();
        this.points = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, dim)));
        this.draw = new RandomDraw(tf);
        List<Operand<TFloat32>> start = new ArrayList<>(List.of(points, tf.zeros(tf.stack(List.of(draw.count(), tf.constant(1))), TFloat32.class)));
        Operand<TFloat32> probes = divergence.drawProbes(tf, draw.count(), dim, draw.key());
        if (probes != null) start.add(probes);
        Operand<TFloat32> state0 = tf.concat(start, tf.constant(1));
        SamplingInput input = new SamplingInput(new AugmentedDynamics(model, divergence, dim, time), path, state0, draw.key().derive(1),
                Integer.MAX_VALUE);
        // a fixed-step solve loops on the host around one compiled step: unrolled, every stage's gradient graph
        // would make graph construction quadratic in the number of steps (see FixedStepSolver.compileStepped)
        this.program = solver instanceof FixedStepSolver fixed ? fixed.compileStepped(tf, input) : solver.compile(tf, input);
        this.ends = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, dim)));
        this.sourceLogDensity = source.logDensity(tf, ends);
    }

    /** Per-point log-density (natural log) of [x] under the model, and the solver's function evaluations. */
    public LogDensities run(Session session, float[][] x, long seed, long stream) {
        return run(session, x, seed, stream, done -> {});
    }

    /** The same, telling [progress] the fraction of the ODE's time interval solved so far. */
    public LogDensities run(Session session, float[][] x, long seed, long stream, java.util.function.DoubleConsumer progress) {
        SampleRun run;
        try (TFloat32 fed = Tensors.matrix(x); RandomDraw.Feeds feeds = draw.feeds(x.length, seed, stream)) {
            run = program.run(session, runner -> {
                feeds.apply(runner);
                runner.feed(points, fed);
            }, false, progress);
        }
        float[][] state = run.samples();
        float[][] x0 = new float[x.length][dim];
        double[] integral = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            System.arraycopy(state[i], 0, x0[i], 0, dim);
            integral[i] = state[i][dim];
        }
        double[] logDensity = sourceLogDensities(session, x0);
        for (int i = 0; i < x.length; i++) logDensity[i] -= integral[i];
        double[] bitsPerDim = new double[x.length];
        for (int i = 0; i < x.length; i++) bitsPerDim[i] = -logDensity[i] / (dim * Math.log(2)) + bitsPerDimOffset;
        return new LogDensities(logDensity, bitsPerDim, run.functionEvaluations());
    }

    /** log p_0(x) per point under the source. */
    public double[] sourceLogDensities(Session session, float[][] x) {
        try (TFloat32 fed = Tensors.matrix(x); Result r = session.runner().feed(ends, fed).fetch(sourceLogDensity).run()) {
            TFloat32 column = (TFloat32) r.get(0);
            double[] out = new double[x.length];
            for (int i = 0; i < x.length; i++) out[i] = column.getFloat(i, 0);
            return out;
        }
    }

    /**
     * log p(x) per point (nats), bits per dimension per point, and the network evaluations of the solve. Bits per
     * dimension are −log p/(dim ln 2), plus for quantized data log2 of its bins per unit length: then they bound the
     * discrete levels' bits through uniform dequantization (points carrying fresh dequantization noise).
     */
    public record LogDensities(double[] logDensity, double[] bitsPerDim, long functionEvaluations) {
        public double mean() {
            return java.util.Arrays.stream(logDensity).average().orElse(Double.NaN);
        }

        public double meanBitsPerDim() {
            return java.util.Arrays.stream(bitsPerDim).average().orElse(Double.NaN);
        }
    }
}
