package dev.flowkit.runtime.samplers;

import dev.flowkit.runtime.graph.Tensors;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * EDM's Heun (Karras et al. 2022, Algorithm 1 without churn) in its own variables, x̃ = x/α and σ = β/α, where the
 * probability-flow ODE is dx̃/dσ = ε̂: Euler x̃' = x̃_i + (σ_{i+1} − σ_i) ε̂_i, then the trapezoid with ε̂ at (x̃', σ_{i+1}).
 * The last step into σ = 0 stays Euler (it returns α ẑ). A step from α = 0 (σ = ∞, the source of linear and cosine
 * paths) takes the limit of the Euler step, x_{i+1} = (β_{i+1}/β_i) x_i + α_{i+1} ẑ_i, and is not corrected.
 */
public final class EdmHeunSampler extends CoefficientSolver {
    public EdmHeunSampler(int steps, TimeGrid grid) {
        super(steps, grid);
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

    private boolean single(int i) {
        return alpha(i) == 0 || (i == steps() - 1 && jumpsToData());
    }

    @Override
    protected Operand<TFloat32> step(Ops tf, SamplingInput in, Operand<TFloat32> x, int i, Operand<TFloat32> t, double h) {
        Predictions p = predict(tf, in, x, t);
        if (alpha(i) == 0) {
            return tf.math.add(tf.math.mul(Tensors.scalar(tf, beta(i + 1) / beta(i)), x), tf.math.mul(Tensors.scalar(tf, alpha(i + 1)), p.data()));
        }
        double sigma = beta(i) / alpha(i);
        double sigmaNext = beta(i + 1) / alpha(i + 1);
        // x̃ scaled back by α_{i+1}: α_{i+1} (x_i/α_i + Δσ ε)
        double keep = alpha(i + 1) / alpha(i);
        double move = alpha(i + 1) * (sigmaNext - sigma);
        Operand<TFloat32> euler = tf.math.add(tf.math.mul(Tensors.scalar(tf, keep), x), tf.math.mul(Tensors.scalar(tf, move), p.noise()));
        if (single(i)) return euler;
        Operand<TFloat32> noiseNext = predict(tf, in, euler, Tensors.scalar(tf, time(i + 1))).noise();
        Operand<TFloat32> mean = tf.math.mul(Tensors.scalar(tf, 0.5), tf.math.add(p.noise(), noiseNext));
        return tf.math.add(tf.math.mul(Tensors.scalar(tf, keep), x), tf.math.mul(Tensors.scalar(tf, move), mean));
    }
}
