package dev.flowkit.runtime.graph;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt64;

/**
 * A seed for TensorFlow's stateless random ops (an int64 pair). Stateless randomness makes every
 * number a function of (experiment seed, step, purpose): runs are reproducible and a resumed run
 * draws exactly what an uninterrupted one would have.
 */
public final class RandomKey {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private final Operand<TInt64> key;

    public RandomKey(Operand<TInt64> key) {
        this.key = key;
    }

    /** A constant key for [seed, stream]. */
    public static RandomKey of(Ops tf, long seed, long stream) {
        return new RandomKey(tf.constant(new long[] {seed, stream}));
    }

    /** An independent key for one purpose (each component draws from keys derived with its own salts). */
    public RandomKey derive(Ops tf, long salt) {
        return new RandomKey(tf.math.add(key, tf.constant(new long[] {(salt + 1) * GOLDEN, salt})));
    }

    public Operand<TInt64> operand() {
        return key;
    }
}
