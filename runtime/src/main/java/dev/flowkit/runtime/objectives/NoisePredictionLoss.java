package dev.flowkit.runtime.objectives;

import dev.flowkit.runtime.paths.PathSample;
import dev.flowkit.runtime.paths.ProbabilityPath;
import dev.flowkit.spec.Prediction;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Noise prediction (DDPM): ‖ε_θ(x_t, t) − ε‖², t ~ U[0, 1). */
public final class NoisePredictionLoss extends ConditionalRegression {
    public NoisePredictionLoss() {
        super(Prediction.NOISE, 1.0);
    }

    @Override
    protected Operand<TFloat32> target(Ops tf, ProbabilityPath path, PathSample s) {
        return s.noise();
    }
}
