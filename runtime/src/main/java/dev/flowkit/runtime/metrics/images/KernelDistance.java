package dev.flowkit.runtime.metrics.images;

/**
 * KID: the unbiased MMD² between two feature sets with the cubic polynomial kernel k(a, b) = (aᵀb/d + 1)³ (Bińkowski
 * et al.); unlike FID it has no bias in the sample size, so small samples can be compared.
 */
public final class KernelDistance {
    private KernelDistance() {}

    public static double between(float[][] x, float[][] y) {
        return meanOffDiagonal(x, x) + meanOffDiagonal(y, y) - 2 * mean(x, y);
    }

    private static double kernel(float[] a, float[] b) {
        double dot = 0;
        for (int j = 0; j < a.length; j++) dot += (double) a[j] * b[j];
        return Math.pow(dot / a.length + 1, 3);
    }

    private static double meanOffDiagonal(float[][] x, float[][] same) {
        double sum = 0;
        for (int i = 0; i < x.length; i++) for (int j = i + 1; j < x.length; j++) sum += kernel(x[i], same[j]);
        return 2 * sum / ((double) x.length * (x.length - 1));
    }

    private static double mean(float[][] x, float[][] y) {
        double sum = 0;
        for (float[] a : x) for (float[] b : y) sum += kernel(a, b);
        return sum / ((double) x.length * y.length);
    }
}
