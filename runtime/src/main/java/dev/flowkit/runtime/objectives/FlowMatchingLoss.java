package dev.flowkit.runtime.objectives;

import dev.flowkit.runtime.graph.RandomKey;
import dev.flowkit.runtime.graph.Tensors;
import dev.flowkit.runtime.model.VectorField;
import dev.flowkit.runtime.paths.PathSample;
import dev.flowkit.runtime.paths.ProbabilityPath;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;

/** Conditional flow matching: mean over the batch of ‖u_θ(x_t, t) − u_t(x_t | z)‖², t ~ U[0, 1). */
public final class FlowMatchingLoss implements Objective {
    @Override
    public Operand<TFloat32> loss(Ops tf, Operand<TFloat32> z, Operand<TFloat32> x0, ProbabilityPath path, VectorField model, RandomKey key) {
        Operand<TFloat32> t = key.uniform(tf, tf.shape(Tensors.column(tf, z, 0)), 1);
        PathSample s = path.sample(tf, x0, z, t);
        Operand<TFloat32> error = tf.math.sub(model.velocity(tf, s.xt(), t), s.dxt());
        Operand<TFloat32> perExample = tf.reduceSum(tf.math.square(error), tf.constant(new int[] {1}), ReduceSum.keepDims(false));
        return tf.math.mean(perExample, tf.constant(0));
    }
}
