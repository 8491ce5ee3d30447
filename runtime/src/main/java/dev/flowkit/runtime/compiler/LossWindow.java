package dev.flowkit.runtime.compiler;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Sums the loss in the graph at every step, so the logged loss is the mean over a whole logging window
 * (not one noisy batch) without copying a tensor to the JVM each step. The sum and count are variables:
 * they are checkpointed with the rest and a resumed run reports the same means.
 */
final class LossWindow {
    private final Op addSum;
    private final Op addCount;
    private final Operand<TFloat32> mean;
    private final Op reset;

    LossWindow(Ops tf, Operand<TFloat32> loss) {
        Variable<TFloat32> sum = tf.withName("lossSum").variable(tf.constant(0f));
        Variable<TFloat32> count = tf.withName("lossCount").variable(tf.constant(0f));
        this.addSum = tf.assignAdd(sum, loss);
        this.addCount = tf.assignAdd(count, tf.constant(1f));
        this.mean = tf.withControlDependencies(List.of(addSum, addCount)).math.div(sum, count);
        // The reset runs in the same session call, after the mean (a fresh tensor, not a view of the sums) is taken.
        Ops afterMean = tf.withControlDependencies(List.of(tf.identity(mean)));
        this.reset = tf.withControlDependencies(List.of(afterMean.assign(sum, tf.constant(0f)), afterMean.assign(count, tf.constant(0f)))).noOp();
    }

    void accumulate(Session.Runner runner) {
        runner.addTarget(addSum).addTarget(addCount);
    }

    Operand<TFloat32> mean() {
        return mean;
    }

    Op reset() {
        return reset;
    }
}
