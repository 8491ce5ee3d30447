package dev.flowkit.runtime.likelihood;

import dev.flowkit.runtime.graph.RandomKey;
import dev.flowkit.runtime.graph.Tensors;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Hutchinson's estimator: div u ≈ (1/P) Σ_p ε_pᵀ (∂u/∂x) ε_p with E[ε εᵀ] = I, one vector–Jacobian product per probe:
 * the gradient of Σ (u · ε_p) with respect to x is ε_pᵀ J per point. Rademacher probes (±1) have the lower variance.
 */
public final class HutchinsonDivergence implements Divergence {
    private final int probes;
    private final boolean rademacher;

    public HutchinsonDivergence(int probes, boolean rademacher) {
        this.probes = probes;
        this.rademacher = rademacher;
    }

    @Override
    public int probeColumns(int dim) {
        return probes * dim;
    }

    @Override
    public Operand<TFloat32> drawProbes(Ops tf, Operand<TInt32> count, int dim, RandomKey key) {
        Operand<TInt32> shape = Tensors.shape(tf, count, probes * dim);
        if (!rademacher) return key.normal(tf, shape, 0);
        return tf.math.sign(tf.math.sub(key.uniform(tf, shape, 0), Tensors.scalar(tf, 0.5)));
    }

    @Override
    public Operand<TFloat32> divergence(Ops tf, Operand<TFloat32> u, Operand<TFloat32> x, Operand<TFloat32> probeColumns, int dim) {
        Operand<TFloat32> total = null;
        for (int p = 0; p < probes; p++) {
            Operand<TFloat32> probe = tf.slice(probeColumns, tf.constant(new int[] {0, p * dim}), tf.constant(new int[] {-1, dim}));
            Operand<TFloat32> projected = tf.reduceSum(tf.math.mul(u, probe), tf.constant(new int[] {0, 1}), ReduceSum.keepDims(false));
            Operand<TFloat32> vjp = tf.gradients(projected, List.of(x)).<TFloat32>dy(0);
            Operand<TFloat32> estimate = tf.reduceSum(tf.math.mul(vjp, probe), tf.constant(new int[] {1}), ReduceSum.keepDims(true));
            total = total == null ? estimate : tf.math.add(total, estimate);
        }
        return tf.math.div(total, Tensors.scalar(tf, probes));
    }
}
