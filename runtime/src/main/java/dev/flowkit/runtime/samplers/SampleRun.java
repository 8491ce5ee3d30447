package dev.flowkit.runtime.samplers;

/**
 * One batch of samples [n][dim]; with a trajectory, the recorded states [k][n][dim] and their times (always t = 0 and
 * the end); and the network evaluations the run took (per sample: the whole batch shares them).
 */
public record SampleRun(float[][] samples, float[][][] trajectory, double[] times, long functionEvaluations) {}
