package dev.flowkit.runtime.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowkit.runtime.compiler.CompiledExperiment;
import dev.flowkit.runtime.compiler.Components;
import dev.flowkit.runtime.compiler.ExperimentCompiler;
import dev.flowkit.runtime.compiler.SamplingGraph;
import dev.flowkit.runtime.compiler.Streams;
import dev.flowkit.runtime.distributions.DataDescription;
import dev.flowkit.runtime.metrics.Evaluation;
import dev.flowkit.runtime.metrics.Metric;
import dev.flowkit.runtime.output.Npy;
import dev.flowkit.runtime.output.ImageGrids;
import dev.flowkit.runtime.output.Plots;
import dev.flowkit.spec.Dataset;
import dev.flowkit.spec.ExperimentSpec;
import dev.flowkit.spec.MetricSpec;
import dev.flowkit.spec.SpecJson;
import dev.flowkit.spec.SpecNames;
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
        List<String> damaged = new ArrayList<>();
        List<Checkpoints.Candidate> candidates = options.resume() ? checkpoints.intact(damaged::add) : List.of();
        if (candidates.isEmpty() && !damaged.isEmpty()) throw checkpoints.noneIntact(damaged);
        for (Checkpoints.Candidate c : candidates) requireCompatible(c.state(), specNode, spec.getTrain().getSteps(), c.folder());
        List<MetricSpec> metricSpecs = spec.getEvaluate();
        Components components = compiler.components();
        List<Metric> metrics = metricSpecs.stream().map(m -> components.resolve(m, Object.class))
                .filter(Metric.class::isInstance).map(Metric.class::cast).toList(); // the others need the model: evaluateModel

        long compileStart = System.nanoTime();
        boolean writes = options.parallel().writesOutputs();
        try (CompiledExperiment experiment = compiler.compile(spec, options.session(), options.parallel());
             TrainingBoard board = options.tensorBoard() && writes ? new TrainingBoard(out, spec) : null) {
            double prepareSeconds = (System.nanoTime() - compileStart) / 1e9;
            listener.status(String.format(java.util.Locale.ROOT, "network: %s, %,d trainable parameters",
                    SpecNames.INSTANCE.of(spec.getNetwork()), experiment.parameterCount()));
            List<double[]> losses = new ArrayList<>();
            long start = 0;
            Checkpoints.State resumed = null;
            if (!candidates.isEmpty()) {
                Checkpoints.Candidate restored = checkpoints.restoreFirst(experiment::restore, candidates, damaged, "resumed from", w -> listener.status("warning: " + w));
                resumed = restored.state();
                losses.addAll(resumed.losses());
                start = experiment.step();
                listener.status("resumed from " + restored.folder() + " at step " + start);
            }
            if (!writes) { // another replica: the same steps (its gradients join the others'), from the same shared checkpoint, no outputs
                Training training = train(experiment, spec, start, 0, losses, new PeriodicEvaluation(0, 0, List.of()), null, specNode, listener, null);
                return new RunResult(Map.of(), training.stepsPerSecond(), finalLoss(losses), Double.NaN, 0, null, Map.of(), experiment.parameterDigest());
            }
            Files.writeString(out.resolve("spec.json"), specText + "\n");
            experiment.dataDescription().write(out.resolve(DataDescription.FILE));
            double earlierSeconds = resumed == null ? 0 : resumed.trainingSeconds();
            PeriodicEvaluation during = new PeriodicEvaluation(spec.getTrain().getEvaluateEvery(), spec.getSample().getCount(),
                    resumed == null ? List.of() : resumed.evaluations());
            Training training = train(experiment, spec, start, earlierSeconds, losses, during, checkpoints, specNode, listener, board);
            double finalLoss = finalLoss(losses);

            int count = spec.getSample().getCount();
            for (Metric metric : metrics) metric.prepare(spec.getData(), listener);
            List<Sampled> runs = sampleAndEvaluate(experiment, spec, metrics, out, options, listener);
            if (options.plots() && !losses.isEmpty()) Plots.loss(out.resolve("loss.png"), spec.getName() + ": training loss", losses);
            Sampled first = runs.get(0);
            if (spec.getTrain().getEvaluateEvery() > 0) {
                Map<String, Double> end = new LinkedHashMap<>(first.metrics());
                end.keySet().retainAll(first.modelMetrics());
                during.record(experiment.step(), end);
                if (options.plots()) during.plot(out.resolve("evaluation.png"), spec.getName() + ": the model's metrics during training");
            }
            writeMetrics(out.resolve("metrics.json"), spec, runs, during.history(), experiment.dataProvenance(), experiment.parameterCount(), spec.getTrain().getSteps(), training.steps(),
                    training.stepsPerSecond(), finalLoss, count, prepareSeconds, training.seconds(), (System.nanoTime() - compileStart) / 1e9);
            Map<Double, Map<String, Double>> guided = new LinkedHashMap<>();
            runs.stream().filter(r -> r.guidance() != null).forEach(r -> guided.put(r.guidance(), r.metrics()));
            if (board != null) {
                Map<Double, Map<String, Double>> all = new LinkedHashMap<>();
                runs.forEach(r -> all.put(r.guidance(), r.metrics()));
                board.finished(experiment.step(), all, first.samples());
            }
            return new RunResult(first.metrics(), training.stepsPerSecond(), finalLoss, first.seconds(), first.functionEvaluations(),
                    first.samples(), guided, experiment.parameterDigest());
        } finally {
            for (Metric metric : metrics) if (metric instanceof AutoCloseable closeable) close(closeable);
        }
    }

    private static void close(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception e) {
            throw new IllegalStateException("could not close " + resource, e);
        }
    }

    /**
     * Samples once per guidance scale (once for an unconditional model), each from the same source draws and
     * requested labels, and evaluates against the same fresh data; writes samples[-wW].npy and its plots.
     */
    private static List<Sampled> sampleAndEvaluate(CompiledExperiment experiment, ExperimentSpec spec, List<Metric> metrics, Path out,
                                                   RunOptions options, TrainingListener listener) throws IOException {
        int count = spec.getSample().getCount();
        listener.status("evaluating against held-out data");
        CompiledExperiment.LabelledPoints data = experiment.heldOutData(count, Streams.EVAL_DATA);
        CompiledExperiment.LabelledPoints floorData = experiment.labelledData(count, Streams.FLOOR_DATA);
        List<Double> scales = experiment.guidanceScales();
        List<Sampled> runs = new ArrayList<>();
        if (spec.getEvaluate().size() > metrics.size()) listener.status("evaluating the model itself on held-out data (likelihood)");
        Map<String, Double> modelValues = experiment.evaluateModel(data.points(), options.plots() ? out : null, listener::evaluating);
        for (int g = 0; g < Math.max(1, scales.size()); g++) {
            Double w = scales.isEmpty() ? null : scales.get(g);
            String suffix = scales.size() > 1 ? "-w" + formatScale(w) : "";
            String label = spec.getName() + (w == null ? "" : " (guidance w = " + formatScale(w) + ")");
            listener.status("sampling " + count + " points with " + SpecNames.INSTANCE.of(spec.getSample().getSampler())
                    + (w == null ? "" : " at guidance w = " + formatScale(w)));
            long s0 = System.nanoTime();
            SamplingGraph.SampleBatch batch = experiment.sampleInChunks(g, count, Streams.SAMPLES, true, done -> listener.sampled(done, count));
            double seconds = (System.nanoTime() - s0) / 1e9;
            Npy.write(out.resolve("samples" + suffix + ".npy"), batch.samples());
            if (batch.labels() != null) Npy.write(out.resolve("labels.npy"), batch.labels()); // the same for every w
            Map<String, Double> values = evaluate(metrics, batch, data, floorData, spec, listener);
            values.putAll(modelValues);
            if (options.plots() && !values.containsKey("nonFiniteSamples")) {
                Evaluation evaluation = new Evaluation(batch.samples(), batch.labels(), data.points(), data.labels(), spec.getData());
                for (Metric metric : metrics) metric.figures(evaluation, out, label, suffix);
            }
            runs.add(new Sampled(w, values, batch.functionEvaluations(), seconds, batch.samples(), modelValues.keySet()));
            List<Integer> image = spec.getData().getImageShape();
            if (options.plots() && image != null) {
                listener.status("drawing image grids");
                imageFigures(out, suffix, label, image, spec, batch, data);
            } else if (options.plots() && batch.samples()[0].length >= 2) { // 2D views: the first two coordinates
                listener.status("drawing plots");
                Plots.samples(out.resolve("samples" + suffix + ".png"), label + ": samples over data", batch.samples(), data.points());
                Plots.trajectories(out.resolve("trajectories" + suffix + ".png"), label + ": trajectories from t = 0 to t = 1",
                        batch.trajectory(), 300);
            }
        }
        return runs;
    }

    /**
     * samples.png: 64 samples beside 64 held-out images, or for class-conditional samples one row per class of each;
     * trajectories.png: 8 trajectories (rows) at up to 8 of the recorded times (columns), the source at t = 0 on the left.
     */
    private static void imageFigures(Path out, String suffix, String label, List<Integer> image, ExperimentSpec spec,
                                     SamplingGraph.SampleBatch batch, CompiledExperiment.LabelledPoints data) throws IOException {
        double[] range = ImageGrids.displayRange(spec.getData(), data.points());
        ImageGrids.Layout layout = new ImageGrids.Layout(image.get(0), image.get(1), image.get(2), range[0], range[1]);
        if (batch.labels() != null && data.labels() != null) {
            int classes = spec.getData().getClasses();
            ImageGrids.panels(out.resolve("samples" + suffix + ".png"), label + ": samples and held-out data by class", layout,
                    List.of("samples of classes 0 … " + (classes - 1) + " (rows)", "held-out data"),
                    List.of(ImageGrids.byClass(batch.samples(), batch.labels(), classes, 10),
                            ImageGrids.byClass(data.points(), data.labels(), classes, 10)), 10);
        } else {
            ImageGrids.panels(out.resolve("samples" + suffix + ".png"), label + ": samples and held-out data", layout,
                    List.of("samples", "held-out data"), List.of(first(batch.samples(), 64), first(data.points(), 64)), 8);
        }
        float[][][] trajectory = batch.trajectory();
        if (trajectory == null) return;
        int columns = Math.min(8, trajectory.length);
        List<String> captions = new ArrayList<>();
        List<float[][]> panels = new ArrayList<>();
        for (int c = 0; c < columns; c++) {
            int k = columns == 1 ? 0 : (int) Math.round(c * (trajectory.length - 1) / (double) (columns - 1));
            captions.add(String.format(java.util.Locale.ROOT, "t = %.2f", batch.times()[k]));
            panels.add(first(trajectory[k], 8));
        }
        ImageGrids.panels(out.resolve("trajectories" + suffix + ".png"), label + ": trajectories from t = 0 to t = 1", layout,
                captions, panels, 1);
    }

    private static float[][] first(float[][] rows, int n) {
        return java.util.Arrays.copyOf(rows, Math.min(n, rows.length));
    }

    /** One sampling run: its guidance scale (null when unconditional), metrics, network evaluations, wall time, samples. */
    private record Sampled(Double guidance, Map<String, Double> metrics, long functionEvaluations, double seconds, float[][] samples,
                           java.util.Set<String> modelMetrics) {}

    /** A guidance scale as it names files and tags: 2 for 2.0, 2.5 as is. */
    public static String formatScale(double w) {
        return w == Math.rint(w) ? String.valueOf((long) w) : String.valueOf(w);
    }

    /** Steps trained in this run, their speed and wall seconds. */
    /** This run's training [steps] and speed; [seconds] includes the training time of the runs it resumed. */
    private record Training(long steps, double stepsPerSecond, double seconds) {}

    /**
     * The training loop from [start] ([earlierSeconds] of training before it): logs window losses into [losses],
     * checkpoints, and saves at the end; with no [checkpoints] (a replica that writes nothing) it only trains.
     */
    private static Training train(CompiledExperiment experiment, ExperimentSpec spec, long start, double earlierSeconds,
                                  List<double[]> losses, PeriodicEvaluation during, Checkpoints checkpoints, JsonNode specNode,
                                  TrainingListener listener, TrainingBoard board) {
        long total = spec.getTrain().getSteps();
        int logEvery = spec.getTrain().getLogEvery();
        int checkpointEvery = spec.getTrain().getCheckpointEvery();
        during.after(experiment, start, total, listener); // a resumed run: the evaluation its checkpoint predates
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
                if (board != null) board.window(experiment, step + 1, loss);
            }
            during.after(experiment, step + 1, total, listener);
            if (checkpoints != null && checkpointEvery > 0 && (step + 1) % checkpointEvery == 0 && step + 1 < total) {
                checkpoints.save(experiment, new Checkpoints.State(step + 1, specNode, losses, earlierSeconds + trainingNanos / 1e9,
                        during.history()));
                if (board != null) board.checkpoint(experiment, step + 1);
            }
        }
        listener.finished();
        if (checkpoints != null && (trained > 0 || checkpoints.intact(damage -> {}).isEmpty())) {
            checkpoints.save(experiment, new Checkpoints.State(experiment.step(), specNode, losses, earlierSeconds + trainingNanos / 1e9,
                    during.history()));
        }
        return new Training(trained, trained == 0 ? Double.NaN : trained / (trainingNanos / 1e9), earlierSeconds + trainingNanos / 1e9);
    }

    /** Every metric against fresh data, and against a second data sample (the "Floor"); none for NaN samples. */
    private static Map<String, Double> evaluate(List<Metric> metrics, SamplingGraph.SampleBatch batch,
                                                CompiledExperiment.LabelledPoints data, CompiledExperiment.LabelledPoints floorData,
                                                ExperimentSpec spec, TrainingListener listener) {
        Map<String, Double> values = new TreeMap<>();
        long nonFinite = countNonFinite(batch.samples());
        if (nonFinite > 0) {
            // Distances to NaN are meaningless (and the exact W2 has no finite assignment): say so instead.
            values.put("nonFiniteSamples", (double) nonFinite);
            listener.status("warning: " + nonFinite + " sample coordinates are NaN or infinite; metrics skipped");
            return values;
        }
        Evaluation model = new Evaluation(batch.samples(), batch.labels(), data.points(), data.labels(), spec.getData());
        Evaluation floor = new Evaluation(floorData.points(), floorData.labels(), data.points(), data.labels(), spec.getData());
        for (Metric metric : metrics) {
            values.putAll(metric.compute(model));
            metric.compute(floor).forEach((k, v) -> values.put(k + "Floor", v));
        }
        return values;
    }

    /**
     * A checkpoint may continue a run whose spec differs at most in train.steps (only forwards), in the training's
     * bookkeeping (how often it logs, checkpoints and evaluates) and in what happens after training (sample,
     * evaluate): a trained model can be trained on, sampled and judged again without retraining.
     */
    private void requireCompatible(Checkpoints.State saved, JsonNode current, long totalSteps, Path folder) {
        ObjectNode a = trainingPart(withCurrentDefaults(saved.spec()));
        ObjectNode b = trainingPart(current);
        if (!a.equals(b)) {
            List<String> differing = new ArrayList<>();
            a.fieldNames().forEachRemaining(f -> { if (!a.get(f).equals(b.get(f))) differing.add(f); });
            b.fieldNames().forEachRemaining(f -> { if (!a.has(f)) differing.add(f); });
            throw new IllegalArgumentException("the checkpoint in " + folder + " was written for a different spec (differs in "
                    + String.join(", ", differing) + "; only train.steps, train.logEvery, train.checkpointEvery, "
                    + "train.evaluateEvery, sample and evaluate may change between runs); "
                    + "run without --resume or choose another --out");
        }
        if (saved.step() > totalSteps) {
            throw new IllegalArgumentException("the checkpoint in " + folder + " is at step " + saved.step()
                    + ", past train.steps = " + totalSteps + "; raise train.steps to continue training");
        }
    }

    /** A saved spec as this version writes it, so that fields added since (with their defaults) do not count as changes. */
    private JsonNode withCurrentDefaults(JsonNode saved) {
        try {
            return JSON.readTree(specJson.encode(specJson.decode(saved.toString()).withDefaults()));
        } catch (RuntimeException | IOException e) {
            return saved; // a spec this version cannot read: compared as written, and reported as different
        }
    }

    /** The parts of a spec that determine the trained variables, except train.steps. */
    private static ObjectNode trainingPart(JsonNode spec) {
        ObjectNode copy = spec.deepCopy();
        ((ObjectNode) copy.get("train")).remove(List.of("steps", "logEvery", "checkpointEvery", "evaluateEvery"));
        copy.remove(List.of("sample", "evaluate"));
        return copy;
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

    private static void writeMetrics(Path file, ExperimentSpec spec, List<Sampled> runs, List<Checkpoints.Evaluated> evaluations,
                                     Map<String, Double> data, long parameters, long totalSteps, long trained,
                                     double stepsPerSecond, double finalLoss, int count, double prepareSeconds,
                                     double trainingSeconds, double totalSeconds) throws IOException {
        Sampled first = runs.get(0);
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("name", spec.getName());
        root.put("seed", spec.getSeed());
        root.put("metrics", first.metrics());
        if (!data.isEmpty()) root.put("data", data);
        root.put("network", Map.of("type", SpecNames.INSTANCE.of(spec.getNetwork()), "parameters", parameters));
        Map<String, Object> training = new LinkedHashMap<>();
        training.put("steps", totalSteps);
        training.put("stepsThisRun", trained);
        training.put("stepsPerSecond", finite(stepsPerSecond));
        training.put("finalLoss", finite(finalLoss));
        root.put("training", training);
        root.put("sampling", sampling(first, count));
        Map<String, Object> timings = new LinkedHashMap<>();
        timings.put("prepareSeconds", prepareSeconds); // data (e.g. a Langevin simulation) and graph construction
        timings.put("trainingSeconds", trainingSeconds); // summed over the runs that trained this model (resumes too)
        timings.put("samplingSeconds", runs.stream().mapToDouble(Sampled::seconds).sum());
        timings.put("totalSeconds", totalSeconds); // all of the above, evaluation and plots
        root.put("timings", timings);
        if (!evaluations.isEmpty()) {
            List<Map<String, Object>> during = new ArrayList<>();
            for (Checkpoints.Evaluated e : evaluations) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("step", e.step());
                entry.putAll(e.values());
                during.add(entry);
            }
            root.put("evaluations", during);
        }
        if (first.guidance() != null) {
            List<Map<String, Object>> guided = new ArrayList<>();
            for (Sampled run : runs) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("scale", run.guidance());
                entry.put("metrics", run.metrics());
                entry.put("sampling", sampling(run, count));
                guided.add(entry);
            }
            root.put("guidance", guided);
        }
        Map<String, Object> versions = new LinkedHashMap<>();
        versions.put("flowkit", VERSION);
        versions.put("tensorflow", TensorFlow.version());
        versions.put("java", System.getProperty("java.version"));
        root.put("versions", versions);
        JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
    }

    private static Map<String, Object> sampling(Sampled run, int count) {
        Map<String, Object> sampling = new LinkedHashMap<>();
        sampling.put("count", count);
        sampling.put("functionEvaluations", run.functionEvaluations());
        sampling.put("seconds", run.seconds());
        return sampling;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
