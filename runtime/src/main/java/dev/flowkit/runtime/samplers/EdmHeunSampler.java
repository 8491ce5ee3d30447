package dev.flowkit.runtime.samplers;

import dev.flowkit.runtime.graph.Tensors;
import dev.flowkit.runtime.paths.AffinePath;
import dev.flowkit.runtime.paths.ProbabilityPath;
import dev.flowkit.runtime.schedules.ScheduleProbe;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * EDM's Heun (Karras et al. 2022, Algorithm 2; without churn Algorithm 1) in its own variables, x̃ = x/α and σ = β/α,
 * where the probability-flow ODE is dx̃/dσ = ε̂: Euler x̃' = x̃_i + (σ_{i+1} − σ_i) ε̂_i, then the trapezoid with ε̂ at
 * (x̃', σ_{i+1}). The last step into σ = 0 stays Euler (it returns α ẑ). A step from α = 0 (σ = ∞, the source of linear
 * and cosine paths) takes the limit of the Euler step, x_{i+1} = (β_{i+1}/β_i) x_i + α_{i+1} ẑ_i, and is not corrected.
 * With churn, step i first moves x̃ to the higher noise ratio σ̂_i = σ_i (1 + γ_i) with fresh noise — at the time t̂_i
 * where β/α = σ̂_i, so the network sees a time it was trained on — and steps from there.
 */
public final class EdmHeunSampler extends CoefficientSolver {
    /** EDM's S_churn, S_tmin, S_tmax (as σ; +∞ for no bound) and S_noise; {@link #NONE} is the ODE sampler. */
    public record Churn(double amount, double sigmaMin, double sigmaMax, double noise) {
        public static final Churn NONE = new Churn(0, 0, Double.POSITIVE_INFINITY, 1);
    }

    private final Churn churn;
    /** Per step: the raised σ̂_i, its time t̂_i and α(t̂_i); σ̂_i = σ_i where no churn applies. */
    private double[] sigmaHat;
    private double[] timeHat;
    private double[] alphaHat;

    public EdmHeunSampler(int steps, TimeGrid grid) {
        this(steps, grid, Churn.NONE);
    }

    public EdmHeunSampler(int steps, TimeGrid grid, Churn churn) {
        super(steps, grid);
        this.churn = churn;
    }

    @Override
    protected int evaluationsPerIteration() {
        return 2;
    }

    @Override
    public long functionEvaluations() {
        long single = (jumpsToData() ? 1 : 0) + (alpha(0) == 0 ? 1 : 0);
        return super.functionEvaluations() - Math.min(single, steps());
    }

    @Override
    protected void laidOut(ProbabilityPath path) {
        super.laidOut(path);
        int n = steps();
        sigmaHat = new double[n];
        timeHat = new double[n];
        alphaHat = new double[n];
        double gamma = Math.min(churn.amount() / n, Math.sqrt(2) - 1);
        var schedule = ((AffinePath) path).schedule();
        double logRatioAtStart = ScheduleProbe.logNoiseRatio(schedule, new double[] {0})[0];
        for (int i = 0; i < n; i++) {
            double sigma = alpha(i) == 0 ? Double.POSITIVE_INFINITY : beta(i) / alpha(i);
            sigmaHat[i] = sigma;
            timeHat[i] = time(i);
            alphaHat[i] = alpha(i);
            if (gamma == 0 || alpha(i) == 0 || sigma < churn.sigmaMin() || sigma > churn.sigmaMax()) continue;
            // no higher than the path's own σ(0): the raised point must be a time in [0, t_i]
            double logRatio = Math.min(2 * Math.log(sigma * (1 + gamma)), logRatioAtStart);
            if (!(logRatio > 2 * Math.log(sigma))) continue;
            double t = Math.max(0, Math.min(time(i), ScheduleProbe.timeAtLogNoiseRatio(schedule, new double[] {logRatio})[0]));
            double[][] ab = ScheduleProbe.alphaBeta(schedule, new double[] {t});
            if (!(ab[0][0] > 0)) continue;
            timeHat[i] = t;
            alphaHat[i] = ab[0][0];
            sigmaHat[i] = ab[1][0] / ab[0][0];
        }
    }

    private boolean single(int i) {
        return alpha(i) == 0 || (i == steps() - 1 && jumpsToData());
    }

    @Override
    protected Operand<TFloat32> step(Ops tf, SamplingInput in, Operand<TFloat32> x, StepIndex index) {
        int i = index.index(); // few steps, each its own (churn, the first and last steps differ)
        Operand<TFloat32> t = time(tf, index);
        if (alpha(i) == 0) {
            Predictions p = predict(tf, in, x, t);
            return tf.math.add(tf.math.mul(Tensors.scalar(tf, beta(i + 1) / beta(i)), x), tf.math.mul(Tensors.scalar(tf, alpha(i + 1)), p.data()));
        }
        double sigma = beta(i) / alpha(i);
        double alphaFrom = alpha(i);
        if (sigmaHat[i] > sigma) {
            // x̂ = α̂ (x/α_i + S_noise √(σ̂² − σ²) ξ)
            double std = churn.noise() * Math.sqrt(sigmaHat[i] * sigmaHat[i] - sigma * sigma);
            Operand<TFloat32> raised = tf.math.add(tf.math.mul(Tensors.scalar(tf, 1 / alpha(i)), x),
                    tf.math.mul(Tensors.scalar(tf, std), index.derive(in.noise()).normal(tf, tf.shape(x))));
            x = tf.math.mul(Tensors.scalar(tf, alphaHat[i]), raised);
            t = Tensors.scalar(tf, timeHat[i]);
            sigma = sigmaHat[i];
            alphaFrom = alphaHat[i];
        }
        Predictions p = predict(tf, in, x, t);
        double sigmaNext = beta(i + 1) / alpha(i + 1);
        // x̃ scaled back by α_{i+1}: α_{i+1} (x/α + Δσ ε)
        double keep = alpha(i + 1) / alphaFrom;
        double move = alpha(i + 1) * (sigmaNext - sigma);
        Operand<TFloat32> euler = tf.math.add(tf.math.mul(Tensors.scalar(tf, keep), x), tf.math.mul(Tensors.scalar(tf, move), p.noise()));
        if (single(i)) return euler;
        Operand<TFloat32> noiseNext = predict(tf, in, euler, Tensors.scalar(tf, time(i + 1))).noise();
        Operand<TFloat32> mean = tf.math.mul(Tensors.scalar(tf, 0.5), tf.math.add(p.noise(), noiseNext));
        return tf.math.add(tf.math.mul(Tensors.scalar(tf, keep), x), tf.math.mul(Tensors.scalar(tf, move), mean));
    }
}
