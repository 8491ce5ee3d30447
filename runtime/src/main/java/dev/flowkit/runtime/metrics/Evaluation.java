package dev.flowkit.runtime.metrics;

import dev.flowkit.spec.DistributionSpec;

/**
 * What a metric compares: samples [n][dim] with the class each was asked for (null when unconditional), and a data
 * sample with its labels (null when unlabelled), drawn from [dataSpec].
 */
public record Evaluation(float[][] samples, int[] sampleLabels, float[][] data, int[] dataLabels, DistributionSpec dataSpec) {}
