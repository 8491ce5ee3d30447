package dev.flowkit.runtime.run;

import java.util.Map;

/**
 * What a run measured. [metrics] holds each metric against fresh data and, under the same name with
 * "Floor" appended, the same metric between two independent data samples of the same size. For a class-conditional
 * model these are at the first guidance scale, and [guided] holds the metrics of every scale w. [parameterDigest] is
 * the SHA-256 of the trained weights (see CompiledExperiment#parameterDigest).
 */
public record RunResult(Map<String, Double> metrics, double trainingStepsPerSecond, double finalLoss,
                        double samplingSeconds, long functionEvaluations, float[][] samples, Map<Double, Map<String, Double>> guided,
                        String parameterDigest) {}
