package dev.flowkit.runtime.metrics;

import java.util.Map;

/** Compares generated samples with an independent data sample; returns named numbers. */
public interface Metric {
    Map<String, Double> compute(float[][] samples, float[][] data);
}
