package dev.flowkit.runtime.model;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** A time-dependent velocity u_t(x): x is [n, dim], t a scalar or a column [n, 1]; wrap it with {@link Model#ofVelocity}. */
@FunctionalInterface
public interface VectorField {
    Operand<TFloat32> velocity(Ops tf, Operand<TFloat32> x, Operand<TFloat32> t);
}
