package dev.flowkit.runtime.metrics;

import java.util.Map;

/** ‖mean(x) − mean(y)‖₁ (meanL1Error), ‖mean(x) − mean(y)‖₂ (meanError) and ‖cov(x) − cov(y)‖_F (covError; unbiased covariances). */
public final class MeanCovErrorMetric implements Metric {
    @Override
    public Map<String, Double> compute(float[][] samples, float[][] data) {
        double[] mx = mean(samples);
        double[] my = mean(data);
        double[][] cx = covariance(samples, mx);
        double[][] cy = covariance(data, my);
        double meanError = 0;
        double meanL1 = 0;
        double covError = 0;
        for (int i = 0; i < mx.length; i++) {
            meanError += (mx[i] - my[i]) * (mx[i] - my[i]);
            meanL1 += Math.abs(mx[i] - my[i]);
            for (int j = 0; j < mx.length; j++) covError += (cx[i][j] - cy[i][j]) * (cx[i][j] - cy[i][j]);
        }
        return Map.of("meanError", Math.sqrt(meanError), "meanL1Error", meanL1, "covError", Math.sqrt(covError));
    }

    public static double[] mean(float[][] x) {
        double[] m = new double[x[0].length];
        for (float[] row : x) for (int j = 0; j < m.length; j++) m[j] += row[j];
        for (int j = 0; j < m.length; j++) m[j] /= x.length;
        return m;
    }

    public static double[][] covariance(float[][] x, double[] mean) {
        int d = mean.length;
        double[][] c = new double[d][d];
        for (float[] row : x) {
            for (int i = 0; i < d; i++) {
                double di = row[i] - mean[i];
                for (int j = 0; j < d; j++) c[i][j] += di * (row[j] - mean[j]);
            }
        }
        for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) c[i][j] /= x.length - 1;
        return c;
    }
}
