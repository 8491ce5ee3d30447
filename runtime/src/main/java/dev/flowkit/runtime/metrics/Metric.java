package dev.flowkit.runtime.metrics;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** Compares generated samples with an independent data sample; returns named numbers. */
public interface Metric {
    Map<String, Double> compute(float[][] samples, float[][] data);

    /** The same with labels and the data's spec, for metrics that need them; most ignore them. */
    default Map<String, Double> compute(Evaluation evaluation) {
        return compute(evaluation.samples(), evaluation.data());
    }

    /** Figures of the comparison, written into [folder] with [suffix] before ".png" (most metrics draw none). */
    default void figures(Evaluation evaluation, Path folder, String title, String suffix) throws IOException {}
}
