package dev.flowkit.runtime.metrics;

import dev.flowkit.runtime.run.TrainingListener;
import dev.flowkit.spec.DistributionSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** Compares generated samples with an independent data sample; returns named numbers. */
public interface Metric {
    /** Called once before the first compute, with the data's spec (e.g. to train a classifier); most metrics need nothing. */
    default void prepare(DistributionSpec data, TrainingListener listener) throws IOException {}

    Map<String, Double> compute(float[][] samples, float[][] data);

    /** The same with labels and the data's spec, for metrics that need them; most ignore them. */
    default Map<String, Double> compute(Evaluation evaluation) {
        return compute(evaluation.samples(), evaluation.data());
    }

    /** Figures of the comparison, written into [folder] with [suffix] before ".png" (most metrics draw none). */
    default void figures(Evaluation evaluation, Path folder, String title, String suffix) throws IOException {}
}
