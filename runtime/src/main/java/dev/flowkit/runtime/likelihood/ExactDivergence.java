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
 * Σ_i ∂u_i/∂x_i, one vector–Jacobian product per dimension: the gradient of Σ_n u_{n,i} with respect to x is row i of
 * each point's Jacobian (points do not interact), whose i-th entry is the diagonal term. Cost: dim gradient passes.
 */
public final class ExactDivergence implements Divergence {
    @Override
    public int probeColumns(int dim) {
        return 0;
    }

    @Override
    public Operand<TFloat32> drawProbes(Ops tf, Operand<TInt32> count, int dim, RandomKey key) {
        return null;
    }

    @Override
    public Operand<TFloat32> divergence(Ops tf, Operand<TFloat32> u, Operand<TFloat32> x, Operand<TFloat32> probes, int dim) {
        Operand<TFloat32> total = null;
        for (int i = 0; i < dim; i++) {
            Operand<TFloat32> component = tf.reduceSum(Tensors.column(tf, u, i), tf.constant(new int[] {0, 1}), ReduceSum.keepDims(false));
            Operand<TFloat32> row = tf.gradients(component, List.of(x)).<TFloat32>dy(0);
            Operand<TFloat32> diagonal = Tensors.column(tf, row, i);
            total = total == null ? diagonal : tf.math.add(total, diagonal);
        }
        return total;
    }
}
