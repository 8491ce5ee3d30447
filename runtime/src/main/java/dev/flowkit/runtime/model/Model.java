package dev.flowkit.runtime.model;

import dev.flowkit.spec.Prediction;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The one model contract every sampler and objective uses: any of the four quantities at (x, t) — velocity u_t(x),
 * score ∇ log p_t(x), noise E[ε | x] or data E[z | x]. x is [n, dim]; t is a scalar or a column [n, 1]; results are
 * [n, dim]. A model that cannot give a quantity throws {@link UnsupportedOperationException} at graph-building time.
 */
public interface Model {
    Operand<TFloat32> predict(Ops tf, Prediction quantity, Operand<TFloat32> x, Operand<TFloat32> t);

    default Operand<TFloat32> velocity(Ops tf, Operand<TFloat32> x, Operand<TFloat32> t) {
        return predict(tf, Prediction.VELOCITY, x, t);
    }

    default Operand<TFloat32> score(Ops tf, Operand<TFloat32> x, Operand<TFloat32> t) {
        return predict(tf, Prediction.SCORE, x, t);
    }

    /**
     * u_t(x) + c ∇ log p_t(x), the drift of the extended SDE (c = ½σ_t²). A single network overrides this to
     * evaluate itself once for both terms.
     */
    default Operand<TFloat32> velocityPlusScore(Ops tf, Operand<TFloat32> x, Operand<TFloat32> t, Operand<TFloat32> c) {
        return tf.math.add(velocity(tf, x, t), tf.math.mul(c, score(tf, x, t)));
    }

    /** A model that knows only its velocity (ODE samplers need nothing else). */
    static Model ofVelocity(VectorField field) {
        return (tf, quantity, x, t) -> {
            if (quantity != Prediction.VELOCITY) {
                throw new UnsupportedOperationException("this model gives only the velocity, not the " + quantity.name().toLowerCase());
            }
            return field.velocity(tf, x, t);
        };
    }
}
