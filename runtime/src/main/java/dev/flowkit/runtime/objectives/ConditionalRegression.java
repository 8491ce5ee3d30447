package dev.flowkit.runtime.objectives;

import dev.flowkit.runtime.graph.RandomKey;
import dev.flowkit.runtime.graph.RowBlocks;
import dev.flowkit.runtime.graph.Tensors;
import dev.flowkit.runtime.model.Model;
import dev.flowkit.runtime.paths.PathSample;
import dev.flowkit.runtime.paths.ProbabilityPath;
import dev.flowkit.spec.Prediction;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;

/**
 * The shape every objective here shares: t from its {@link TrainingTimes} (U[0, maxTime) unless told), x_t from the path, and the batch mean of
 * λ(t) ‖q_θ(x_t, t) − target‖² for one predicted quantity q. The conditional target's expectation given x_t is the
 * marginal quantity, so the minimizer is the marginal (velocity, score, noise or data).
 */
public abstract class ConditionalRegression implements Objective {
    private final Prediction quantity;
    private final TrainingTimes times;

    protected ConditionalRegression(Prediction quantity, double maxTime) {
        this(quantity, TrainingTimes.uniform(maxTime));
    }

    protected ConditionalRegression(Prediction quantity, TrainingTimes times) {
        this.quantity = quantity;
        this.times = times;
    }

    /** The conditional target for the draw [s]. */
    protected abstract Operand<TFloat32> target(Ops tf, ProbabilityPath path, PathSample s);

    /** λ(t) as a column, or null for λ = 1. */
    protected Operand<TFloat32> weight(Ops tf, ProbabilityPath path, Operand<TFloat32> t) {
        return null;
    }

    @Override
    public Operand<TFloat32> loss(Ops tf, Operand<TFloat32> z, Operand<TFloat32> x0, ProbabilityPath path, Model model, RandomKey key) {
        return differentiable(tf, z, x0, path, model, key).value();
    }

    /**
     * The batch mean of λ(t) ‖q − target‖² over n rows, and its gradient's start ∂loss/∂q = 2 λ(t) (q − target) / n (the
     * target and λ held fixed, as the loss's own gradient has them: neither depends on the network).
     */
    @Override
    public Loss differentiable(Ops tf, Operand<TFloat32> z, Operand<TFloat32> x0, ProbabilityPath path, Model model, RandomKey key) {
        TrainingTimes.Draw draw = times.draw(tf, tf.shape(Tensors.column(tf, z, 0)), path, key, 1);
        Operand<TFloat32> t = draw.t();
        PathSample s = path.sample(tf, x0, z, t);
        Operand<TFloat32> prediction = model.predict(tf, quantity, s.xt(), t);
        Operand<TFloat32> error = tf.math.sub(prediction, target(tf, path, s));
        Operand<TFloat32> perExample = tf.reduceSum(tf.math.square(error), tf.constant(new int[] {1}), ReduceSum.keepDims(true));
        Operand<TFloat32> weight = weight(tf, path, t);
        if (draw.reweight() != null) weight = weight == null ? draw.reweight() : tf.math.mul(weight, draw.reweight());
        if (weight != null) perExample = tf.math.mul(perExample, weight);
        Operand<TFloat32> rows = tf.dtypes.cast(RowBlocks.rows(tf, perExample), TFloat32.class);
        Operand<TFloat32> seed = tf.math.div(tf.math.mul(error, Tensors.scalar(tf, 2)), rows);
        if (weight != null) seed = tf.math.mul(seed, weight);
        return new Loss(tf.math.mean(perExample, tf.constant(new int[] {0, 1})), List.of(prediction), List.of(seed));
    }
}
