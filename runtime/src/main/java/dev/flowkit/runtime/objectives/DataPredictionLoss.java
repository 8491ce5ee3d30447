package dev.flowkit.runtime.objectives;

import dev.flowkit.runtime.paths.PathSample;
import dev.flowkit.runtime.paths.ProbabilityPath;
import dev.flowkit.spec.Prediction;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Data prediction: ‖z_θ(x_t, t) − z‖², t ~ U[0, 1). */
public final class DataPredictionLoss extends ConditionalRegression {
    public DataPredictionLoss() {
        super(Prediction.DATA, 1.0);
    }

    @Override
    protected Operand<TFloat32> target(Ops tf, ProbabilityPath path, PathSample s) {
        return s.z();
    }
}
