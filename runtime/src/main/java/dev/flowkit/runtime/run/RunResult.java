package dev.flowkit.runtime.run;

import java.util.Map;

/**
 * What a run measured. [metrics] holds each metric against fresh data and, under the same name with
 * "Floor" appended, the same metric between two independent data samples of the same size.
 */
public record RunResult(Map<String, Double> metrics, double trainingStepsPerSecond, double finalLoss,
                        double samplingSeconds, int functionEvaluations, float[][] samples) {}
