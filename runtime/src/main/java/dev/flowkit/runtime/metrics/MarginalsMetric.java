package dev.flowkit.runtime.metrics;

import dev.flowkit.runtime.output.Plots;
import dev.flowkit.spec.Marginals;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Binned marginals of chosen coordinates, samples against data: the mean total-variation distance between the
 * histograms (bins over the data's range widened by 10 %, outliers in the end bins), and as figures the histograms
 * (marginals.png) and density contours of a coordinate pair (pair.png).
 */
public final class MarginalsMetric implements Metric {
    private final Marginals spec;

    public MarginalsMetric(Marginals spec) {
        this.spec = spec;
    }

    @Override
    public Map<String, Double> compute(float[][] samples, float[][] data) {
        double total = 0;
        for (int c : spec.getCoordinates()) {
            double[] range = range(data, c);
            double[] p = histogram(samples, c, range);
            double[] q = histogram(data, c, range);
            double tv = 0;
            for (int b = 0; b < p.length; b++) tv += Math.abs(p[b] - q[b]);
            total += tv / 2;
        }
        return Map.of("marginalTv", total / spec.getCoordinates().size());
    }

    @Override
    public void figures(Evaluation evaluation, Path folder, String title, String suffix) throws IOException {
        float[][] samples = evaluation.samples();
        float[][] data = evaluation.data();
        int n = spec.getCoordinates().size();
        double[][] ranges = new double[n][];
        double[][][] histograms = new double[n][2][];
        for (int i = 0; i < n; i++) {
            int c = spec.getCoordinates().get(i);
            ranges[i] = range(data, c);
            histograms[i][0] = histogram(samples, c, ranges[i]);
            histograms[i][1] = histogram(data, c, ranges[i]);
        }
        Plots.marginals(folder.resolve("marginals" + suffix + ".png"), title + ": marginals", spec.getCoordinates(), ranges, histograms);
        int a = spec.getPair().get(0);
        int b = spec.getPair().get(1);
        Plots.pairContours(folder.resolve("pair" + suffix + ".png"), title + ": density of (x" + a + ", x" + b + ")", a, b, samples, data);
    }

    /** [low, high] of coordinate c in [x], widened by 5 % each side. */
    static double[] range(float[][] x, int c) {
        double low = Double.POSITIVE_INFINITY;
        double high = Double.NEGATIVE_INFINITY;
        for (float[] row : x) {
            low = Math.min(low, row[c]);
            high = Math.max(high, row[c]);
        }
        double pad = Math.max(high - low, 1e-9) * 0.05;
        return new double[] {low - pad, high + pad};
    }

    /** Probabilities per bin (values outside the range counted in the end bins; non-finite values dropped). */
    double[] histogram(float[][] x, int c, double[] range) {
        int bins = spec.getBins();
        double[] h = new double[bins];
        int counted = 0;
        for (float[] row : x) {
            if (!Float.isFinite(row[c])) continue;
            int b = (int) Math.floor((row[c] - range[0]) / (range[1] - range[0]) * bins);
            h[Math.max(0, Math.min(bins - 1, b))]++;
            counted++;
        }
        for (int b = 0; b < bins; b++) h[b] /= Math.max(1, counted);
        return h;
    }
}
