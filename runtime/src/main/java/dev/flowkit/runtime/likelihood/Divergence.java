package dev.flowkit.runtime.likelihood;

import dev.flowkit.runtime.graph.RandomKey;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * div u_t(x) from TensorFlow's gradients of the velocity. An estimator with random probes draws them once per point
 * ([probes] columns riding along in the ODE state, constant), so the whole solve sees the same probe, as adaptive
 * solvers need.
 */
public interface Divergence {
    /** Probe columns per point for data of dimension [dim] (0: none). */
    int probeColumns(int dim);

    /** The probes [count, probeColumns(dim)]. */
    Operand<TFloat32> drawProbes(Ops tf, Operand<TInt32> count, int dim, RandomKey key);

    /** div u as a column [n, 1], where [u] was computed from [x] (both [n, dim]) in this graph. */
    Operand<TFloat32> divergence(Ops tf, Operand<TFloat32> u, Operand<TFloat32> x, Operand<TFloat32> probes, int dim);
}
