package dev.flowkit.runtime.compiler;

import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.RewriterConfig;

/**
 * TensorFlow thread pools, and whether Grappler (TF's graph optimizer) runs. Small 2D graphs run fastest
 * single-threaded (measured: ~730 vs ~570 steps/s with TF's defaults on a 2-core machine); larger networks gain from
 * more intra-op threads. Grappler is off by default: on the unrolled sampling graphs (10⁴–10⁵ nodes) it spent ~10 s
 * on the first run and gained nothing afterwards (measured: 14.6 s vs 4.3 s first run, 160 vs 163 ms after, for
 * 2000 points × 500 reverse-SDE steps).
 *
 * <p>TensorFlow sizes its thread pools once per process from the first session's options unless told otherwise, so
 * every later setting would be silently ignored (measured: a sampler in 2 row blocks ran 140 ms instead of 73 after a one-thread
 * session). Each session therefore gets its own inter-op pool ({@code use_per_session_threads}); the intra-op pool is
 * the CPU device's, per session only when {@code TF_OVERRIDE_GLOBAL_THREADPOOL=1} is in the environment (set by
 * {@code ./flowkit} and the test runs; an embedding application sets it before the first TensorFlow call).
 */
public record SessionOptions(int intraOpThreads, int interOpThreads, boolean graphOptimizer) {
    public static final SessionOptions DEFAULT = new SessionOptions(1, 1);

    public SessionOptions(int intraOpThreads, int interOpThreads) {
        this(intraOpThreads, interOpThreads, false);
    }

    /** One intra-op thread and [cores] inter-op threads: for graphs split into {@link dev.flowkit.runtime.graph.RowBlocks}. */
    public static SessionOptions rowBlocks(int cores) {
        return new SessionOptions(1, Math.max(1, cores));
    }

    public ConfigProto toConfig() {
        return ConfigProto.newBuilder()
                .setIntraOpParallelismThreads(intraOpThreads)
                .setInterOpParallelismThreads(interOpThreads)
                .setUsePerSessionThreads(true)
                .setGraphOptions(GraphOptions.newBuilder()
                        .setRewriteOptions(RewriterConfig.newBuilder().setDisableMetaOptimizer(!graphOptimizer)))
                .build();
    }
}
