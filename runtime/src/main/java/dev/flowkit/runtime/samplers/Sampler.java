package dev.flowkit.runtime.samplers;

import dev.flowkit.runtime.model.VectorField;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Integrates dx/dt = u_t(x) from t = 0 to t = 1, the whole trajectory as one graph fragment. */
public interface Sampler {
    Trajectory integrate(Ops tf, VectorField field, Operand<TFloat32> x0, int recordEvery);

    /** Network evaluations per trajectory. */
    int functionEvaluations();
}
