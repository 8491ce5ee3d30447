package dev.flowkit.runtime.serving;

import dev.flowkit.runtime.compiler.Components;
import dev.flowkit.runtime.compiler.RandomDraw;
import dev.flowkit.runtime.compiler.SamplingGraph;
import dev.flowkit.runtime.compiler.SessionOptions;
import dev.flowkit.runtime.compiler.Streams;
import dev.flowkit.runtime.distributions.DataDescription;
import dev.flowkit.runtime.distributions.Distribution;
import dev.flowkit.runtime.graph.RandomKey;
import dev.flowkit.runtime.graph.Tensors;
import dev.flowkit.runtime.likelihood.LikelihoodGraph;
import dev.flowkit.runtime.likelihood.LikelihoodMetric;
import dev.flowkit.runtime.metrics.ModelMetric;
import dev.flowkit.runtime.model.GuidedModel;
import dev.flowkit.runtime.model.ModelContext;
import dev.flowkit.runtime.model.TrainableModel;
import dev.flowkit.runtime.networks.Network;
import dev.flowkit.runtime.paths.ProbabilityPath;
import dev.flowkit.runtime.samplers.Sampler;
import dev.flowkit.runtime.samplers.SamplerProgram;
import dev.flowkit.spec.ExperimentSpec;
import dev.flowkit.spec.Likelihood;
import dev.flowkit.spec.Prediction;
import dev.flowkit.spec.SamplerSpec;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.PlaceholderWithDefault;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The graph of a trained model, without training: its network (the moving average of the weights when the run kept
 * one, under the scope they were saved in, so a checkpoint restores into it) and, each built the first time it is
 * asked for, the parts that use it — sampling from fed source draws, velocity and score at fed points, log-likelihoods.
 * Parts are built under a write lock and run under a read lock, so calls from several threads are safe; parts that
 * keep state in graph variables between session calls (host-stepped solves) run one call at a time.
 */
public final class ServingGraph implements AutoCloseable {
    private final ExperimentSpec spec;
    private final Components components;
    private final DataDescription data;
    private final Distribution source;
    private final ProbabilityPath path;
    private final Graph graph;
    private final Ops tf;
    private final Session session;
    private final TrainableModel model;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<Object, Object> parts = new HashMap<>();
    /** Row blocks of a sampled batch: the session's inter-op threads. */
    private final int rowBlocks;

    /** The network of [spec] (with defaults written out) on data described by [data]; its variables still need {@link #restore}. */
    public ServingGraph(ExperimentSpec spec, DataDescription data, Components components, SessionOptions options) {
        this.spec = spec;
        this.components = components;
        this.data = data;
        this.rowBlocks = options.interOpThreads();
        this.source = components.resolve(spec.getSourceOrDefault(), Distribution.class);
        this.path = components.resolve(spec.getPath(), ProbabilityPath.class);
        Network network = components.resolve(spec.getNetwork(), Network.class);
        this.graph = new Graph();
        try {
            this.tf = Ops.create(graph);
            ModelContext context = new ModelContext(data.dim(), data.classes(), spec.getPrediction(), path,
                    RandomKey.of(tf, spec.getSeed(), Streams.INIT), data.imageShape());
            // the compiler builds the evaluated weights under "ema" when training keeps an average, else under "network"
            this.model = network.build(tf.withSubScope(spec.getTrain().getEma() != null ? "ema" : "network"), context);
            this.session = new Session(graph, options.toConfig());
        } catch (RuntimeException e) {
            graph.close();
            throw e;
        }
    }

    /** Loads the network's variables from a checkpoint prefix (extra variables there, e.g. optimizer state, are ignored). */
    public void restore(Path prefix) {
        session.restore(prefix.toString());
    }

    public ExperimentSpec spec() {
        return spec;
    }

    public DataDescription data() {
        return data;
    }

    /** The trained values of the network. */
    public long parameterCount() {
        return model.variables().stream().mapToLong(v -> v.shape().size()).sum();
    }

    /**
     * Source draws x0 [count][dim] for key (seed, [stream]) and the labels the spec's sample section asks for with them
     * (null when unlabelled).
     */
    public Draws draws(int count, long seed, long stream) {
        SourceDraw draw = part("draws", () -> {
            Ops scope = tf.withSubScope("draws");
            RandomDraw random = new RandomDraw(scope);
            Operand<TFloat32> x0 = source.sample(scope, random.count(), random.key());
            Operand<TInt32> labels = data.classes() == 0 ? null
                    : SamplingGraph.requestedLabels(scope, data, spec.getSample().getClasses(), random.count(), random.key());
            return new SourceDraw(random, x0, labels);
        });
        return running(() -> {
            List<Operand<?>> outputs = draw.labels == null ? List.of(draw.x0) : List.of(draw.x0, draw.labels);
            try (Result r = draw.random.run(session, count, seed, stream, outputs)) {
                return new Draws(Tensors.toMatrix(r.get(0)), draw.labels == null ? null : Tensors.toIntArray(r.get(1)));
            }
        });
    }

    /** Source draws and requested labels. */
    public record Draws(float[][] noise, int[] labels) {}

    private record SourceDraw(RandomDraw random, Operand<TFloat32> x0, Operand<TInt32> labels) {}

    /**
     * Samples from source draws [noise] by [sampler]: unconditional when [labels] is null, else for those labels with
     * guidance w (w = 1 evaluates the conditional network alone); random draws of stochastic samplers from key
     * (seed, [stream]), as in the run.
     */
    public float[][] sample(SamplerSpec sampler, float[][] noise, int[] labels, double guidance, long seed, long stream) {
        Kind kind = labels == null ? Kind.UNCONDITIONAL : guidance == 1.0 ? Kind.CONDITIONAL : Kind.GUIDED;
        FedSampling fed = sampling(sampler, kind);
        return fed.run(session, lock, noise, labels, guidance, seed, stream);
    }

