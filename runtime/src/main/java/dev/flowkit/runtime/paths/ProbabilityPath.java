package dev.flowkit.runtime.paths;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** A conditional probability path: draws x_t ~ p_t(· | z) from a source draw x_0, with its velocity. */
public interface ProbabilityPath {
    PathSample sample(Ops tf, Operand<TFloat32> x0, Operand<TFloat32> z, Operand<TFloat32> t);
}
