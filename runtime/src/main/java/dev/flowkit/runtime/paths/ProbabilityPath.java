package dev.flowkit.runtime.paths;

import dev.flowkit.spec.Prediction;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** A conditional probability path: draws x_t ~ p_t(· | z) from a source draw x_0, with its velocity. */
public interface ProbabilityPath {
    PathSample sample(Ops tf, Operand<TFloat32> x0, Operand<TFloat32> z, Operand<TFloat32> t);

    /** The marginal quantity [to] at (x, t) from the marginal quantity [from] (a network's output). */
    default Operand<TFloat32> convert(Ops tf, Prediction from, Prediction to, Operand<TFloat32> x, Operand<TFloat32> value,
                                      Operand<TFloat32> t) {
        if (from == to) return value;
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot convert " + name(from) + " to " + name(to));
    }

    static String name(Prediction p) {
        return p.name().toLowerCase();
    }
}
