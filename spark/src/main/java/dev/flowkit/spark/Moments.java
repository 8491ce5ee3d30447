package dev.flowkit.spark;

import java.io.Serializable;

/**
 * Count, mean and centred second moments Σ (x − μ)(x − μ)ᵀ of a set of rows, mergeable in any order (Chan, Golub and
 * LeVeque's pairwise update), so shards drawn on different executors combine into the statistics of the whole draw
 * (e.g. by treeAggregate) without a second pass or the cancellation of raw sums. Above {@link #FULL_LIMIT}
 * dimensions (images) only the diagonal is kept: the full matrix would cost d² per row.
 */
public final class Moments implements Serializable {
    /** The largest dimension whose full covariance is kept. */
    public static final int FULL_LIMIT = 128;

    private long count;
    private final double[] mean;
    /** d × d when full, else one row holding the diagonal. */
    private final double[][] scatter;
    private final boolean full;

    public Moments(int dim) {
        mean = new double[dim];
        full = dim <= FULL_LIMIT;
        scatter = full ? new double[dim][dim] : new double[1][dim];
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
            if (full) for (int j = 0; j < d; j++) scatter[i][j] += after * delta[j];
            else scatter[0][i] += after * delta[i];
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
            if (full) for (int j = 0; j < d; j++) scatter[i][j] += other.scatter[i][j] + delta[i] * delta[j] * weight;
            else scatter[0][i] += other.scatter[0][i] + delta[i] * delta[i] * weight;
        }
        for (int i = 0; i < d; i++) mean[i] += delta[i] * other.count / n;
        count = n;
        return this;
    }

    /** Writes mean, variance and (up to 64 dimensions) the covariance into [node], e.g. a manifest's summary. */
    public void describe(com.fasterxml.jackson.databind.node.ObjectNode node) {
        var m = node.putArray("mean");
        for (double v : mean) m.add(v);
        var v = node.putArray("variance");
        for (double x : variance()) v.add(x);
        double[][] c = covariance();
        if (c != null && c.length <= 64) {
            var matrix = node.putArray("covariance");
            for (double[] row : c) {
                var r = matrix.addArray();
                for (double x : row) r.add(x);
            }
        }
    }

    public long count() {
        return count;
    }

    public double[] mean() {
        return mean.clone();
    }

    /** Per-coordinate unbiased variances. */
    public double[] variance() {
        double[] v = new double[mean.length];
        for (int i = 0; i < v.length; i++) v[i] = (full ? scatter[i][i] : scatter[0][i]) / Math.max(1, count - 1);
        return v;
    }

    /** The unbiased sample covariance (divided by n − 1); null above {@link #FULL_LIMIT} dimensions. */
    public double[][] covariance() {
        if (!full) return null;
        int d = mean.length;
        double[][] c = new double[d][d];
        for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) c[i][j] = scatter[i][j] / Math.max(1, count - 1);
        return c;
    }
}
