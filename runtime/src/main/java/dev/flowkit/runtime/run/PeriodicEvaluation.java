package dev.flowkit.runtime.run;

import dev.flowkit.runtime.compiler.CompiledExperiment;
import dev.flowkit.runtime.compiler.Streams;
import dev.flowkit.runtime.output.Plots;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model's own metrics (likelihood) every train.evaluateEvery steps, on the same held-out points as the final
 * evaluation: a curve of e.g. bits/dim against training steps. The history travels with checkpoints.
 */
final class PeriodicEvaluation {
    private final int every;
    private final int count;
    private final List<Checkpoints.Evaluated> history;
    private float[][] heldOut;

    PeriodicEvaluation(int every, int count, List<Checkpoints.Evaluated> earlier) {
        this.every = every;
        this.count = count;
        this.history = new ArrayList<>(earlier);
    }

    /**
     * Evaluates after step [step] (1-based) when it is due and not the last (the final evaluation covers that), or
     * missing: a run resumed at a due step whose final evaluation the checkpoint predates.
     */
    void after(CompiledExperiment experiment, long step, long total, TrainingListener listener) {
        if (every <= 0 || step == 0 || step % every != 0 || step >= total) return;
        if (history.stream().anyMatch(e -> e.step() == step)) return;
        if (heldOut == null) heldOut = experiment.heldOutData(count, Streams.EVAL_DATA).points();
        try {
            listener.status("evaluating the model at step " + step);
            record(step, experiment.evaluateModel(heldOut, null, listener::evaluating));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void record(long step, Map<String, Double> values) {
        history.removeIf(e -> e.step() == step);
        history.add(new Checkpoints.Evaluated(step, new LinkedHashMap<>(values)));
    }

    List<Checkpoints.Evaluated> history() {
        return List.copyOf(history);
    }

    /** evaluation.png: one curve per metric against steps (nothing with fewer than two points). */
    void plot(Path file, String title) throws IOException {
        if (history.size() < 2) return;
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        for (Checkpoints.Evaluated e : history) {
            e.values().forEach((name, value) -> {
                if (Double.isFinite(value)) series.computeIfAbsent(name, k -> new ArrayList<>()).add(new double[] {e.step(), value});
            });
        }
        series.values().removeIf(points -> points.stream().allMatch(p -> p[1] == points.get(0)[1])); // constants (e.g. the source's) say nothing
        if (!series.isEmpty()) Plots.curves(file, title, series);
    }
}
