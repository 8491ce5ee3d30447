package dev.flowkit.runtime.graph;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.OperationBuilder;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.random.StatelessRandomGetKeyCounter;
import org.tensorflow.op.random.StatelessRandomNormalV2;
import org.tensorflow.op.random.StatelessRandomUniformV2;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TType;

/**
 * A seed for TensorFlow's stateless random ops (an int64 pair). Stateless randomness makes every
 * number a function of (experiment seed, step, purpose): runs are reproducible and a resumed run
 * draws exactly what an uninterrupted one would have.
 *
 * <p>A key is a base pair (e.g. [seed, step], possibly only known when the graph runs) plus an offset
 * that encodes the chain of {@link #derive} salts. The offset is hashed on the JVM, in order, so
 * derive(1).derive(2) and derive(2).derive(1) are different streams: two components drawing with their
 * own salts never share random numbers.
 *
 * <p>A key can be narrowed to a block of rows ({@link #rows}): its draws of [rows, …] are then exactly those rows of
 * the whole batch's draws, so a batch split into blocks computed side by side gets the numbers it would get in one.
 */
public final class RandomKey {
    private final Operand<TInt64> base;
    /**
     * The offset pair, or one pair per member of a family of keys ({@link #deriveEach}) of which [member] picks one when
     * the graph runs.
     */
    private final long[] offset0;
    private final long[] offset1;
    private final Operand<TInt32> member;
    /** The first row of the block this key draws for, or null for whole batches. */
    private final Operand<TInt32> firstRow;

    public RandomKey(Operand<TInt64> base) {
        this(base, new long[] {0}, new long[] {0}, null, null);
    }

    private RandomKey(Operand<TInt64> base, long[] offset0, long[] offset1, Operand<TInt32> member, Operand<TInt32> firstRow) {
        this.base = base;
        this.offset0 = offset0;
        this.offset1 = offset1;
        this.member = member;
        this.firstRow = firstRow;
    }

    /** A constant key for [seed, stream]. */
    public static RandomKey of(Ops tf, long seed, long stream) {
        return new RandomKey(tf.constant(new long[] {seed, stream}));
    }

    /** An independent key for one purpose. */
    public RandomKey derive(long salt) {
        long[] o0 = new long[offset0.length];
        long[] o1 = new long[offset1.length];
        for (int m = 0; m < o0.length; m++) {
            o0[m] = mix(offset0[m] ^ mix(salt));
            o1[m] = mix(offset1[m] + 0x632BE59BD9B4E019L * (salt + 1));
        }
        return new RandomKey(base, o0, o1, member, firstRow);
    }

    /**
     * The keys derive(salts[m]) as one key whose member m is chosen by [member] when the graph runs (e.g. the step of a
     * loop): its draws, and those of the keys derived from it, are exactly those of the chosen derive(salts[m]).
     */
    public RandomKey deriveEach(long[] salts, Operand<TInt32> member) {
        if (this.member != null) throw new IllegalStateException("a family of keys is derived once");
        long[] o0 = new long[salts.length];
        long[] o1 = new long[salts.length];
        for (int m = 0; m < salts.length; m++) {
            RandomKey one = derive(salts[m]);
            o0[m] = one.offset0[0];
            o1[m] = one.offset1[0];
        }
        return new RandomKey(base, o0, o1, member, firstRow);
    }

    /**
     * The same streams for the block of rows from [first] on (of every derived key too): a draw of shape [rows, …]
     * equals rows [first, first + rows) of the same draw of shape [n, …]. TensorFlow's Philox generator gives 4 values
     * per counter step, so [first] times the values per row must be a multiple of 4 (any [first] that is).
     */
    public RandomKey rows(Operand<TInt32> first) {
        return new RandomKey(base, offset0, offset1, member, first);
    }

    public Operand<TInt64> operand(Ops tf) {
        if (member != null) {
            long[][] pairs = new long[offset0.length][];
            for (int m = 0; m < pairs.length; m++) pairs[m] = new long[] {offset0[m], offset1[m]};
            return tf.math.add(base, tf.gather(tf.constant(pairs), member, tf.constant(0)));
        }
        if (offset0[0] == 0 && offset1[0] == 0) return base;
        return tf.math.add(base, tf.constant(new long[] {offset0[0], offset1[0]}));
    }

