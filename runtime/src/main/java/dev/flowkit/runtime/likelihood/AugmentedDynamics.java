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
 * y = [x | ℓ | probes] in reversed time s = 1 − t: dx/ds = −u_{1−s}(x), dℓ/ds = div u_{1−s}(x), probes constant.
 * Any ODE sampler integrating it from s = 0 to 1 carries data points to the source and ends with
 * ℓ = ∫₀¹ div u_t(x_t) dt, so log p_1(x) = log p_0(x_0) − ℓ: one solve for both.
 */
public final class AugmentedDynamics implements Model {
    private final Model model;
    private final Divergence divergence;
    private final int dim;

    public AugmentedDynamics(Model model, Divergence divergence, int dim) {
        this.model = model;
        this.divergence = divergence;
        this.dim = dim;
    }

    @Override
    public Operand<TFloat32> predict(Ops tf, Prediction quantity, Operand<TFloat32> state, Operand<TFloat32> s) {
        if (quantity != Prediction.VELOCITY) throw new UnsupportedOperationException("the augmented ODE has only a velocity");
        Operand<TFloat32> x = tf.slice(state, tf.constant(new int[] {0, 0}), tf.constant(new int[] {-1, dim}));
        Operand<TFloat32> t = tf.math.sub(Tensors.scalar(tf, 1), s);
        Operand<TFloat32> u = model.velocity(tf, x, t);
        int probeColumns = divergence.probeColumns(dim);
        Operand<TFloat32> probes = probeColumns == 0 ? null
                : tf.slice(state, tf.constant(new int[] {0, dim + 1}), tf.constant(new int[] {-1, probeColumns}));
        List<Operand<TFloat32>> parts = new ArrayList<>(List.of(tf.math.neg(u), divergence.divergence(tf, u, x, probes, dim)));
        if (probes != null) parts.add(tf.zerosLike(probes));
        return tf.concat(parts, tf.constant(1));
    }
}
