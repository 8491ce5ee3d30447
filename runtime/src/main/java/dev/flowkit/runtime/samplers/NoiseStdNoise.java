package dev.flowkit.runtime.samplers;

import dev.flowkit.runtime.graph.Tensors;
import dev.flowkit.runtime.paths.AffinePath;
import dev.flowkit.runtime.paths.ProbabilityPath;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * σ_t = scale · β_t, the path's noise std. The score term ½σ_t² ∇log p_t is then −½ scale² β_t ε̂, bounded where
 * β_t → 0; a constant σ would multiply the model's error in ε̂ by 1/β_t there.
 */
public record NoiseStdNoise(double scale) implements NoiseScale {
    @Override
    public Operand<TFloat32> squared(Ops tf, ProbabilityPath path, Operand<TFloat32> t) {
        if (!(path instanceof AffinePath affine)) throw new UnsupportedOperationException("sigma noise-std() needs a gaussian path");
        return tf.math.mul(Tensors.scalar(tf, scale * scale), tf.math.square(affine.schedule().at(tf, t).beta()));
    }

    @Override
    public boolean isZero() {
        return scale == 0;
    }
}
