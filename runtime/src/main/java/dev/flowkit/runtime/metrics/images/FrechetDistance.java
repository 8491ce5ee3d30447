package dev.flowkit.runtime.metrics.images;

import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.MatrixUtils;
import org.apache.commons.math3.linear.RealMatrix;

/**
 * The Fréchet (2-Wasserstein) distance between Gaussians fitted to two feature sets, as in FID:
 * ‖μ₁ − μ₂‖² + tr(Σ₁ + Σ₂ − 2 (Σ₁^{1/2} Σ₂ Σ₁^{1/2})^{1/2}). The square roots come from symmetric eigendecompositions
 * (Apache Commons Math), tiny negative eigenvalues of rounding clamped to 0.
 */
public final class FrechetDistance {
    private FrechetDistance() {}

    /** A Gaussian's mean and covariance. */
    public record Gaussian(double[] mean, double[][] covariance) {
        /** The sample mean and the unbiased sample covariance of the rows of [x]. */
        public static Gaussian fit(float[][] x) {
            int n = x.length;
            int d = x[0].length;
            double[] mean = new double[d];
            for (float[] row : x) for (int j = 0; j < d; j++) mean[j] += row[j] / (double) n;
            double[][] cov = new double[d][d];
            double[] centred = new double[d];
            for (float[] row : x) {
                for (int j = 0; j < d; j++) centred[j] = row[j] - mean[j];
                for (int a = 0; a < d; a++) {
                    double ca = centred[a];
                    for (int b = a; b < d; b++) cov[a][b] += ca * centred[b];
                }
            }
            for (int a = 0; a < d; a++) {
                for (int b = a; b < d; b++) {
                    cov[a][b] /= n - 1;
                    cov[b][a] = cov[a][b];
                }
            }
            return new Gaussian(mean, cov);
        }
    }

    public static double between(Gaussian p, Gaussian q) {
        double squared = 0;
        for (int j = 0; j < p.mean().length; j++) squared += Math.pow(p.mean()[j] - q.mean()[j], 2);
        RealMatrix s1 = MatrixUtils.createRealMatrix(p.covariance());
        RealMatrix s2 = MatrixUtils.createRealMatrix(q.covariance());
        RealMatrix root1 = symmetricRoot(s1);
        RealMatrix middle = root1.multiply(s2).multiply(root1);
        double crossTrace = 0;
        for (double lambda : new EigenDecomposition(symmetrized(middle)).getRealEigenvalues()) crossTrace += Math.sqrt(Math.max(lambda, 0));
        return squared + s1.getTrace() + s2.getTrace() - 2 * crossTrace;
    }

    private static RealMatrix symmetricRoot(RealMatrix s) {
        EigenDecomposition eigen = new EigenDecomposition(symmetrized(s));
        double[] values = eigen.getRealEigenvalues();
        double[] roots = new double[values.length];
        for (int i = 0; i < values.length; i++) roots[i] = Math.sqrt(Math.max(values[i], 0));
        RealMatrix v = eigen.getV();
        return v.multiply(MatrixUtils.createRealDiagonalMatrix(roots)).multiply(v.transpose());
    }

    /** (M + Mᵀ)/2: removes the rounding asymmetry of products, which the symmetric eigensolver needs. */
    private static RealMatrix symmetrized(RealMatrix m) {
        return m.add(m.transpose()).scalarMultiply(0.5);
    }
}
