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
 */
public record SessionOptions(int intraOpThreads, int interOpThreads, boolean graphOptimizer) {
    public static final SessionOptions DEFAULT = new SessionOptions(1, 1);

    public SessionOptions(int intraOpThreads, int interOpThreads) {
        this(intraOpThreads, interOpThreads, false);
    }

    public ConfigProto toConfig() {
        return ConfigProto.newBuilder()
                .setIntraOpParallelismThreads(intraOpThreads)
                .setInterOpParallelismThreads(interOpThreads)
                .setGraphOptions(GraphOptions.newBuilder()
                        .setRewriteOptions(RewriterConfig.newBuilder().setDisableMetaOptimizer(!graphOptimizer)))
                .build();
    }
}
