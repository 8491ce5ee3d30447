package dev.flowkit.spark;

import java.io.Serializable;

/**
 * Count, mean and centred second moments Σ (x − μ)(x − μ)ᵀ of a set of rows, mergeable in any order (Chan, Golub and
 * LeVeque's pairwise update), so shards drawn on different executors combine into the statistics of the whole draw
 * (e.g. by treeAggregate) without a second pass or the cancellation of raw sums.
 */
public final class Moments implements Serializable {
    private long count;
    private final double[] mean;
    private final double[][] scatter;

    public Moments(int dim) {
        mean = new double[dim];
        scatter = new double[dim][dim];
    }

    public static Moments of(float[][] rows, int dim) {
        Moments m = new Moments(dim);
        for (float[] row : rows) m.add(row);
        return m;
    }

    /** Welford's update with one row. */
    public Moments add(float[] row) {
        count++;
        int d = mean.length;
        double[] delta = new double[d];
        for (int i = 0; i < d; i++) {
            delta[i] = row[i] - mean[i];
            mean[i] += delta[i] / count;
        }
        for (int i = 0; i < d; i++) {
            double after = row[i] - mean[i];
            for (int j = 0; j < d; j++) scatter[i][j] += after * delta[j];
        }
        return this;
    }

    /** This merged with [other] (this object, updated). */
    public Moments merge(Moments other) {
        if (other.count == 0) return this;
        long n = count + other.count;
        int d = mean.length;
        double[] delta = new double[d];
        for (int i = 0; i < d; i++) delta[i] = other.mean[i] - mean[i];
        double weight = (double) count * other.count / n;
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) scatter[i][j] += other.scatter[i][j] + delta[i] * delta[j] * weight;
            mean[i] += delta[i] * other.count / n;
        }
        count = n;
        return this;
    }

    public long count() {
        return count;
    }

    public double[] mean() {
        return mean.clone();
    }

    /** The unbiased sample covariance (divided by n − 1). */
    public double[][] covariance() {
        int d = mean.length;
        double[][] c = new double[d][d];
        for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) c[i][j] = scatter[i][j] / Math.max(1, count - 1);
        return c;
    }
}
