package dev.flowkit.runtime.networks;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/** x W + b: [m, in] → [m, out]. */
public final class Dense {
    private final Variable<TFloat32> weights;
    private final Variable<TFloat32> bias;

    public Dense(Parameters p, String name, int in, int out) {
        this.weights = p.uniform(name + ".w", in, in, out);
        this.bias = p.zeros(name + ".b", out);
    }

    public Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x) {
        return tf.nn.biasAdd(tf.linalg.matMul(x, weights), bias);
    }
}
