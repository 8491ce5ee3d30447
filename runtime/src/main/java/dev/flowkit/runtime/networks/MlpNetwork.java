package dev.flowkit.runtime.networks;

import dev.flowkit.runtime.graph.RandomKey;
import dev.flowkit.runtime.model.ModelContext;
import dev.flowkit.runtime.model.NetworkFunction;
import dev.flowkit.runtime.model.NetworkModel;
import dev.flowkit.runtime.model.TrainableModel;
import dev.flowkit.spec.Activation;
import dev.flowkit.spec.Mlp;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A fully connected network on [x, t] with Glorot-uniform weights and zero biases. For labelled data the first layer
 * also adds a learned embedding row of the class label; row K (one past the last class) is the null class ∅.
 */
public final class MlpNetwork implements Network {
    private final Mlp spec;

    public MlpNetwork(Mlp spec) {
        this.spec = spec;
    }

    @Override
    public TrainableModel build(Ops tf, ModelContext context) {
        int dim = context.dim();
        RandomKey initKey = context.initKey();
        List<Integer> widths = new ArrayList<>();
        widths.add(dim);
        widths.addAll(spec.getHidden());
        widths.add(dim);
        Ops init = tf.withInitScope();
        List<Variable<TFloat32>> weights = new ArrayList<>();
        List<Variable<TFloat32>> biases = new ArrayList<>();
        for (int layer = 0; layer + 1 < widths.size(); layer++) {
            int in = widths.get(layer) + (layer == 0 ? 1 : 0); // the first layer also sees t
            int out = widths.get(layer + 1);
            weights.add(tf.withName("w" + layer).variable(Init.glorot(init, initKey.derive(layer), widths.get(layer), out, in, out)));
            biases.add(tf.withName("b" + layer).variable(init.zeros(init.constant(new int[] {out}), TFloat32.class)));
        }
        // The first layer's row for t is its own variable: t·w_t broadcasts a scalar or a column, so sampling
        // needs no per-step concat of a t column.
        int first = widths.get(1);
        Variable<TFloat32> timeWeights = tf.withName("wt").variable(Init.glorot(init, initKey.derive(-1), 1, first, dim + 1, first));
        List<Variable<TFloat32>> all = new ArrayList<>(List.of(timeWeights));
        for (int i = 0; i < weights.size(); i++) {
            all.add(weights.get(i));
            all.add(biases.get(i));
        }
        int classes = context.classes();
        Variable<TFloat32> embedding = classes == 0 ? null
                : tf.withName("embedding").variable(Init.glorot(init, initKey.derive(-2), classes + 1, first, classes + 1, first));
        if (embedding != null) all.add(embedding);
        Activation activation = spec.getActivation();
        java.util.function.Function<Boolean, NetworkFunction> forward = training -> (ops, x, t, labels) -> {
            Operand<TFloat32> h = x;
            for (int i = 0; i < weights.size(); i++) {
                Operand<TFloat32> bias = biases.get(i);
                List<Operand<TFloat32>> inputs = new ArrayList<>(List.of(h)); // the product's parts, with their weights
                List<Operand<TFloat32>> layerWeights = new ArrayList<>(List.of(weights.get(i)));
                List<Operand<TFloat32>> perPoint = new ArrayList<>(); // other terms of the first layer that differ between points
                if (i == 0) {
                    // one t (or label) for all points, as fixed-step samplers have: its row joins the bias, [1, width];
                    // a column of t [n, 1] is one more part of the product
                    int rank = t.shape().numDimensions();
                    if (rank == 2) {
                        inputs.add(t);
                        layerWeights.add(timeWeights);
                    } else {
                        Operand<TFloat32> time = ops.math.mul(t, timeWeights);
                        if (rank == 0) bias = ops.math.add(bias, time); else perPoint.add(time); // rank unknown when built: broadcast
                    }
                    if (embedding != null) {
                        Operand<TFloat32> rows = classRows(ops, embedding, labels, classes);
                        if (labels == null) bias = ops.math.add(bias, rows); else perPoint.add(rows);
                    }
                }
                boolean hidden = i + 1 < weights.size();
                if (FusedDense.isNative() && perPoint.isEmpty() && (!hidden || activation == Activation.SILU)) { // one kernel
                    h = training ? FusedDense.forTraining(ops, inputs, layerWeights, bias, hidden) : FusedDense.apply(ops, inputs, layerWeights, bias, hidden);
                    continue;
                }
                h = FusedDense.product(ops, inputs, layerWeights);
                for (Operand<TFloat32> term : perPoint) h = ops.math.add(h, term);
                h = bias == biases.get(i) ? ops.nn.biasAdd(h, bias) : ops.math.add(h, bias);
                if (hidden) h = Activations.apply(ops, h, activation, training);
            }
            return h;
        };
        NetworkFunction training = forward.apply(true);
        return new NetworkModel(forward.apply(false), key -> training, all, context.predicts(), context.path());
    }

    /** The embedding rows of [labels] ([n, width]), or the null class's row ([1, width]) when labels is null. */
    private static Operand<TFloat32> classRows(Ops tf, Variable<TFloat32> embedding, Operand<TInt32> labels, int classes) {
        if (labels == null) return tf.gather(embedding, tf.constant(new int[] {classes}), tf.constant(0));
        return tf.gather(embedding, labels, tf.constant(0));
    }
}
