package dev.flowkit.runtime.samplers;

import dev.flowkit.runtime.paths.AffinePath;
import dev.flowkit.runtime.paths.ProbabilityPath;
import dev.flowkit.runtime.schedules.ScheduleProbe;
import dev.flowkit.spec.Prediction;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A fixed-step method that steps on the path's coefficients α_i, β_i at its grid times (probed on the host when the
 * grid is laid out) and on the model's data and noise predictions, both converted from one velocity evaluation: the
 * velocity stays finite at t = 0, where α = 0 makes the data prediction from a score or noise undefined.
 */
public abstract class CoefficientSolver extends FixedStepSolver {
    private double[] alpha;
    private double[] beta;

    protected CoefficientSolver(int steps, TimeGrid grid) {
        super(steps, grid);
    }

    /** Built step by step (their steps differ in form along the grid). */
    @Override
    protected boolean loopable(int i) {
        return false;
    }

    @Override
    protected void laidOut(ProbabilityPath path) {
        if (!(path instanceof AffinePath affine)) {
            throw new UnsupportedOperationException(getClass().getSimpleName() + " needs an affine path (gaussian or linear): it steps on α_t and β_t");
        }
        double[] times = new double[steps() + 1];
        for (int i = 0; i <= steps(); i++) times[i] = time(i);
        double[][] ab = ScheduleProbe.alphaBeta(affine.schedule(), times);
        alpha = ab[0];
        beta = ab[1];
    }

    protected double alpha(int i) {
        return alpha[i];
    }

    protected double beta(int i) {
        return beta[i];
    }

    /** λ_i = ln(α_i/β_i): −∞ at α = 0, +∞ at β = 0. */
    protected double lambda(int i) {
        return Math.log(alpha[i]) - Math.log(beta[i]);
    }

    /** (ẑ, ε̂) at (x, t) from one model evaluation. */
    protected record Predictions(Operand<TFloat32> data, Operand<TFloat32> noise) {}

    protected static Predictions predict(Ops tf, SamplingInput in, Operand<TFloat32> x, Operand<TFloat32> t) {
        Operand<TFloat32> u = velocity(tf, in.model(), x, t);
        return new Predictions(in.path().convert(tf, Prediction.VELOCITY, Prediction.DATA, x, u, t),
                in.path().convert(tf, Prediction.VELOCITY, Prediction.NOISE, x, u, t));
    }
}
