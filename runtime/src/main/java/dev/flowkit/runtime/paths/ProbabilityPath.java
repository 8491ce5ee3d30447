package dev.flowkit.runtime.paths;

import dev.flowkit.spec.Prediction;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** A conditional probability path: draws x_t ~ p_t(· | z) from a source draw x_0, with its velocity. */
public interface ProbabilityPath {
    PathSample sample(Ops tf, Operand<TFloat32> x0, Operand<TFloat32> z, Operand<TFloat32> t);

    /** Draws of the conditional path p_t(x | z) for one data point z [1, dim]: one per source draw x0 [n, dim]. */
    default Operand<TFloat32> sampleConditional(Ops tf, Operand<TFloat32> x0, Operand<TFloat32> z, Operand<TFloat32> t) {
        return sample(tf, x0, z, t).xt(); // z broadcasts over the source draws
    }

    /** Draws of the marginal path p_t(x) = E_z p_t(x | z): source draws x0 paired with data draws z, both [n, dim]. */
    default Operand<TFloat32> sampleMarginal(Ops tf, Operand<TFloat32> x0, Operand<TFloat32> z, Operand<TFloat32> t) {
        return sample(tf, x0, z, t).xt();
    }

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
