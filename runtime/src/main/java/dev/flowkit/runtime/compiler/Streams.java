package dev.flowkit.runtime.compiler;

/**
 * The second half of every random key, next to the experiment seed. Training step k uses stream k
 * (k ≥ 0); everything else has a negative stream of its own, so no two purposes share numbers.
 */
public final class Streams {
    private Streams() {}

    public static final long INIT = -1;
    public static final long SAMPLES = -2;
    public static final long EVAL_DATA = -3;
    /** A second data sample independent of EVAL_DATA: metrics between the two are the noise floor. */
    public static final long FLOOR_DATA = -4;
    /** Hutchinson probes of likelihood solves. */
    public static final long LIKELIHOOD = -5;

    /** The stream of chunk [k] of a draw on [stream]: the stream itself for the first, then streams no training step reaches. */
    public static long chunk(long stream, int k) {
        return k == 0 ? stream : stream + ((long) k << 32);
    }
}
