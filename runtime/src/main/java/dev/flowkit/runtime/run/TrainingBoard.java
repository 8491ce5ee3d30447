package dev.flowkit.runtime.run;

import dev.flowkit.runtime.compiler.CompiledExperiment;
import dev.flowkit.runtime.compiler.Streams;
import dev.flowkit.spec.Dataset;
import dev.flowkit.spec.ExperimentSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a run shows in TensorBoard (out/NAME/tensorboard/): training loss and learning rate per log window
 * (train/loss, train/learningRate); for image data 16 samples at every checkpoint, always from the same source draws;
 * and at the end every metric (metrics/NAME, or metrics/w=W/NAME per guidance scale) and the first samples.
 */
final class TrainingBoard implements AutoCloseable {
    private static final int IMAGES = 16;

    private final TensorBoard board;
    private final List<Integer> image;
    private final double[] range;

    TrainingBoard(Path runDir, ExperimentSpec spec) {
        this.board = new TensorBoard(runDir);
        this.image = spec.getData().getImageShape();
        this.range = spec.getData() instanceof Dataset d && d.getQuantization() != null
                ? new double[] {d.getQuantization().getLow(), d.getQuantization().getHigh()} : null;
    }

    void window(CompiledExperiment experiment, long step, double loss) {
        board.scalar("train/loss", step, loss);
        board.scalar("train/learningRate", step, experiment.learningRate());
    }

    void checkpoint(CompiledExperiment experiment, long step) {
        if (image != null) samples("samples", step, experiment.sample(0, IMAGES, Streams.SAMPLES, false).samples());
        board.flush();
    }

    /** The metrics of each sampling run (keyed by guidance scale, null when unconditional) and the first run's samples. */
    void finished(long step, Map<Double, Map<String, Double>> metrics, float[][] samples) {
        metrics.forEach((w, values) -> values.forEach((name, v) -> {
            if (Double.isFinite(v)) board.scalar("metrics/" + (w == null || metrics.size() == 1 ? "" : "w=" + format(w) + "/") + name, step, v);
        }));
        if (image != null) samples("samples", step, samples);
        board.flush();
    }

    private void samples(String tag, long step, float[][] rows) {
        double[] shown = range != null ? range : extent(rows);
        board.images(tag, step, rows, image.get(0), image.get(1), image.get(2), shown[0], shown[1], IMAGES);
    }

    private static double[] extent(float[][] rows) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (float[] r : rows) for (float v : r) if (Float.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        return hi > lo ? new double[] {lo, hi} : new double[] {0, 1};
    }

    private static String format(double w) {
        return w == Math.rint(w) ? String.valueOf((long) w) : String.valueOf(w);
    }

    @Override
    public void close() {
        board.close();
    }
}
