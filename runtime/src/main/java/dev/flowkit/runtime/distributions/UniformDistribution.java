package dev.flowkit.runtime.distributions;

import dev.flowkit.runtime.graph.RandomKey;
import dev.flowkit.runtime.graph.Tensors;
import dev.flowkit.spec.Uniform;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Uniform on [low, high]^dim. */
public final class UniformDistribution implements Distribution {
    private final Uniform spec;

    public UniformDistribution(Uniform spec) {
        this.spec = spec;
    }

    @Override
    public int dim() {
        return spec.getDim();
    }

    @Override
    public Operand<TFloat32> sample(Ops tf, Operand<TInt32> count, RandomKey key) {
        Operand<TFloat32> u = key.uniform(tf, Tensors.shape(tf, count, dim()), 1);
        return tf.math.add(tf.math.mul(u, Tensors.scalar(tf, spec.getHigh() - spec.getLow())), Tensors.scalar(tf, spec.getLow()));
    }
}
