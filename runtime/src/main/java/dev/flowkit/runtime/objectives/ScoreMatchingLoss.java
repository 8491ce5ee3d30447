package dev.flowkit.runtime.objectives;

import dev.flowkit.runtime.paths.GaussianPath;
import dev.flowkit.runtime.paths.PathSample;
import dev.flowkit.runtime.paths.ProbabilityPath;
import dev.flowkit.spec.Prediction;
import dev.flowkit.spec.Weighting;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Denoising score matching: λ(t) ‖s_θ(x_t, t) − ∇ log p_t(x_t | z)‖² with the conditional score (α_t z − x_t)/β_t²
 * = −ε/β_t, t ~ U[0, maxTime) (or reweighted draws, see {@link TrainingTimes}): t stays short of 1 because the target grows like 1/β_t.
 */
public final class ScoreMatchingLoss extends ConditionalRegression {
    private final Weighting weighting;

    public ScoreMatchingLoss(Weighting weighting, double maxTime) {
        this(weighting, TrainingTimes.uniform(maxTime));
    }

    public ScoreMatchingLoss(Weighting weighting, TrainingTimes times) {
        super(Prediction.SCORE, times);
        this.weighting = weighting;
    }

    @Override
    protected Operand<TFloat32> target(Ops tf, ProbabilityPath path, PathSample s) {
        return gaussian(path).conditionalScore(tf, s.xt(), s.z(), s.t());
    }

    @Override
    protected Operand<TFloat32> weight(Ops tf, ProbabilityPath path, Operand<TFloat32> t) {
        return switch (weighting) {
            case NONE -> null;
            case NOISE_VARIANCE -> tf.math.square(gaussian(path).schedule().at(tf, t).beta());
            case DIFFUSION -> gaussian(path).schedule().diffusionSquared(tf, t);
        };
    }

    private static GaussianPath gaussian(ProbabilityPath path) {
        if (path instanceof GaussianPath g) return g;
        throw new UnsupportedOperationException("score matching needs a gaussian path (a closed-form conditional score)");
    }
}
