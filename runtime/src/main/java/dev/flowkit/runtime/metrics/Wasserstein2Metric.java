package dev.flowkit.runtime.metrics;

import java.util.Map;

/**
 * W2 between the two empirical measures of equal size n: sqrt(min over matchings σ of (1/n) Σ ‖x_i − y_σ(i)‖²).
 * With uniform weights and equal sizes an optimal transport plan is a permutation, so the exact
 * assignment gives the exact distance (no entropic smoothing, no sliced approximation).
 */
public final class Wasserstein2Metric implements Metric {
    @Override
    public Map<String, Double> compute(float[][] samples, float[][] data) {
        return Map.of("wasserstein2", distance(samples, data));
    }

    public static double distance(float[][] x, float[][] y) {
        if (x.length != y.length) throw new IllegalArgumentException("W2 needs equal sample sizes, had " + x.length + " and " + y.length);
        int n = x.length;
        double[] cost = new double[n * n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) cost[i * n + j] = squaredDistance(x[i], y[j]);
        int[] match = Assignment.solve(cost, n);
        double total = 0;
        for (int i = 0; i < n; i++) total += cost[i * n + match[i]];
        return Math.sqrt(total / n);
    }

    static double squaredDistance(float[] a, float[] b) {
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            double d = a[k] - b[k];
            s += d * d;
        }
        return s;
    }
}
