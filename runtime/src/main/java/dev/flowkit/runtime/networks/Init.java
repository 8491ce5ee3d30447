package dev.flowkit.runtime.networks;

import dev.flowkit.runtime.graph.RandomKey;
import dev.flowkit.runtime.graph.Tensors;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Initial weights, drawn from the experiment's init stream (stateless: the same seed gives the same network). */
final class Init {
    private Init() {}

    /** [rows, cols] uniform in ±limit. */
    static Operand<TFloat32> uniform(Ops init, RandomKey key, int rows, int cols, double limit) {
        Operand<TFloat32> u = key.uniform(init, init.constant(new int[] {rows, cols}), 0);
        return init.math.mul(init.math.sub(init.math.mul(u, Tensors.scalar(init, 2)), Tensors.scalar(init, 1)), Tensors.scalar(init, limit));
    }

    /** [rows, cols] Glorot-uniform: ±sqrt(6 / (fanIn + fanOut)). */
    static Operand<TFloat32> glorot(Ops init, RandomKey key, int rows, int cols, int fanIn, int fanOut) {
        return uniform(init, key, rows, cols, Math.sqrt(6.0 / (fanIn + fanOut)));
    }
}
