package dev.flowkit.runtime.samplers;

import dev.flowkit.runtime.graph.RandomKey;
import dev.flowkit.runtime.graph.Tensors;
import java.util.function.IntPredicate;
import java.util.function.IntToDoubleFunction;
import java.util.function.IntUnaryOperator;
import java.util.stream.IntStream;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Which step a sampler's step is built for: one step i, or every step of a range [from, to) at once, the step chosen
 * by a counter k when the graph runs (a loop, {@link dev.flowkit.runtime.graph.FrameLoop}, or a host loop). A step
 * asks for its numbers through it — a constant for one step, the same values as a table read at k for a range — so
 * one step function serves both and gives the same numbers either way.
 */
public final class StepIndex {
    private final int from;
    private final int to;
    /** k − from, or null for one step */
    private final Operand<TInt32> row;

    private StepIndex(int from, int to, Operand<TInt32> row) {
        this.from = from;
        this.to = to;
        this.row = row;
    }

    /** Step [i] alone. */
    public static StepIndex at(int i) {
        return new StepIndex(i, i + 1, null);
    }

    /** Steps from … to − 1, the one built for chosen by [k] when the graph runs. */
    public static StepIndex range(Ops tf, Operand<TInt32> k, int from, int to) {
        if (to <= from) throw new IllegalArgumentException("an empty range of steps, " + from + " to " + (to - 1));
        return new StepIndex(from, to, tf.math.sub(k, tf.constant(from)));
    }

    /** f(i) as a float32 scalar. */
    public Operand<TFloat32> scalar(Ops tf, IntToDoubleFunction f) {
        if (row == null) return Tensors.scalar(tf, f.applyAsDouble(from));
        float[] table = new float[to - from];
        for (int i = from; i < to; i++) table[i - from] = (float) f.applyAsDouble(i);
        return tf.gather(tf.constant(table), row, tf.constant(0));
    }

    /** f(i) as an int32 scalar. */
    public Operand<TInt32> integer(Ops tf, IntUnaryOperator f) {
        if (row == null) return tf.constant(f.applyAsInt(from));
        return tf.gather(tf.constant(IntStream.range(from, to).map(f).toArray()), row, tf.constant(0));
    }

    /** p(i): how the step is built, so the same for every step of a range (a sampler loops only such ranges). */
    public boolean is(IntPredicate p) {
        boolean first = p.test(from);
        if (IntStream.range(from, to).anyMatch(i -> p.test(i) != first)) {
            throw new IllegalStateException("steps " + from + " to " + (to - 1) + " are not built alike; they cannot share one looped step");
        }
        return first;
    }

    /** key.derive(i): the step's own random stream. */
    public RandomKey derive(RandomKey key) {
        if (row == null) return key.derive(from);
        return key.deriveEach(IntStream.range(from, to).asLongStream().toArray(), row);
    }

    /** i, for steps built one at a time only. */
    public int index() {
        if (row != null) throw new IllegalStateException("a step built for steps " + from + " to " + (to - 1) + " has no single index");
        return from;
    }
}
