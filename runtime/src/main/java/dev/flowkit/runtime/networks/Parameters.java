package dev.flowkit.runtime.networks;

import dev.flowkit.runtime.graph.RandomKey;
import dev.flowkit.runtime.graph.Tensors;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Creates a network's variables, each initialized from its own stream of the init key (the same seed gives the same
 * network), and keeps the trainable ones in creation order.
 */
public final class Parameters {
    private final Ops tf;
    private final Ops init;
    private final RandomKey key;
    private final List<Variable<TFloat32>> trainable = new ArrayList<>();
    private long drawn;

    public Parameters(Ops tf, RandomKey key) {
        this.tf = tf;
        this.init = tf.withInitScope();
        this.key = key;
    }

    /** Weights uniform in ±1/√fanIn (PyTorch's default for convolutions and linear layers). */
    public Variable<TFloat32> uniform(String name, int fanIn, long... shape) {
        Operand<TFloat32> u = key.uniform(init, init.constant(toInts(shape)), drawn++);
        double limit = 1 / Math.sqrt(fanIn);
        return add(name, init.math.mul(init.math.sub(init.math.mul(u, Tensors.scalar(init, 2)), Tensors.scalar(init, 1)),
                Tensors.scalar(init, limit)));
    }

    public Variable<TFloat32> zeros(String name, long... shape) {
        return add(name, init.zeros(init.constant(shape), TFloat32.class));
    }

    public Variable<TFloat32> ones(String name, long... shape) {
        return add(name, init.fill(init.constant(shape), Tensors.scalar(init, 1)));
    }

    /** A fixed (not trained) draw of N(0, std²), e.g. random Fourier frequencies; saved with the checkpoint. */
    public Variable<TFloat32> fixedNormal(String name, double std, long... shape) {
        Operand<TFloat32> z = key.normal(init, init.constant(toInts(shape)), drawn++);
        return tf.withName(name).variable(init.math.mul(z, Tensors.scalar(init, std)));
    }

    public List<Variable<TFloat32>> trainable() {
        return List.copyOf(trainable);
    }

    /** The number of trainable values. */
    public long count() {
        return trainable.stream().mapToLong(v -> v.shape().size()).sum();
    }

    private Variable<TFloat32> add(String name, Operand<TFloat32> initial) {
        Variable<TFloat32> v = tf.withName(name).variable(initial);
        trainable.add(v);
        return v;
    }

    private static int[] toInts(long[] shape) {
        int[] out = new int[shape.length];
        for (int i = 0; i < shape.length; i++) out[i] = Math.toIntExact(shape[i]);
        return out;
    }
}
