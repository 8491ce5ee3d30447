package dev.flowkit.runtime.objectives;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.types.TFloat32;

/**
 * A training loss's value and where its gradient starts: the loss's gradient is that of Σ_i ⟨outputs_i, seeds_i⟩ with
 * the seeds held fixed. A regression's seed is its closed-form ∂loss/∂prediction, so the gradient starts at the
 * network's prediction and TensorFlow builds none of the reduction's gradient (the shapes, tiles and broadcasts of a
 * mean of squares: 73 of the 318 ops a 2D training step executed). Any other loss is its own output, seeded with 1.
 */
public record Loss(Operand<TFloat32> value, List<Operand<TFloat32>> outputs, List<Operand<TFloat32>> seeds) {
    public Loss {
        if (outputs.size() != seeds.size()) throw new IllegalArgumentException(outputs.size() + " outputs but " + seeds.size() + " seeds");
        outputs = List.copyOf(outputs);
        seeds = List.copyOf(seeds);
    }

    /** A scalar loss differentiated as it is. */
    public static Loss of(Ops tf, Operand<TFloat32> value) {
        return new Loss(value, List.of(value), List.of(tf.onesLike(value)));
    }

    /** [c] times this loss, for a scalar [c]. */
    public Loss times(Ops tf, Operand<TFloat32> c) {
        return new Loss(tf.math.mul(value, c), outputs, seeds.stream().map(s -> (Operand<TFloat32>) tf.math.mul(s, c)).toList());
    }

    /** The sum of [losses]. */
    public static Loss sum(Ops tf, List<Loss> losses) {
        if (losses.size() == 1) return losses.get(0);
        List<Operand<TFloat32>> values = new ArrayList<>();
        List<Operand<TFloat32>> outputs = new ArrayList<>();
        List<Operand<TFloat32>> seeds = new ArrayList<>();
        for (Loss l : losses) {
            values.add(l.value());
            outputs.addAll(l.outputs());
            seeds.addAll(l.seeds());
        }
        return new Loss(tf.math.addN(values), outputs, seeds);
    }

    /** The gradient with respect to [variables]. */
    public Gradients gradients(Ops tf, List<? extends Operand<?>> variables) {
        return tf.gradients(outputs, variables, Gradients.dx(seeds));
    }
}
