package dev.flowkit.runtime.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowkit.runtime.compiler.CompiledExperiment;
import dev.flowkit.runtime.compiler.Components;
import dev.flowkit.runtime.compiler.ExperimentCompiler;
import dev.flowkit.runtime.compiler.SamplingGraph;
import dev.flowkit.runtime.compiler.Streams;
import dev.flowkit.runtime.metrics.Metric;
import dev.flowkit.runtime.output.Npy;
import dev.flowkit.runtime.output.Plots;
import dev.flowkit.spec.ExperimentSpec;
import dev.flowkit.spec.MetricSpec;
import dev.flowkit.spec.SpecJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.tensorflow.TensorFlow;

/**
 * Runs an experiment end to end: train (with checkpoints and optional resume), sample, evaluate
 * against fresh data and the data-vs-data noise floor, and write the outputs.
 */
public final class ExperimentRunner {
    public static final String VERSION = "0.1.0";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ExperimentCompiler compiler;
    private final SpecJson specJson;

    public ExperimentRunner(ExperimentCompiler compiler, SpecJson specJson) {
        this.compiler = compiler;
        this.specJson = specJson;
    }

    public RunResult run(ExperimentSpec spec, RunOptions options) {
        try {
            return runUnchecked(spec.withDefaults(), options);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private RunResult runUnchecked(ExperimentSpec spec, RunOptions options) throws IOException {
        SpecJson.validate(spec); // before anything is written or built
        Path out = options.outDir();
        Files.createDirectories(out);
        String specText = specJson.encode(spec);
        JsonNode specNode = JSON.readTree(specText);
        TrainingListener listener = options.listener();
        Checkpoints checkpoints = new Checkpoints(out);
        Path resumeFrom = options.resume() ? checkpoints.latest() : null;
        Checkpoints.State resumed = resumeFrom == null ? null : checkpoints.readState(resumeFrom);
        if (resumed != null) requireCompatible(resumed, specNode, spec.getTrain().getSteps(), resumeFrom);
        List<MetricSpec> metricSpecs = spec.getEvaluate();
        Components components = compiler.components();
        List<Metric> metrics = metricSpecs.stream().map(m -> components.resolve(m, Metric.class)).toList();

        try (CompiledExperiment experiment = compiler.compile(spec, options.session())) {
            List<double[]> losses = new ArrayList<>();
            long start = 0;
            if (resumed != null) {
                checkpoints.restoreVariables(experiment, resumeFrom);
                losses.addAll(resumed.losses());
                start = experiment.step();
                listener.status("resumed from " + resumeFrom + " at step " + start);
            }
            Files.writeString(out.resolve("spec.json"), specText + "\n");
            Training training = train(experiment, spec, start, losses, checkpoints, specNode, listener);
            double finalLoss = finalLoss(losses);

            int count = spec.getSample().getCount();
            listener.status("sampling " + count + " points with " + spec.getSample().getSampler().getClass().getSimpleName()
                    + " (" + experiment.functionEvaluations() + " network evaluations each)");
            long s0 = System.nanoTime();
            SamplingGraph.SampleBatch batch = experiment.sampleTrajectories(count, Streams.SAMPLES);
            double samplingSeconds = (System.nanoTime() - s0) / 1e9;
            float[][] samples = batch.samples();
            Npy.write(out.resolve("samples.npy"), samples);

            listener.status("evaluating " + metricSpecs.size() + " metric(s) against fresh data");
            float[][] data = experiment.data(count, Streams.EVAL_DATA);
            float[][] floorData = experiment.data(count, Streams.FLOOR_DATA);
            Map<String, Double> values = evaluate(metrics, samples, data, floorData, listener);
            writeMetrics(out.resolve("metrics.json"), spec, values, spec.getTrain().getSteps(), training.steps(),
                    training.stepsPerSecond(), finalLoss, count, experiment.functionEvaluations(), samplingSeconds);
            if (options.plots() && samples[0].length >= 2) { // 2D views: the first two coordinates
                listener.status("drawing plots");
                String title = spec.getName();
                Plots.samples(out.resolve("samples.png"), title + ": samples over data", samples, data);
                Plots.trajectories(out.resolve("trajectories.png"), title + ": trajectories from t = 0 to t = 1", batch.trajectory(), 300);
                Plots.loss(out.resolve("loss.png"), title + ": training loss", losses);
            }
            return new RunResult(values, training.stepsPerSecond(), finalLoss, samplingSeconds, experiment.functionEvaluations(), samples);
        }
    }

    /** Steps trained in this run and their speed. */
    private record Training(long steps, double stepsPerSecond) {}

    /** The training loop from [start]: logs window losses into [losses], checkpoints, and saves at the end. */
    private static Training train(CompiledExperiment experiment, ExperimentSpec spec, long start, List<double[]> losses,
                                  Checkpoints checkpoints, JsonNode specNode, TrainingListener listener) {
        long total = spec.getTrain().getSteps();
        int logEvery = spec.getTrain().getLogEvery();
        int checkpointEvery = spec.getTrain().getCheckpointEvery();
        listener.started(start, total);
        long trainingNanos = 0;
        long trained = 0;
        for (long step = start; step < total; step++) {
            boolean log = (step + 1) % logEvery == 0 || step + 1 == total;
            long t0 = System.nanoTime();
            double loss = experiment.trainStep(log);
            trainingNanos += System.nanoTime() - t0;
            trained++;
            if (log) {
                if (!Double.isFinite(loss)) {
                    listener.finished();
                    throw new IllegalStateException("training diverged: the loss is " + loss + " at step " + (step + 1)
                            + "; lower train.optimizer.learningRate or set train.optimizer.clipNorm");
                }
                losses.add(new double[] {step + 1, loss});
                listener.progress(step + 1, loss);
            }
            if (checkpointEvery > 0 && (step + 1) % checkpointEvery == 0 && step + 1 < total) {
                checkpoints.save(experiment, new Checkpoints.State(step + 1, specNode, losses));
            }
        }
        listener.finished();
        if (trained > 0 || checkpoints.latest() == null) {
            checkpoints.save(experiment, new Checkpoints.State(experiment.step(), specNode, losses));
        }
        return new Training(trained, trained == 0 ? Double.NaN : trained / (trainingNanos / 1e9));
    }

    /** Every metric against fresh data, and against a second data sample (the "Floor"); none for NaN samples. */
    private static Map<String, Double> evaluate(List<Metric> metrics, float[][] samples, float[][] data, float[][] floorData,
                                                TrainingListener listener) {
        Map<String, Double> values = new TreeMap<>();
        long nonFinite = countNonFinite(samples);
        if (nonFinite > 0) {
            // Distances to NaN are meaningless (and the exact W2 has no finite assignment): say so instead.
            values.put("nonFiniteSamples", (double) nonFinite);
            listener.status("warning: " + nonFinite + " sample coordinates are NaN or infinite; metrics skipped");
            return values;
        }
        for (Metric metric : metrics) {
            values.putAll(metric.compute(samples, data));
            metric.compute(floorData, data).forEach((k, v) -> values.put(k + "Floor", v));
        }
        return values;
    }

    /** A checkpoint may continue a run whose spec differs at most in train.steps, and only forwards. */
    private static void requireCompatible(Checkpoints.State saved, JsonNode current, long totalSteps, Path folder) {
        ObjectNode a = saved.spec().deepCopy();
        ObjectNode b = current.deepCopy();
        ((ObjectNode) a.get("train")).remove("steps");
        ((ObjectNode) b.get("train")).remove("steps");
        if (!a.equals(b)) {
            throw new IllegalArgumentException("the checkpoint in " + folder + " was written for a different spec "
                    + "(only train.steps may change between runs); run without --resume or choose another --out");
        }
        if (saved.step() > totalSteps) {
            throw new IllegalArgumentException("the checkpoint in " + folder + " is at step " + saved.step()
                    + ", past train.steps = " + totalSteps + "; raise train.steps to continue training");
        }
    }

    private static double finalLoss(List<double[]> losses) {
        int n = Math.min(10, losses.size());
        if (n == 0) return Double.NaN;
        double sum = 0;
        for (int i = losses.size() - n; i < losses.size(); i++) sum += losses.get(i)[1];
        return sum / n;
    }

    private static long countNonFinite(float[][] x) {
        long bad = 0;
        for (float[] row : x) for (float v : row) if (!Float.isFinite(v)) bad++;
        return bad;
    }

    private static void writeMetrics(Path file, ExperimentSpec spec, Map<String, Double> values, long totalSteps, long trained,
                                     double stepsPerSecond, double finalLoss, int count, int nfe, double samplingSeconds) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("name", spec.getName());
        root.put("seed", spec.getSeed());
        root.put("metrics", values);
        Map<String, Object> training = new LinkedHashMap<>();
        training.put("steps", totalSteps);
        training.put("stepsThisRun", trained);
        training.put("stepsPerSecond", finite(stepsPerSecond));
        training.put("finalLoss", finite(finalLoss));
        root.put("training", training);
        Map<String, Object> sampling = new LinkedHashMap<>();
        sampling.put("count", count);
        sampling.put("functionEvaluations", nfe);
        sampling.put("seconds", samplingSeconds);
        root.put("sampling", sampling);
        Map<String, Object> versions = new LinkedHashMap<>();
        versions.put("flowkit", VERSION);
        versions.put("tensorflow", TensorFlow.version());
        versions.put("java", System.getProperty("java.version"));
        root.put("versions", versions);
        JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
