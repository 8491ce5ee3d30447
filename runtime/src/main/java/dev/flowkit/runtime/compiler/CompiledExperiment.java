package dev.flowkit.runtime.compiler;

import dev.flowkit.runtime.distributions.DataDescription;
import dev.flowkit.runtime.graph.Tensors;
import dev.flowkit.runtime.likelihood.LikelihoodGraph;
import dev.flowkit.runtime.likelihood.LikelihoodMetric;
import dev.flowkit.runtime.metrics.ModelMetric;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import dev.flowkit.spec.ExperimentSpec;
import java.nio.file.Path;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/** A compiled experiment: its graph and session, the training step, sampling and data draws. Close it. */
public final class CompiledExperiment implements AutoCloseable {
    private final ExperimentSpec spec;
    private final Graph graph;
    private final Session session;
    private final Variable<TInt64> step;
    private final Op update;
    private final LossWindow lossWindow;
    private final List<SamplingGraph> sampling;
    private final RandomDraw dataDraw;
    private final List<Operand<?>> dataSample;
    private final List<Operand<?>> heldOutSample;
    private final List<ModelMetric.Compiled> modelMetrics;
    private final List<org.tensorflow.op.core.Variable<TFloat32>> trainable;
    private final DataDescription dataDescription;
    private final Map<String, Double> dataProvenance;
    private final Operand<TFloat32> learningRate;

    CompiledExperiment(ExperimentSpec spec, Graph graph, Session session, Variable<TInt64> step, Op update,
                       LossWindow lossWindow, List<SamplingGraph> sampling, RandomDraw dataDraw, List<Operand<?>> dataSample,
                       List<Operand<?>> heldOutSample, List<ModelMetric.Compiled> modelMetrics, List<org.tensorflow.op.core.Variable<TFloat32>> trainable,
                       DataDescription dataDescription, Map<String, Double> dataProvenance, Operand<TFloat32> learningRate) {
        this.learningRate = learningRate;
        this.dataProvenance = Map.copyOf(dataProvenance);
        this.trainable = List.copyOf(trainable);
        this.dataDescription = dataDescription;
        this.heldOutSample = heldOutSample;
        this.modelMetrics = modelMetrics;
        this.spec = spec;
        this.graph = graph;
        this.session = session;
        this.step = step;
        this.update = update;
        this.lossWindow = lossWindow;
        this.sampling = sampling;
        this.dataDraw = dataDraw;
        this.dataSample = dataSample;
    }

    /** The spec, with defaults written out. */
    public ExperimentSpec spec() {
        return spec;
    }

    /**
     * One optimizer step in one session call. With [readLoss] it returns the mean loss over the steps since
     * the last read (each step's batch loss before its update) and starts a new window; otherwise NaN.
     */
    public double trainStep(boolean readLoss) {
        Session.Runner runner = session.runner().addTarget(update);
        lossWindow.accumulate(runner);
        if (!readLoss) {
            runner.run().close();
            return Double.NaN;
        }
        runner.fetch(lossWindow.mean()).addTarget(lossWindow.reset());
        try (Result r = runner.run()) {
            return ((TFloat32) r.get(0)).getFloat();
        }
    }

    /** What a trained model keeps of the data (written beside the spec, so that it loads without the data). */
    public DataDescription dataDescription() {
        return dataDescription;
    }

    /** How the data's points were made (see Distribution#provenance). */
    public Map<String, Double> dataProvenance() {
        return dataProvenance;
    }

    /** The learning rate the next training step uses. */
    public double learningRate() {
        try (Result r = session.runner().fetch(learningRate).run()) {
            return ((TFloat32) r.get(0)).getFloat();
        }
    }

    /** The number of trained values in the network (an EMA copy not counted). */
    public long parameterCount() {
        return trainable.stream().mapToLong(v -> v.shape().size()).sum();
    }

