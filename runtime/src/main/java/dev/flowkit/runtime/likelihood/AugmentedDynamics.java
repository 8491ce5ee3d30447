package dev.flowkit.runtime.likelihood;

import dev.flowkit.runtime.graph.Tensors;
import dev.flowkit.runtime.model.Model;
import dev.flowkit.spec.Prediction;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The probability-flow ODE run backwards with its log-density change, as a velocity field on the state
 * y = [x | ℓ | probes] in reversed time s, t = T(1 − s) from T (1, or just short of it) to 0: dx/ds = −T u_t(x),
 * dℓ/ds = T div u_t(x), probes constant. Any ODE sampler integrating it from s = 0 to 1 carries points to the source
 * and ends with ℓ = ∫₀ᵀ div u_t(x_t) dt, so log p_T(x) = log p_0(x_0) − ℓ: one solve for both.
 */
public final class AugmentedDynamics implements Model {
    private final Model model;
    private final Divergence divergence;
    private final int dim;
    private final double end;

    /** From t = [end] to 0. */
    public AugmentedDynamics(Model model, Divergence divergence, int dim, double end) {
        this.end = end;
        this.model = model;
        this.divergence = divergence;
        this.dim = dim;
    }

    @Override
    public Operand<TFloat32> predict(Ops tf, Prediction quantity, Operand<TFloat32> state, Operand<TFloat32> s) {
        if (quantity != Prediction.VELOCITY) throw new UnsupportedOperationException("the augmented ODE has only a velocity");
        Operand<TFloat32> x = tf.slice(state, tf.constant(new int[] {0, 0}), tf.constant(new int[] {-1, dim}));
        Operand<TFloat32> t = tf.math.mul(tf.math.sub(Tensors.scalar(tf, 1), s), Tensors.scalar(tf, end));
        Operand<TFloat32> u = model.velocity(tf, x, t);
        int probeColumns = divergence.probeColumns(dim);
        Operand<TFloat32> probes = probeColumns == 0 ? null
                : tf.slice(state, tf.constant(new int[] {0, dim + 1}), tf.constant(new int[] {-1, probeColumns}));
        Operand<TFloat32> div = divergence.divergence(tf, u, x, probes, dim);
        if (end != 1.0) { // the chain rule of t = T(1 − s)
            u = tf.math.mul(u, Tensors.scalar(tf, end));
            div = tf.math.mul(div, Tensors.scalar(tf, end));
        }
        List<Operand<TFloat32>> parts = new ArrayList<>(List.of(tf.math.neg(u), div));
        if (probes != null) parts.add(tf.zerosLike(probes));
        return tf.concat(parts, tf.constant(1));
    }
}
