package dev.flowkit.runtime.networks;

import dev.flowkit.spec.Activation;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** The activation functions a network spec may name. */
public final class Activations {
    private Activations() {}

    /**
     * [activation] of [h] in a network evaluated for training ([training]: its gradient follows) or for sampling and
     * evaluation: SiLU is then oneDNN's fused kernel, one pass where x σ(x) takes two, but a slower gradient (it
     * recomputes σ), so training keeps the product.
     */
    public static Operand<TFloat32> apply(Ops tf, Operand<TFloat32> h, Activation activation, boolean training) {
        return switch (activation) {
            case SILU -> training ? Swish.plain(tf, h) : Swish.apply(tf, h);
            case RELU -> tf.nn.relu(h);
            case TANH -> tf.math.tanh(h);
            case ELU -> tf.nn.elu(h);
            case SOFTPLUS -> tf.math.softplus(h);
        };
    }
}
