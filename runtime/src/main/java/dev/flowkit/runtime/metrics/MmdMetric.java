package dev.flowkit.runtime.metrics;

import dev.flowkit.spec.Mmd;
import java.util.Map;

/**
 * Unbiased MMD² with k(a, b) = Σ_h exp(−‖a − b‖² / (2h²)) over the bandwidths h:
 * mean_{i≠j} k(x_i, x_j) + mean_{i≠j} k(y_i, y_j) − 2 mean_{i,j} k(x_i, y_j).
 */
public final class MmdMetric implements Metric {
    private final double[] bandwidths;

    public MmdMetric(Mmd spec) {
        this.bandwidths = spec.getBandwidths().stream().mapToDouble(Double::doubleValue).toArray();
    }

    @Override
    public Map<String, Double> compute(float[][] samples, float[][] data) {
        double xx = meanKernel(samples, samples, true);
        double yy = meanKernel(data, data, true);
        double xy = meanKernel(samples, data, false);
        return Map.of("mmd2", xx + yy - 2 * xy);
    }

    private double meanKernel(float[][] a, float[][] b, boolean sameSet) {
        double[] scales = new double[bandwidths.length];
        for (int k = 0; k < scales.length; k++) scales[k] = -1 / (2 * bandwidths[k] * bandwidths[k]);
        double total = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < b.length; j++) {
                if (sameSet && i == j) continue;
                double d2 = Wasserstein2Metric.squaredDistance(a[i], b[j]);
                for (double s : scales) total += Math.exp(s * d2);
            }
        }
        long pairs = sameSet ? (long) a.length * (a.length - 1) : (long) a.length * b.length;
        return total / pairs;
    }
}