    /**
     * SHA-256 of the trained values, bit for bit, in the network's variable order: equal digests mean identical
     * weights (e.g. across the replicas of data-parallel training).
     */
    public String parameterDigest() {
        try {
            java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
            for (org.tensorflow.op.core.Variable<TFloat32> v : trainable) {
                try (Result r = session.runner().fetch(v).run()) {
                    TFloat32 t = (TFloat32) r.get(0);
                    org.tensorflow.ndarray.buffer.FloatDataBuffer values = org.tensorflow.ndarray.buffer.DataBuffers.ofFloats(t.size());
                    t.copyTo(values);
                    java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(Math.toIntExact(4 * t.size()));
                    for (long i = 0; i < t.size(); i++) bytes.putInt(Float.floatToRawIntBits(values.getFloat(i)));
                    digest.update(bytes.array());
                }
            }
            return java.util.HexFormat.of().formatHex(digest.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One training step (it counts as a step) traced by TensorFlow: kernel time by op type. */
    public StepProfile profileTrainStep() {
        Session.Runner runner = session.runner().addTarget(update);
        lossWindow.accumulate(runner);
        return StepProfile.traced(runner, graph);
    }

    /** Training steps completed so far (restored with a checkpoint). */
    public long step() {
        try (Result r = session.runner().fetch(step).run()) {
            return ((TInt64) r.get(0)).getLong();
        }
    }

    /** [count] model samples [count][dim], from source draws keyed by (seed, stream) (at the first guidance scale). */
    public float[][] sample(int count, long stream) {
        return sample(0, count, stream, false).samples();
    }

    /**
     * Samples at guidance scale number [scale] (0 when unconditional), with the recorded trajectory (every
     * sample.recordEvery solver steps) if asked for, the requested labels and the network evaluations taken.
     */
    public SamplingGraph.SampleBatch sample(int scale, int count, long stream, boolean withTrajectory) {
        return sampling.get(scale).run(session, count, spec.getSeed(), stream, withTrajectory);
    }

    /** One traced sampling run of [count] points at the first guidance scale (see SamplingGraph.profile). */
    public java.util.Optional<StepProfile> profileSample(int count, long stream) {
        return sampling.get(0).profile(session, graph, count, spec.getSeed(), stream);
    }

    /** The same in chunks (see SamplingGraph.run), [progress] told the rows done after each. */
    public SamplingGraph.SampleBatch sampleInChunks(int scale, int count, long stream, boolean withTrajectory, java.util.function.IntConsumer progress) {
        return sampling.get(scale).run(session, count, spec.getSeed(), stream, withTrajectory, progress);
    }

    /** The guidance scales compiled (empty when the model is unconditional). */
    public List<Double> guidanceScales() {
        return spec.getGuidanceScales();
    }

    /** [count] fresh draws from the data distribution. */
    public float[][] data(int count, long stream) {
        return labelledData(count, stream).points();
    }

    /** Fresh data draws (from the training rows of a finite sample) with their class labels (null for unlabelled data). */
    public LabelledPoints labelledData(int count, long stream) {
        return draw(count, stream, dataSample);
    }

    /** Data for evaluation: a finite sample's held-out rows, otherwise fresh draws as {@link #labelledData}. */
    public LabelledPoints heldOutData(int count, long stream) {
        return draw(count, stream, heldOutSample);
    }

    private LabelledPoints draw(int count, long stream, List<Operand<?>> outputs) {
        try (Result r = dataDraw.run(session, count, spec.getSeed(), stream, outputs)) {
            float[][] points = Tensors.toMatrix(r.get(0));
            return new LabelledPoints(points, r.size() < 2 ? null : Tensors.toIntArray(r.get(1)));
        }
    }

    /**
     * The metrics that need the model itself (e.g. likelihood) against held-out data points; figures such as
     * density.png go into [figures] (null: none).
     */
    public Map<String, Double> evaluateModel(float[][] heldOut, Path figures) throws IOException {
        return evaluateModel(heldOut, figures, (label, done) -> {});
    }

    /** The same, telling [progress] each metric's label and how far it is (0 … 1) as it goes. */
    public Map<String, Double> evaluateModel(float[][] heldOut, Path figures, java.util.function.ObjDoubleConsumer<String> progress) throws IOException {
        Map<String, Double> values = new LinkedHashMap<>();
        for (ModelMetric.Compiled metric : modelMetrics) {
            values.putAll(metric.compute(session, heldOut, spec.getSeed(), figures, spec.getName(), done -> progress.accept(metric.label(), done)));
        }
        return values;
    }

    /**
     * Per-point log-likelihoods (nats) and bits per dimension of [points] under the trained model, with the solve's
     * NFE, by the first `likelihood(...)` of the spec's evaluate list (its solver and divergence). For quantized data
     * pass dequantized points (e.g. {@link #heldOutData}); bits per dimension then count the discrete levels.
     */
    public LikelihoodGraph.LogDensities logLikelihood(float[][] points) {
        for (ModelMetric.Compiled metric : modelMetrics) {
            if (metric instanceof LikelihoodMetric.CompiledLikelihood likelihood) return likelihood.logDensities(session, points, spec.getSeed());
        }
        throw new IllegalStateException("the spec declares no likelihood(); add evaluate { likelihood() } to compute log-likelihoods");
    }

    /** Points [n][dim] and their labels (or null). */
    public record LabelledPoints(float[][] points, int[] labels) {}

    /** Writes every variable (network, optimizer state, step) under [prefix] (a TensorFlow checkpoint). */
    public void save(Path prefix) {
        session.save(prefix.toString());
    }

    public void restore(Path prefix) {
        session.restore(prefix.toString());
    }

    @Override
    public void close() {
        session.close();
        graph.close();
    }
}
