package dev.flowkit.runtime.run;

import dev.flowkit.runtime.compiler.CompiledExperiment;
import dev.flowkit.runtime.compiler.Streams;
import dev.flowkit.runtime.output.ImageGrids;
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
    private final ExperimentSpec spec;

    TrainingBoard(Path runDir, ExperimentSpec spec) {
        this.board = new TensorBoard(runDir);
        this.image = spec.getData().getImageShape();
        this.spec = spec;
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
            if (Double.isFinite(v)) board.scalar("metrics/" + (w == null || metrics.size() == 1 ? "" : "w=" + ExperimentRunner.formatScale(w) + "/") + name, step, v);
        }));
        if (image != null) samples("samples", step, samples);
        board.flush();
    }

    private void samples(String tag, long step, float[][] rows) {
        double[] shown = ImageGrids.displayRange(spec.getData(), rows);
        board.images(tag, step, rows, image.get(0), image.get(1), image.get(2), shown[0], shown[1], IMAGES);
    }

    @Override
    public void close() {
        board.close();
    }
}