    /** How a sampling part uses labels: none, the conditional network alone, or guided by a fed w. */
    public enum Kind { UNCONDITIONAL, CONDITIONAL, GUIDED }

    /** The sampling part for [sampler] and [kind], built on first use. */
    public FedSampling sampling(SamplerSpec sampler, Kind kind) {
        return part(List.of("sample", sampler, kind), () -> {
            Ops scope = tf.withSubScope("sample");
            Placeholder<TFloat32> noise = scope.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, data.dim())));
            Placeholder<TInt64> seed = scope.placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
            PlaceholderWithDefault<TInt64> stream = scope.placeholderWithDefault(scope.constant(Streams.SAMPLES), Shape.scalar());
            RandomKey key = new RandomKey(scope.stack(List.of(seed, stream)));
            Placeholder<TInt32> labels = kind == Kind.UNCONDITIONAL ? null : scope.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
            Placeholder<TFloat32> guidance = kind == Kind.GUIDED ? scope.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar())) : null;
            // the same derivation as the run's sampling graph, so the same seed gives the same noise; row blocks as there
            SamplerProgram program = components.resolve(sampler, Sampler.class).compileInRowBlocks(scope, rowBlocks, noise, labels,
                    rows -> switch (kind) {
                        case UNCONDITIONAL -> model.given(null);
                        case CONDITIONAL -> model.given(rows);
                        case GUIDED -> new GuidedModel(model.given(rows), model.given(null), guidance);
                    }, path, key.derive(6), Integer.MAX_VALUE);
            initializeNew();
            return new FedSampling(noise, seed, stream, labels, guidance, program);
        });
    }

    /** The model's [quantity] at points x [n][dim] and times t [n], for [labels] (null: the null class); built on first use. */
    public float[][] field(Prediction quantity, float[][] x, float[] t, int[] labels) {
        Field field = fieldPart(quantity);
        return running(() -> {
            try (TFloat32 xs = Tensors.matrix(x); TFloat32 ts = TFloat32.vectorOf(t)) {
                Session.Runner runner = session.runner().feed(field.x, xs).feed(field.t, ts).fetch(field.output);
                if (field.labels == null) {
                    try (Result r = runner.run()) {
                        return Tensors.toMatrix(r.get(0));
                    }
                }
                int[] rows = labels != null ? labels : nullClass(x.length);
                try (TInt32 ls = TInt32.vectorOf(rows); Result r = runner.feed(field.labels, ls).run()) {
                    return Tensors.toMatrix(r.get(0));
                }
            }
        });
    }

    /** The part computing [quantity] from inputs x [n, dim], t [n] and (labelled models) labels [n]. */
    public Field fieldPart(Prediction quantity) {
        return part(List.of("field", quantity), () -> {
            Ops scope = tf.withSubScope(quantity.name().toLowerCase());
            Placeholder<TFloat32> x = scope.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, data.dim())));
            Placeholder<TFloat32> t = scope.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1)));
            Placeholder<TInt32> labels = data.classes() == 0 ? null : scope.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
            Operand<TFloat32> output = model.given(labels).predict(scope, quantity, x, scope.reshape(t, scope.constant(new int[] {-1, 1})));
            return new Field(x, t, labels, output);
        });
    }

    /** Inputs and output of a field part. */
    public record Field(Placeholder<TFloat32> x, Placeholder<TFloat32> t, Placeholder<TInt32> labels, Operand<TFloat32> output) {}

    private int[] nullClass(int n) {
        int[] rows = new int[n];
        java.util.Arrays.fill(rows, data.classes());
        return rows;
    }

    /**
     * log p(x) per point (nats) of the unconditional model, by the spec's first likelihood(...) (its solver and
     * divergence; the defaults when it has none), with bits per dimension and the solve's NFE.
     */
    public LikelihoodGraph.LogDensities logDensities(float[][] points) {
        LikelihoodMetric.CompiledLikelihood likelihood = part("likelihood", () -> {
            Likelihood declared = spec.getEvaluate().stream().filter(Likelihood.class::isInstance).map(Likelihood.class::cast)
                    .findFirst().orElseGet(Likelihood::new);
            LikelihoodMetric metric = (LikelihoodMetric) components.resolve(declared, Object.class);
            var compiled = (LikelihoodMetric.CompiledLikelihood) metric.compile(tf.withSubScope("likelihood"),
                    new ModelMetric.Parts(model.given(null), path, source, data));
            initializeNew();
            return compiled;
        });
        return running(() -> {
            synchronized (likelihood) { // its solve keeps the state in a graph variable between steps
                return likelihood.logDensities(session, points, spec.getSeed());
            }
        });
    }

    /** Builds a part once, under the write lock (TensorFlow graphs must not change while a session runs them). */
    @SuppressWarnings("unchecked")
    private <T> T part(Object key, Supplier<T> build) {
        lock.readLock().lock();
        try {
            Object built = parts.get(key);
            if (built != null) return (T) built;
        } finally {
            lock.readLock().unlock();
        }
        lock.writeLock().lock();
        try {
            return (T) parts.computeIfAbsent(key, k -> build.get());
        } finally {
            lock.writeLock().unlock();
        }
    }

    private <R> R running(Supplier<R> work) {
        lock.readLock().lock();
        try {
            return work.get();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Runs the initializers of variables a new part added (never the network's, which the checkpoint set). */
    private void initializeNew() {
        session.initialize();
    }

    /** The graph and session, for exporting (the caller must not change the graph while others use it). */
    Session session() {
        return session;
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            session.close();
            graph.close();
        } finally {
            lock.writeLock().unlock();
        }
    }
}
