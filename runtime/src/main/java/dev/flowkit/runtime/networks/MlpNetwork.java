package dev.flowkit.runtime.networks;

import dev.flowkit.runtime.graph.RandomKey;
import dev.flowkit.runtime.graph.Tensors;
import dev.flowkit.spec.Activation;
import dev.flowkit.spec.Mlp;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/** A fully connected network on [x, t] with Glorot-uniform weights and zero biases. */
public final class MlpNetwork implements Network {
    private final Mlp spec;

    public MlpNetwork(Mlp spec) {
        this.spec = spec;
    }

    @Override
    public TrainableField build(Ops tf, int dim, RandomKey initKey) {
        List<Integer> widths = new ArrayList<>();
        widths.add(dim + 1);
        widths.addAll(spec.getHidden());
        widths.add(dim);
        List<Variable<TFloat32>> weights = new ArrayList<>();
        List<Variable<TFloat32>> biases = new ArrayList<>();
        Ops init = tf.withInitScope();
        for (int layer = 0; layer + 1 < widths.size(); layer++) {
            int in = widths.get(layer);
            int out = widths.get(layer + 1);
            double limit = Math.sqrt(6.0 / (in + out));
            Operand<TFloat32> u = initKey.uniform(init, init.constant(new int[] {in, out}), layer);
            Operand<TFloat32> w = init.math.mul(init.math.sub(init.math.mul(u, Tensors.scalar(init, 2)), Tensors.scalar(init, 1)), Tensors.scalar(init, limit));
            weights.add(tf.withName("w" + layer).variable(w));
            biases.add(tf.withName("b" + layer).variable(init.zeros(init.constant(new int[] {out}), TFloat32.class)));
        }
        List<Variable<TFloat32>> all = new ArrayList<>();
        for (int i = 0; i < weights.size(); i++) {
            all.add(weights.get(i));
            all.add(biases.get(i));
        }
        Activation activation = spec.getActivation();
        return new TrainableField() {
            @Override
            public List<Variable<TFloat32>> variables() {
                return all;
            }

            @Override
            public Operand<TFloat32> velocity(Ops ops, Operand<TFloat32> x, Operand<TFloat32> t) {
                Operand<TFloat32> h = ops.concat(List.of(x, Tensors.timeColumn(ops, x, t)), ops.constant(1));
                for (int i = 0; i < weights.size(); i++) {
                    h = ops.math.add(ops.linalg.matMul(h, weights.get(i)), biases.get(i));
                    if (i + 1 < weights.size()) h = activate(ops, h, activation);
                }
                return h;
            }
        };
    }

    static Operand<TFloat32> activate(Ops tf, Operand<TFloat32> h, Activation activation) {
        return switch (activation) {
            case SILU -> tf.math.mul(h, tf.math.sigmoid(h));
            case RELU -> tf.nn.relu(h);
            case TANH -> tf.math.tanh(h);
            case ELU -> tf.nn.elu(h);
            case SOFTPLUS -> tf.math.softplus(h);
        };
    }
}
