package dev.flowkit.runtime.samplers;

import dev.flowkit.runtime.paths.AffinePath;
import dev.flowkit.runtime.paths.ProbabilityPath;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * σ_t = g_t of the diffusion schedule. The drift u + ½g² ∇log p with the probability-flow velocity
 * u = −f + ½g² ∇log p is −f + g² ∇log p: the reverse-time SDE of score-based models.
 */
public record ReverseNoise() implements NoiseScale {
    @Override
    public Operand<TFloat32> squared(Ops tf, ProbabilityPath path, Operand<TFloat32> t) {
        if (path instanceof AffinePath affine) return affine.schedule().diffusionSquared(tf, t);
        throw new UnsupportedOperationException("sigma reverse() needs a gaussian path with a diffusion schedule");
    }
}
