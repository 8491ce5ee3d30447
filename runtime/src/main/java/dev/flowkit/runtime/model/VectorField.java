package dev.flowkit.runtime.model;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The one model contract every sampler uses: a time-dependent velocity u_t(x).
 * x is [n, dim]; t is a scalar or a column [n, 1]; the result is [n, dim].
 */
@FunctionalInterface
public interface VectorField {
    Operand<TFloat32> velocity(Ops tf, Operand<TFloat32> x, Operand<TFloat32> t);
}