    /** U[0, 1) draws of [shape] from the stream derive(salt). */
    public Operand<TFloat32> uniform(Ops tf, Operand<TInt32> shape, long salt) {
        RandomKey key = derive(salt);
        if (firstRow == null) return tf.random.statelessRandomUniform(shape, key.operand(tf));
        StatelessRandomGetKeyCounter philox = StatelessRandomGetKeyCounter.create(tf.scope(), key.operand(tf));
        return StatelessRandomUniformV2.create(tf.scope(), shape, philox.key(), key.blockCounter(tf, philox, shape), tf.constant(PHILOX), TFloat32.class);
    }

    /** N(0, 1) draws of [shape] from the stream derive(salt). */
    public Operand<TFloat32> normal(Ops tf, Operand<TInt32> shape, long salt) {
        return derive(salt).normal(tf, shape);
    }

    /** N(0, 1) draws of [shape] from this key's own stream. */
    public Operand<TFloat32> normal(Ops tf, Operand<TInt32> shape) {
        if (firstRow == null) return tf.random.statelessRandomNormal(shape, operand(tf));
        StatelessRandomGetKeyCounter philox = StatelessRandomGetKeyCounter.create(tf.scope(), operand(tf));
        return StatelessRandomNormalV2.create(tf.scope(), shape, philox.key(), blockCounter(tf, philox, shape), tf.constant(PHILOX));
    }

    /** Philox, the algorithm of the seed-taking (V1) stateless ops. */
    private static final int PHILOX = 1;

    /**
     * The Philox counter of the whole batch's draw (what the V1 ops use for this seed) moved on by the values before
     * [firstRow], firstRow × values per row / 4, as a 128-bit sum (low word first).
     */
    private Operand<? extends TType> blockCounter(Ops tf, StatelessRandomGetKeyCounter philox, Operand<TInt32> shape) {
        Operand<TInt64> steps = tf.math.floorDiv(tf.math.mul(tf.dtypes.cast(firstRow, TInt64.class), tf.dtypes.cast(perRow(tf, shape), TInt64.class)), tf.constant(4L));
        Operand<TInt64> counter = bitcast(tf, philox.counter(), DataType.DT_INT64);
        Operand<TInt64> low = tf.gather(counter, tf.constant(0), tf.constant(0));
        Operand<TInt64> high = tf.gather(counter, tf.constant(1), tf.constant(0));
        Operand<TInt64> movedLow = tf.math.add(low, steps);
        // unsigned movedLow < low means the low word wrapped: carry one into the high word
        Operand<TInt64> sign = tf.constant(Long.MIN_VALUE);
        Operand<TInt64> carry = tf.dtypes.cast(tf.math.less(tf.bitwise.bitwiseXor(movedLow, sign), tf.bitwise.bitwiseXor(low, sign)), TInt64.class);
        return bitcast(tf, tf.stack(List.of(movedLow, tf.math.add(high, carry))), DataType.DT_UINT64);
    }

    @SuppressWarnings("unchecked")
    private static <T extends TType> Operand<T> bitcast(Ops tf, Operand<?> value, DataType type) {
        Output<?> out = tf.scope().env().opBuilder("Bitcast", tf.scope().makeOpName("Bitcast"), tf.scope())
                .addInput(value.asOutput()).setAttr("type", type).build().output(0);
        return (Operand<T>) out;
    }

    /**
     * N(0, 1) draws of [shape] ([rows, …]) by the Box–Muller transform of stateless uniforms, never differentiated: per
     * row, h = ⌈values/2⌉ pairs (u1 ∈ (0, 1], u2 ∈ [0, 1)), r = √(−2 ln u1), θ = 2π u2, the row being r cos θ of its h
     * pairs then r sin θ (the last cut when the row has an odd count). The same law as {@link #normal}, other numbers;
     * for large draws: composed of TensorFlow's ops, 10.2 against 15.4 ms for 20 000 × 64 values with 2 threads
     * (TensorFlow's normal kernel is the slower part of a Langevin step), and the native kernel, where loaded, about a
     * third of that again; composed it spends about 15 ops, too many for small draws. Pairs stay within a row,
     * so a block of rows ({@link #rows}, first row a multiple of 4) draws exactly its rows of the whole batch's values.
     */
    public Operand<TFloat32> normalByBoxMuller(Ops tf, Operand<TInt32> shape, long salt) {
        return normalByBoxMuller(tf, shape, salt, 1);
    }

