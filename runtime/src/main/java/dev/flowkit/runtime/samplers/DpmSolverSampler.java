package dev.flowkit.runtime.samplers;

import dev.flowkit.runtime.graph.Tensors;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * DPM-Solver++(2M): with λ = ln(α/β) and h_i = λ_{i+1} − λ_i, x_{i+1} = (β_{i+1}/β_i) x_i − α_{i+1} expm1(−h_i) D_i,
 * D_i = (1 + 1/(2r)) ẑ_i − 1/(2r) ẑ_{i−1} with r = h_{i−1}/h_i, ẑ the data prediction. The first step and a last
 * step into β = 0 (h = ∞, which returns α ẑ) are first order; so is a step after one from α = 0 (r = ∞).
 * Stochastic, SDE-DPM-Solver++(2M): x_{i+1} = (β_{i+1}/β_i) e^{−h} x_i − α_{i+1} expm1(−2h) D_i + β_{i+1} √(−expm1(−2h)) ξ_i,
 * the η = 1 reverse SDE integrated exactly for a D linear in λ; from α = 0 (h = ∞) it keeps nothing of x_i.
 */
public final class DpmSolverSampler extends CoefficientSolver {
    /** ẑ of the previous step while the graph is built (steps are built in order, from i = 0). */
    private Operand<TFloat32> previousData;

    private final boolean stochastic;

    public DpmSolverSampler(int steps, TimeGrid grid) {
        this(steps, grid, false);
    }

    public DpmSolverSampler(int steps, TimeGrid grid, boolean stochastic) {
        super(steps, grid);
        this.stochastic = stochastic;
    }

    @Override
    protected int evaluationsPerIteration() {
        return 1;
    }

    @Override
    protected Operand<TFloat32> step(Ops tf, SamplingInput in, Operand<TFloat32> x, StepIndex index) {
        int i = index.index(); // built step by step: each carries the last step's prediction
        if (i == 0) previousData = null;
        Operand<TFloat32> data = predict(tf, in, x, time(tf, index)).data();
        double step = lambda(i + 1) - lambda(i);
        Operand<TFloat32> d = data;
        if (previousData != null && beta(i + 1) > 0) {
            double c = 1 / (2 * ((lambda(i) - lambda(i - 1)) / step));
            d = tf.math.sub(tf.math.mul(Tensors.scalar(tf, 1 + c), data), tf.math.mul(Tensors.scalar(tf, c), previousData));
        }
        previousData = data;
        if (!stochastic) {
            Operand<TFloat32> kept = tf.math.mul(Tensors.scalar(tf, beta(i + 1) / beta(i)), x);
            return tf.math.add(kept, tf.math.mul(Tensors.scalar(tf, -alpha(i + 1) * Math.expm1(-step)), d));
        }
        Operand<TFloat32> moved = tf.math.mul(Tensors.scalar(tf, -alpha(i + 1) * Math.expm1(-2 * step)), d);
        if (beta(i + 1) == 0) return moved;
        double keep = beta(i + 1) / beta(i) * Math.exp(-step);
        Operand<TFloat32> noise = tf.math.mul(Tensors.scalar(tf, beta(i + 1) * Math.sqrt(-Math.expm1(-2 * step))), index.derive(in.noise()).normal(tf, tf.shape(x)));
        Operand<TFloat32> next = tf.math.add(moved, noise);
        return keep == 0 ? next : tf.math.add(tf.math.mul(Tensors.scalar(tf, keep), x), next);
    }
}
