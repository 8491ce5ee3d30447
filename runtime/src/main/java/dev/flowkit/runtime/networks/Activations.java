package dev.flowkit.runtime.networks;

import dev.flowkit.spec.Activation;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** The activation functions a network spec may name. */
public final class Activations {
    private Activations() {}

    public static Operand<TFloat32> apply(Ops tf, Operand<TFloat32> h, Activation activation) {
        return switch (activation) {
            case SILU -> tf.math.mul(h, tf.math.sigmoid(h));
            case RELU -> tf.nn.relu(h);
            case TANH -> tf.math.tanh(h);
            case ELU -> tf.nn.elu(h);
            case SOFTPLUS -> tf.math.softplus(h);
        };
    }
}
