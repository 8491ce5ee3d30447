package dev.flowkit.runtime.networks;

import dev.flowkit.runtime.graph.RandomKey;
import dev.flowkit.runtime.graph.Tensors;
import dev.flowkit.runtime.model.ModelContext;
import dev.flowkit.runtime.model.NetworkFunction;
import dev.flowkit.runtime.model.NetworkModel;
import dev.flowkit.runtime.model.TrainableModel;
import dev.flowkit.spec.Conv1d;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.math.Mean;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A 1D convolutional network over a chain of dim sites (the same filters at every site: the chain's translation
 * structure). The input has two channels per site, x_i and the chain's mean (a global view from the first layer);
 * hidden layers of [channels] use kernels of [kernel] sites with dilations 1, 2, 4, … when [dilate] (receptive
 * field 1 + (kernel − 1)(2^layers − 1)), each adding t·a_l + b_l per channel (and a class embedding at the first);
 * a last 1-channel convolution gives the output at every site. Zero padding: the chain sees zeros beyond its ends.
 * With odd, the output is (g(x) − g(−x))/2 (twice the work, exact antisymmetry).
 */
public final class Conv1dNetwork implements Network {
    private final Conv1d spec;

    public Conv1dNetwork(Conv1d spec) {
        this.spec = spec;
    }

    @Override
    public TrainableModel build(Ops tf, ModelContext context) {
        int dim = context.dim();
        RandomKey initKey = context.initKey();
        Ops init = tf.withInitScope();
        int channels = spec.getChannels();
        List<Variable<TFloat32>> filters = new ArrayList<>();
        List<Variable<TFloat32>> timeWeights = new ArrayList<>();
        List<Variable<TFloat32>> biases = new ArrayList<>();
        List<Variable<TFloat32>> all = new ArrayList<>();
        for (int layer = 0; layer <= spec.getLayers(); layer++) {
            int in = layer == 0 ? 2 : channels;
            int out = layer == spec.getLayers() ? 1 : channels;
            filters.add(tf.withName("filter" + layer).variable(Init.glorot(init, initKey.derive(layer), spec.getKernel() * in, out, spec.getKernel() * in, spec.getKernel() * out)));
            biases.add(tf.withName("b" + layer).variable(init.zeros(init.constant(new int[] {out}), TFloat32.class)));
            all.add(filters.get(layer));
            all.add(biases.get(layer));
            if (layer < spec.getLayers()) {
                timeWeights.add(tf.withName("wt" + layer).variable(Init.uniform(init, initKey.derive(100 + layer), 1, channels, 1.0)));
                all.add(timeWeights.get(layer));
            }
        }
        int classes = context.classes();
        Variable<TFloat32> embedding = classes == 0 ? null
                : tf.withName("embedding").variable(Init.uniform(init, initKey.derive(-2), classes + 1, channels, 1.0));
        if (embedding != null) all.add(embedding);
        java.util.function.Function<Boolean, NetworkFunction> forward = training -> {
            NetworkFunction g = (ops, x, t, labels) -> {
                Operand<TInt32> rows = ops.gather(ops.shape(x), ops.constant(0), ops.constant(0));
                Operand<TFloat32> sites = ops.reshape(x, ops.stack(List.of(rows, ops.constant(dim), ops.constant(1))));
                // broadcast by a product with ones from Fill: the C API has no gradient for OnesLike (x-gradients need one)
                Operand<TFloat32> mean = ops.math.mul(ops.math.mean(sites, ops.constant(1), Mean.keepDims(true)),
                        ops.fill(ops.shape(sites), ops.constant(1f)));
                Operand<TFloat32> h = ops.concat(List.of(sites, mean), ops.constant(2));
                Operand<TFloat32> time = ops.reshape(t, ops.constant(new int[] {-1, 1, 1}));
                for (int layer = 0; layer <= spec.getLayers(); layer++) {
                    int dilation = spec.getDilate() && layer < spec.getLayers() ? 1 << layer : 1;
                    h = convolve(ops, h, filters.get(layer), dilation, rows);
                    h = ops.math.add(h, biases.get(layer));
                    if (layer == spec.getLayers()) break;
                    h = ops.math.add(h, ops.math.mul(time, timeWeights.get(layer)));
                    if (layer == 0 && embedding != null) {
                        Operand<TFloat32> rowsOf = labels == null
                                ? ops.gather(embedding, ops.constant(new int[] {classes}), ops.constant(0))
                                : ops.gather(embedding, labels, ops.constant(0));
                        h = ops.math.add(h, ops.reshape(rowsOf, ops.constant(new int[] {-1, 1, channels})));
                    }
                    h = Activations.apply(ops, h, spec.getActivation(), training);
                }
                return ops.reshape(h, ops.stack(List.of(rows, ops.constant(dim))));
            };
            // odd: (g(x) − g(−x))/2, exactly antisymmetric in x at every t and label
            return !spec.getOdd() ? g : (ops, x, t, labels) -> ops.math.mul(
                    ops.math.sub(g.apply(ops, x, t, labels), g.apply(ops, ops.math.neg(x), t, labels)), Tensors.scalar(ops, 0.5));
        };
        NetworkFunction training = forward.apply(true);
        return new NetworkModel(forward.apply(false), key -> training, all, context.predicts(), context.path());
    }

    /**
     * A dilated convolution with zero padding as one matrix product: the [kernel] shifted copies of h ([n, dim, in])
     * side by side ([n·dim, kernel·in]) times the filter ([kernel·in, out]). Built from pad, slice and matMul because
     * TensorFlow's C++ gradient of Conv2D ignores dilations (measured: dilated layers trained on wrong gradients).
     */
    private Operand<TFloat32> convolve(Ops ops, Operand<TFloat32> h, Variable<TFloat32> filter, int dilation, Operand<TInt32> rows) {
        int kernel = spec.getKernel();
        int reach = (kernel / 2) * dilation;
        Operand<TFloat32> padded = ops.pad(h, ops.constant(new int[][] {{0, 0}, {reach, reach}, {0, 0}}), Tensors.scalar(ops, 0));
        Operand<TInt32> sites = ops.gather(ops.shape(h), ops.constant(1), ops.constant(0));
        Operand<TInt32> channelsIn = ops.gather(ops.shape(h), ops.constant(2), ops.constant(0));
        List<Operand<TFloat32>> taps = new ArrayList<>();
        for (int k = 0; k < kernel; k++) {
            taps.add(ops.slice(padded, ops.constant(new int[] {0, k * dilation, 0}), ops.stack(List.of(ops.constant(-1), sites, ops.constant(-1)))));
        }
        Operand<TFloat32> stacked = ops.concat(taps, ops.constant(2)); // [n, sites, kernel·in]
        Operand<TFloat32> flat = ops.reshape(stacked, ops.stack(List.of(ops.constant(-1), ops.math.mul(channelsIn, ops.constant(kernel)))));
        Operand<TFloat32> out = ops.linalg.matMul(flat, filter);
        return ops.reshape(out, ops.stack(List.of(rows, sites, ops.constant(-1))));
    }
}