    /**
     * [scale] times {@link #normalByBoxMuller(Ops, Operand, long)}'s draws, the scale folded into the radius (no op of its
     * own). Drawn by the native kernel when it is loaded ({@link NativeKernels}: the same uniforms, the same transform,
     * in one pass), else by TensorFlow's ops.
     */
    public Operand<TFloat32> normalByBoxMuller(Ops tf, Operand<TInt32> shape, long salt, double scale) {
        return NativeKernels.has(NativeKernels.BOX_MULLER_NORMAL) ? nativeBoxMuller(tf, shape, salt, scale) : composedBoxMuller(tf, shape, salt, scale);
    }

    /** The Box–Muller draws as a composition of TensorFlow ops. */
    Operand<TFloat32> composedBoxMuller(Ops tf, Operand<TInt32> shape, long salt, double scale) {
        RandomKey key = derive(salt);
        Operand<TInt32> perRow = perRow(tf, shape);
        Operand<TInt32> pairs = pairShape(tf, shape, perRow);
        Operand<TFloat32> u1 = tf.math.sub(Tensors.scalar(tf, 1), key.uniform(tf, pairs, 1));
        Operand<TFloat32> u2 = key.uniform(tf, pairs, 2);
        Operand<TFloat32> r = tf.math.sqrt(tf.math.mul(Tensors.scalar(tf, -2 * scale * scale), tf.math.log(u1)));
        Operand<TFloat32> theta = tf.math.mul(u2, Tensors.scalar(tf, 2 * Math.PI));
        Operand<TFloat32> both = tf.concat(List.of(tf.math.mul(r, tf.math.cos(theta)), tf.math.mul(r, tf.math.sin(theta))), tf.constant(1));
        Operand<TFloat32> cut = tf.slice(both, tf.constant(new int[] {0, 0}), tf.stack(List.of(tf.constant(-1), perRow)));
        return tf.stopGradient(tf.reshape(cut, shape));
    }

    /** The Box–Muller draws by the native kernel, given the Philox key and counter of each uniform stream. */
    Operand<TFloat32> nativeBoxMuller(Ops tf, Operand<TInt32> shape, long salt, double scale) {
        RandomKey key = derive(salt);
        Operand<TInt32> pairs = pairShape(tf, shape, perRow(tf, shape));
        OperationBuilder op = tf.scope().opBuilder(NativeKernels.BOX_MULLER_NORMAL, "BoxMullerNormal").addInput(shape.asOutput());
        for (long stream = 1; stream <= 2; stream++) {
            RandomKey streamKey = key.derive(stream);
            StatelessRandomGetKeyCounter philox = StatelessRandomGetKeyCounter.create(tf.scope(), streamKey.operand(tf));
            op.addInput(philox.key().asOutput());
            op.addInput(firstRow == null ? philox.counter().asOutput() : streamKey.blockCounter(tf, philox, pairs).asOutput());
        }
        @SuppressWarnings("unchecked") Output<TFloat32> out = (Output<TFloat32>) (Output<?>) op.setAttr("scale", (float) scale).build().output(0);
        return tf.stopGradient(tf.reshape(out, shape)); // the kernel's shape function says nothing; the reshape gives the static shape
    }

    /** The values per row of a draw of [shape]: the product of the dimensions after the first. */
    private static Operand<TInt32> perRow(Ops tf, Operand<TInt32> shape) {
        return tf.reduceProd(tf.slice(shape, tf.constant(new int[] {1}), tf.constant(new int[] {-1})), tf.constant(0));
    }

    /** [rows, ⌈values per row / 2⌉]: the shape of a Box–Muller draw's uniforms. */
    private static Operand<TInt32> pairShape(Ops tf, Operand<TInt32> shape, Operand<TInt32> perRow) {
        Operand<TInt32> rows = tf.gather(shape, tf.constant(0), tf.constant(0));
        return tf.stack(List.of(rows, tf.math.floorDiv(tf.math.add(perRow, tf.constant(1)), tf.constant(2))));
    }

    /** SplitMix64's finalizer: a bijective 64-bit mix. */
    static long mix(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
