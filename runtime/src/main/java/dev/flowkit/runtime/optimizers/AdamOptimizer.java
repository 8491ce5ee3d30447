package dev.flowkit.runtime.optimizers;

import dev.flowkit.runtime.graph.Tensors;
import dev.flowkit.runtime.objectives.Loss;
import dev.flowkit.spec.Adam;
import dev.flowkit.spec.Decay;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Adam through TensorFlow's ApplyAdam kernel; gradients from Graph.addGradients. With clipNorm the
 * gradients are first scaled by min(1, clipNorm / global norm).
 */
public final class AdamOptimizer implements Optimizer {
    private final Adam spec;

    public AdamOptimizer(Adam spec) {
        this.spec = spec;
    }

    @Override
    public Op minimize(Ops tf, Operand<TFloat32> loss, List<Variable<TFloat32>> variables, Variable<TInt64> step, long totalSteps,
                       dev.flowkit.runtime.compiler.DataParallel.GradientReducer reducer) {
        return minimize(tf, Loss.of(tf, loss), variables, step, totalSteps, reducer);
    }

    @Override
    public Op minimize(Ops tf, Loss differentiable, List<Variable<TFloat32>> variables, Variable<TInt64> step, long totalSteps,
                       dev.flowkit.runtime.compiler.DataParallel.GradientReducer reducer) {
        Operand<TFloat32> loss = differentiable.value();
        Gradients gradients = differentiable.gradients(tf, variables);
        List<Operand<TFloat32>> grads = new ArrayList<>();
        for (int i = 0; i < variables.size(); i++) grads.add(gradients.dy(i));
        grads = reducer.reduce(tf, grads); // clipping, if any, sees the gradient of the whole batch
        if (spec.getClipNorm() != null) grads = clipByGlobalNorm(tf, grads, spec.getClipNorm());

        double beta1 = spec.getBetas().get(0);
        double beta2 = spec.getBetas().get(1);
        Operand<TFloat32> nextStep = tf.dtypes.cast(tf.math.add(step, tf.constant(1L)), TFloat32.class);
        Operand<TFloat32> beta1Power = tf.math.pow(Tensors.scalar(tf, beta1), nextStep);
        Operand<TFloat32> beta2Power = tf.math.pow(Tensors.scalar(tf, beta2), nextStep);
        Operand<TFloat32> learningRate = learningRate(tf, step, totalSteps);
        Ops init = tf.withInitScope();
        // Variables are updated in place: no update may start before every gradient (and so every read of a
        // variable in the forward and backward pass) and the loss are computed, or a step would mix old and new weights.
        // (the ops themselves as control inputs: an Identity of each would be one more op per variable and step)
        List<Op> computed = new ArrayList<>();
        computed.add(loss);
        computed.addAll(grads);
        Ops afterGradients = tf.withControlDependencies(computed);
        List<Op> updates = new ArrayList<>();
        for (int i = 0; i < variables.size(); i++) {
            Variable<TFloat32> v = variables.get(i);
            // Zeros of the static shape: reading v here would race with v's own initializer.
            Operand<TInt64> shape = init.constant(v.shape().asArray());
            Variable<TFloat32> m1 = tf.variable(init.zeros(shape, TFloat32.class));
            Variable<TFloat32> m2 = tf.variable(init.zeros(shape, TFloat32.class));
            updates.add(afterGradients.train.applyAdam(v, m1, m2, beta1Power, beta2Power, learningRate,
                    Tensors.scalar(tf, beta1), Tensors.scalar(tf, beta2), Tensors.scalar(tf, spec.getEps()), grads.get(i)));
        }
        return tf.withControlDependencies(updates).assignAdd(step, tf.constant(1L));
    }

    /** The learning rate at the 0-based [step] of [totalSteps] under the spec's decay (a constant adds no ops). */
    @Override
    public Operand<TFloat32> learningRate(Ops tf, Operand<TInt64> step, long totalSteps) {
        Operand<TFloat32> base = Tensors.scalar(tf, spec.getLearningRate());
        if (spec.getDecay() == Decay.CONSTANT) return base;
        Operand<TFloat32> progress = tf.math.div(tf.dtypes.cast(step, TFloat32.class), Tensors.scalar(tf, totalSteps));
        return switch (spec.getDecay()) {
            case LINEAR -> tf.math.mul(base, tf.math.sub(Tensors.scalar(tf, 1), progress));
            case COSINE -> tf.math.mul(base, tf.math.mul(Tensors.scalar(tf, 0.5),
                    tf.math.add(Tensors.scalar(tf, 1), tf.math.cos(tf.math.mul(Tensors.scalar(tf, Math.PI), progress)))));
            case CONSTANT -> base;
        };
    }

    static List<Operand<TFloat32>> clipByGlobalNorm(Ops tf, List<Operand<TFloat32>> grads, double clipNorm) {
        Operand<TFloat32> squared = null;
        for (Operand<TFloat32> g : grads) {
            Operand<TFloat32> s = tf.reduceSum(tf.math.square(g), tf.range(tf.constant(0), tf.rank(g), tf.constant(1)));
            squared = squared == null ? s : tf.math.add(squared, s);
        }
        Operand<TFloat32> norm = tf.math.sqrt(squared);
        Operand<TFloat32> scale = tf.math.minimum(Tensors.scalar(tf, 1), tf.math.div(Tensors.scalar(tf, clipNorm), tf.math.maximum(norm, Tensors.scalar(tf, 1e-12))));
        List<Operand<TFloat32>> clipped = new ArrayList<>();
        for (Operand<TFloat32> g : grads) clipped.add(tf.math.mul(g, scale));
        return clipped;
    }
}
