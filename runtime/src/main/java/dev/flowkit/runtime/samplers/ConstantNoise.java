package dev.flowkit.runtime.samplers;

import dev.flowkit.runtime.graph.Tensors;
import dev.flowkit.runtime.paths.ProbabilityPath;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** σ_t = σ. */
public record ConstantNoise(double sigma) implements NoiseScale {
    @Override
    public Operand<TFloat32> squared(Ops tf, ProbabilityPath path, Operand<TFloat32> t) {
        return Tensors.scalar(tf, sigma * sigma);
    }

    @Override
    public boolean isZero() {
        return sigma == 0;
    }
}
