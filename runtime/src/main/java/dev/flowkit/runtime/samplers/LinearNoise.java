package dev.flowkit.runtime.samplers;

import dev.flowkit.runtime.graph.Tensors;
import dev.flowkit.runtime.paths.ProbabilityPath;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** σ_t = start + (end − start) t. */
public record LinearNoise(double start, double end) implements NoiseScale {
    @Override
    public Operand<TFloat32> squared(Ops tf, ProbabilityPath path, Operand<TFloat32> t) {
        return tf.math.square(tf.math.add(Tensors.scalar(tf, start), tf.math.mul(Tensors.scalar(tf, end - start), t)));
    }

    @Override
    public boolean isZero() {
        return start == 0 && end == 0;
    }
}
