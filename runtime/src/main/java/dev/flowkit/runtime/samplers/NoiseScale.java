package dev.flowkit.runtime.samplers;

import dev.flowkit.runtime.paths.ProbabilityPath;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** σ_t of a stochastic sampler, as σ_t² at a time t. */
public interface NoiseScale {
    Operand<TFloat32> squared(Ops tf, ProbabilityPath path, Operand<TFloat32> t);

    /** σ ≡ 0: the sampler is the probability-flow ODE and needs no score. */
    default boolean isZero() {
        return false;
    }
}
