package dev.flowkit.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flowkit.runtime.compiler.Components;
import dev.flowkit.runtime.compiler.SamplingGraph;
import dev.flowkit.runtime.compiler.Streams;
import dev.flowkit.runtime.compiler.SessionOptions;
import dev.flowkit.runtime.distributions.DataDescription;
import dev.flowkit.runtime.distributions.Distribution;
import dev.flowkit.runtime.likelihood.LikelihoodGraph;
import dev.flowkit.runtime.run.Checkpoints;
import dev.flowkit.runtime.serving.SavedModelExport;
import dev.flowkit.runtime.serving.ServingGraph;
import dev.flowkit.spec.ExperimentSpec;
import dev.flowkit.spec.Prediction;
import dev.flowkit.spec.SamplerSpec;
import dev.flowkit.spec.SpecException;
import dev.flowkit.spec.SpecJson;
import dev.flowkit.spec.SpecNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A model trained by `./flowkit run` (or {@link Flowkit#run}), loaded from its run folder for use in an application:
 * samples, log-likelihoods, the velocity and score fields, and export to a TensorFlow SavedModel. Loading never
 * trains and needs neither the data file nor the training graph: only spec.json, data.json and the checkpoint (the
 * moving average of the weights when the run kept one). Calls from several threads at once are safe and give the same
 * numbers as the same calls one after another. Close it to free its TensorFlow graph and session.
 */
public final class TrainedModel implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path runDir;
    private final ServingGraph graph;
    private final SamplerSpec sampler;
    private final long step;
    private final Map<String, Double> metrics;
    private final Components components;
    private final Path checkpoint;
    private final boolean owner;

    private TrainedModel(Path runDir, ServingGraph graph, SamplerSpec sampler, long step, Map<String, Double> metrics, Components components,
                         Path checkpoint, boolean owner) {
        this.runDir = runDir;
        this.graph = graph;
        this.sampler = sampler;
        this.step = step;
        this.metrics = metrics;
        this.components = components;
        this.checkpoint = checkpoint;
        this.owner = owner;
    }

    /**
     * Loads the run in [runDir] with [components]; a damaged checkpoint is skipped for the one before it (told to
     * [warn]). Throws IllegalArgumentException naming what is missing or wrong.
     */
    static TrainedModel load(Path runDir, Components components, SpecJson specJson, SessionOptions options, Consumer<String> warn) {
        if (!Files.isDirectory(runDir)) throw new IllegalArgumentException("no run folder " + runDir);
        ExperimentSpec spec = recordedSpec(runDir, specJson);
        Checkpoints checkpoints = new Checkpoints(runDir);
        List<String> damaged = new ArrayList<>();
        List<Checkpoints.Candidate> candidates = checkpoints.intact(damaged::add);
        if (candidates.isEmpty() && damaged.isEmpty()) {
            throw new IllegalArgumentException(runDir + " has no checkpoint (checkpoint/ is missing): the run stopped before its first "
                    + "checkpoint; run it again (./flowkit run SPEC --out " + runDir + ")");
        }
        if (candidates.isEmpty()) throw checkpoints.noneIntact(damaged, "load", "");
        DataDescription data = dataDescription(runDir, spec, components);
        ServingGraph graph = new ServingGraph(spec, data, components, options);
        try {
            Checkpoints.Candidate restored = checkpoints.restoreFirst(graph::restore, candidates, damaged, "loaded", warn);
            return new TrainedModel(runDir, graph, spec.getSample().getSampler(), restored.state().step(), readMetrics(runDir), components,
                    restored.folder().resolve("variables"), true);
        } catch (RuntimeException e) {
            graph.close();
            throw e;
        }
    }

    /** The spec a run folder recorded (spec.json, defaults written out), without loading its model; refused with the reason. */
    public static ExperimentSpec recordedSpec(Path runDir, SpecJson specJson) {
        Path file = runDir.resolve("spec.json");
        if (!Files.exists(file)) throw new IllegalArgumentException(runDir + " holds no run: spec.json is missing (./flowkit run writes it)");
        try {
            return specJson.decodeRecorded(Files.readString(file)).withDefaults();
        } catch (SpecException e) {
            throw new IllegalArgumentException(file + " no longer decodes as an experiment (written by another version, or edited?): "
                    + String.join("; ", e.getProblems()));
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
    }

    /** data.json, or for runs written before it existed, the description of the spec's data (when its file is still here). */
    private static DataDescription dataDescription(Path runDir, ExperimentSpec spec, Components components) {
        Path file = runDir.resolve(DataDescription.FILE);
        try {
            if (Files.exists(file)) return DataDescription.read(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + " does not read: " + e.getMessage());
        }
        try {
            SpecJson.validate(spec);
            return DataDescription.of(components.resolve(spec.getData(), Distribution.class), spec.getData().getImageShape());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(runDir + " has no " + DataDescription.FILE + " (runs write it since Flowkit 0.1.0) and its data "
                    + "cannot stand in for it: " + e.getMessage());
        }
    }

    private static Map<String, Double> readMetrics(Path runDir) {
        Path file = runDir.resolve("metrics.json");
        Map<String, Double> values = new LinkedHashMap<>();
        if (!Files.exists(file)) return Collections.unmodifiableMap(values); // a run still training
        try {
            JsonNode node = JSON.readTree(file.toFile()).path("metrics");
            node.fields().forEachRemaining(f -> values.put(f.getKey(), f.getValue().asDouble()));
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
        return Collections.unmodifiableMap(values);
    }

    /** The run's spec, with defaults written out. */
    public ExperimentSpec spec() {
        return graph.spec();
    }

    /** The metrics the run recorded in metrics.json (empty for a run that has not finished). */
    public Map<String, Double> metrics() {
        return metrics;
    }

    /** The training step of the loaded checkpoint (below spec().getTrain().getSteps() for an unfinished run). */
    public long step() {
        return step;
    }

    public Path runDir() {
        return runDir;
    }

    /** The dimension of a point (height · width · channels for images). */
    public int dim() {
        return graph.data().dim();
    }

    /** The number of classes (0: unconditional). */
    public int classes() {
        return graph.data().classes();
    }

    /** [height, width, channels] when the points are images, else null. */
    public List<Integer> imageShape() {
        return graph.data().imageShape();
    }

    public long parameterCount() {
        return graph.parameterCount();
    }

    /** The sampler this model samples with: the run's, unless chosen by {@link #withSampler}. */
    public SamplerSpec sampler() {
        return sampler;
    }

    /**
     * The same model sampled by [other] (validated against the model's path); it shares this model's graph, so close
     * this one, not the view.
     */
    public TrainedModel withSampler(SamplerSpec other) {
        ExperimentSpec variant = spec().withSampler(other);
        SpecJson.validateWithoutData(variant);
        return new TrainedModel(runDir, graph, variant.getSample().getSampler(), step, metrics, components, checkpoint, false);
    }

    /**
     * [count] samples [count][dim], from the source draws of key (seed, samples). For a labelled model the classes are
     * those the run's sample section asks for (sample.classes in turn, else drawn with the data's class frequencies),
     * at its first guidance scale: with the run's seed and count this is the run's samples.npy (samples-wW.npy).
     */
    public float[][] sample(int count, long seed) {
        return sample(count, seed, done -> {});
    }

    /** The same, telling [progress] the samples done after each chunk (100 images or 10 000 points per graph execution). */
    public float[][] sample(int count, long seed, java.util.function.IntConsumer progress) {
        return sampleRows(0, count, seed, progress);
    }

    /**
     * Rows [from, from + count) of {@link #sample(int, long)} for any count reaching that far, number for number: chunk k
     * of a draw is keyed by (seed, chunk k) whatever the count, so machines can each draw a shard of one large sample.
     * [from] must be a multiple of {@link #chunkRows()}.
     */
    public float[][] sampleRows(long from, int count, long seed, java.util.function.IntConsumer progress) {
        requirePositive("count", count);
        List<Double> scales = spec().getGuidanceScales();
        double w = scales.isEmpty() ? Double.NaN : scales.get(0);
        return inChunks(firstChunk(from), count, progress, (n, stream) -> {
            ServingGraph.Draws draws = graph.draws(n, seed, stream);
            return graph.sample(sampler, draws.noise(), draws.labels(), w, seed, stream);
        });
    }

    /** Rows per graph execution when sampling (100 images, 10 000 points otherwise): the unit of a shard. */
    public int chunkRows() {
        return SamplingGraph.chunkRows(imageShape() != null);
    }

    private int firstChunk(long from) {
        int rows = chunkRows();
        if (from < 0 || from % rows != 0) throw new IllegalArgumentException("from: must be a multiple of chunkRows() = " + rows + " and >= 0, was " + from);
        return Math.toIntExact(from / rows);
    }

    /** One sample per entry of [labels] (classes 0 … classes() − 1), by classifier-free guidance with scale w. */
    public float[][] sample(int[] labels, double guidance, long seed) {
        return sample(labels, guidance, seed, done -> {});
    }

    /** The same, telling [progress] the samples done after each chunk. */
    public float[][] sample(int[] labels, double guidance, long seed, java.util.function.IntConsumer progress) {
        return sampleRows(0, labels, guidance, seed, progress);
    }

    /** Rows [from, from + labels.length) of {@link #sample(int[], double, long)} for labels reaching that far (a shard). */
    public float[][] sampleRows(long from, int[] labels, double guidance, long seed, java.util.function.IntConsumer progress) {
        checkLabels(labels, "labels");
        requirePositive("labels.length", labels.length);
        if (!Double.isFinite(guidance)) throw new IllegalArgumentException("guidance: must be finite, was " + guidance);
        int[] offset = {0};
        return inChunks(firstChunk(from), labels.length, progress, (n, stream) -> {
            int[] part = Arrays.copyOfRange(labels, offset[0], offset[0] + n);
            offset[0] += n;
            return graph.sample(sampler, graph.draws(n, seed, stream).noise(), part, guidance, seed, stream);
        });
    }

    /** [count] rows in the chunks a run samples them in (chunk k on stream Streams.chunk(samples, k)), so the numbers match the run's. */
    private float[][] inChunks(int firstChunk, int count, java.util.function.BiFunction<Integer, Long, float[][]> chunk) {
        return inChunks(firstChunk, count, done -> {}, chunk);
    }

    private float[][] inChunks(int firstChunk, int count, java.util.function.IntConsumer progress, java.util.function.BiFunction<Integer, Long, float[][]> chunk) {
        int rows = chunkRows();
        float[][] out = new float[count][];
        for (int k = firstChunk, from = 0; from < count; k++, from += rows) {
            int n = Math.min(rows, count - from);
            System.arraycopy(chunk.apply(n, Streams.chunk(Streams.SAMPLES, k)), 0, out, from, n);
            progress.accept(from + n);
        }
        return out;
    }

    /**
     * Samples from given source draws [noise] [n][dim] (e.g. to interpolate between them): unconditional when [labels]
     * is null, else guided with scale w; [seed] keys a stochastic sampler's own noise.
     */
    public float[][] sample(float[][] noise, int[] labels, double guidance, long seed) {
        checkRows(noise, "noise");
        if (labels != null) {
            checkLabels(labels, "labels");
            if (labels.length != noise.length) {
                throw new IllegalArgumentException("labels: one per noise row (" + noise.length + "), had " + labels.length);
            }
            if (!Double.isFinite(guidance)) throw new IllegalArgumentException("guidance: must be finite, was " + guidance);
        }
        return graph.sample(sampler, noise, labels, guidance, seed, Streams.SAMPLES);
    }

    /** The classes {@link #sample(int, long)} requests for [seed] (null for an unconditional model). */
    public int[] labels(int count, long seed) {
        return labels(0, count, seed);
    }

    /** Rows [from, from + count) of {@link #labels(int, long)} (a shard; [from] a multiple of {@link #chunkRows()}). */
    public int[] labels(long from, int count, long seed) {
        requirePositive("count", count);
        if (classes() == 0) return null;
        int[] out = new int[count];
        int[] offset = {0};
        inChunks(firstChunk(from), count, (n, stream) -> {
            System.arraycopy(graph.draws(n, seed, stream).labels(), 0, out, offset[0], n);
            offset[0] += n;
            return new float[n][];
        });
        return out;
    }

    /** The source draws [count][dim] that {@link #sample(int, long)} starts from for [seed]. */
    public float[][] noise(int count, long seed) {
        requirePositive("count", count);
        return inChunks(0, count, (n, stream) -> graph.draws(n, seed, stream).noise());
    }

    /** Per-point log-likelihood (nats) of [points] under the model (unconditional), by the probability-flow ODE. */
    public double[] logLikelihood(float[][] points) {
        return likelihood(points).logDensity();
    }

    /** log p per point, bits per dimension per point (for quantized data: of dequantized points), and the solve's NFE. */
    public LikelihoodGraph.LogDensities likelihood(float[][] points) {
        checkRows(points, "points");
        return graph.logDensities(points);
    }

    /** The velocity field u_t(x) [n][dim] at points x [n][dim] and time t (the null class for a labelled model). */
    public float[][] velocity(float[][] x, double t) {
        return field(Prediction.VELOCITY, x, t, null);
    }

    /** The class-conditional velocity u_t(x | y), one label per point. */
    public float[][] velocity(float[][] x, double t, int[] labels) {
        return field(Prediction.VELOCITY, x, t, labels);
    }

    /** The score ∇ log p_t(x); only for Gaussian paths (a linear path has no closed-form conversion to it). */
    public float[][] score(float[][] x, double t) {
        return field(Prediction.SCORE, x, t, null);
    }

    public float[][] score(float[][] x, double t, int[] labels) {
        return field(Prediction.SCORE, x, t, labels);
    }

    private float[][] field(Prediction quantity, float[][] x, double t, int[] labels) {
        checkRows(x, "x");
        if (!(t >= 0 && t <= 1)) throw new IllegalArgumentException("t: must be in [0, 1] (0: source, 1: data), was " + t);
        if (labels != null) {
            checkLabels(labels, "labels");
            if (labels.length != x.length) throw new IllegalArgumentException("labels: one per point (" + x.length + "), had " + labels.length);
        }
        if (quantity == Prediction.SCORE && !spec().getPath().getHasScore()) {
            throw new UnsupportedOperationException("score: the path " + SpecNames.INSTANCE.of(spec().getPath())
                    + " has no closed-form score; this model gives its velocity");
        }
        float[] times = new float[x.length];
        Arrays.fill(times, (float) t);
        return graph.field(quantity, x, times, labels);
    }

    /**
     * Writes a TensorFlow SavedModel (tag serve) into [dir] with signatures `sample` (noise [n, dim] → samples, by this
     * model's sampler, which must run as one graph execution) and `velocity` (x [n, dim], t [n] → velocity); labelled
     * models also take labels [n] (and guidance, a scalar, for sample); stochastic samplers a seed (int64 scalar).
     */
    public void exportSavedModel(Path dir) {
        SavedModelExport.write(spec(), graph.data(), components, sampler, checkpoint, dir);
    }

    private void checkRows(float[][] points, String field) {
        if (points == null || points.length == 0) throw new IllegalArgumentException(field + ": needs at least one point");
        for (int i = 0; i < points.length; i++) {
            if (points[i].length != dim()) {
                throw new IllegalArgumentException(field + "[" + i + "]: must have the model's dimension " + dim() + ", had " + points[i].length);
            }
        }
    }

    private void checkLabels(int[] labels, String field) {
        if (classes() == 0) {
            throw new IllegalArgumentException(field + ": the model is unconditional (its data has no classes); sample it without labels");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes()) {
                throw new IllegalArgumentException(field + "[" + i + "]: must be one of the classes 0 … " + (classes() - 1) + ", was " + labels[i]);
            }
        }
    }

    private static void requirePositive(String field, int n) {
        if (n < 1) throw new IllegalArgumentException(field + ": must be > 0, was " + n);
    }

    @Override
    public void close() {
        if (owner) graph.close();
    }
}
