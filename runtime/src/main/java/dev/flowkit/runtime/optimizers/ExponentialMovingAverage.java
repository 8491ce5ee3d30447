package dev.flowkit.runtime.optimizers;

import dev.flowkit.runtime.graph.Tensors;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Weight averaging in the training step's graph: after [update] (the optimizer's step), each average θ̄ moves to
 * decay · θ̄ + (1 − decay) · θ of its weight θ. The averages are ordinary variables, so checkpoints keep them.
 */
public final class ExponentialMovingAverage {
    private ExponentialMovingAverage() {}

    /** The op that runs [update] and then moves every average; averages and weights pair up by position. */
    public static Op after(Ops tf, Op update, List<Variable<TFloat32>> averages, List<Variable<TFloat32>> weights, double decay) {
        if (averages.size() != weights.size()) {
            throw new IllegalArgumentException(averages.size() + " averages for " + weights.size() + " weights");
        }
        Ops afterUpdate = tf.withControlDependencies(List.of(update)); // reads see the updated weights
        List<Op> moves = new ArrayList<>();
        for (int i = 0; i < weights.size(); i++) {
            Variable<TFloat32> average = averages.get(i);
            // θ̄ − (1 − d)(θ̄ − θ): the same value as d θ̄ + (1 − d) θ with one fewer rounding of θ̄
            moves.add(afterUpdate.assignSub(average,
                    afterUpdate.math.mul(Tensors.scalar(afterUpdate, 1 - decay), afterUpdate.math.sub(average, weights.get(i)))));
        }
        return tf.withControlDependencies(moves).noOp();
    }
}
