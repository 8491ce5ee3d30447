package dev.flowkit.runtime.model;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** A network's raw output f_θ(x, t, y): [n, dim]; labels are null for an unconditional call. */
@FunctionalInterface
public interface NetworkFunction {
    Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x, Operand<TFloat32> t, Operand<TInt32> labels);
}
