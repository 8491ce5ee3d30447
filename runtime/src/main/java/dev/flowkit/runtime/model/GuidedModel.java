package dev.flowkit.runtime.model;

import dev.flowkit.runtime.graph.Tensors;
import dev.flowkit.spec.Prediction;
import java.util.function.Function;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Classifier-free guidance: every quantity is (1 − w) q(x | ∅) + w q(x | y). All four quantities are affine in
 * (E[z | x], E[ε | x]) with the same coefficients, so guiding any one of them guides the others alike.
 */
public final class GuidedModel implements Model {
    private final Model conditional;
    private final Model unconditional;
    private final Function<Ops, Operand<TFloat32>> scale;

    public GuidedModel(Model conditional, Model unconditional, double scale) {
        this(conditional, unconditional, tf -> Tensors.scalar(tf, scale));
    }

    /** With w given by a graph operand (a scalar), e.g. an input fed per call. */
    public GuidedModel(Model conditional, Model unconditional, Operand<TFloat32> scale) {
        this(conditional, unconditional, tf -> scale);
    }

    private GuidedModel(Model conditional, Model unconditional, Function<Ops, Operand<TFloat32>> scale) {
        this.conditional = conditional;
        this.unconditional = unconditional;
        this.scale = scale;
    }

    /** The guided model, or just the conditional one at w = 1 (half the network evaluations). */
    public static Model of(TrainableModel model, Operand<TInt32> labels, double scale) {
        if (scale == 1.0) return model.given(labels);
        return new GuidedModel(model.given(labels), model.given(null), scale);
    }

    @Override
    public Operand<TFloat32> predict(Ops tf, Prediction quantity, Operand<TFloat32> x, Operand<TFloat32> t) {
        return mix(tf, conditional.predict(tf, quantity, x, t), unconditional.predict(tf, quantity, x, t));
    }

    @Override
    public Operand<TFloat32> velocityPlusScore(Ops tf, Operand<TFloat32> x, Operand<TFloat32> t, Operand<TFloat32> c) {
        return mix(tf, conditional.velocityPlusScore(tf, x, t, c), unconditional.velocityPlusScore(tf, x, t, c));
    }

    private Operand<TFloat32> mix(Ops tf, Operand<TFloat32> withLabel, Operand<TFloat32> withoutLabel) {
        // u(∅) + w (u(y) − u(∅))
        return tf.math.add(withoutLabel, tf.math.mul(scale.apply(tf), tf.math.sub(withLabel, withoutLabel)));
    }
}
