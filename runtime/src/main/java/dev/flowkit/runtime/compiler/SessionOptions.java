package dev.flowkit.runtime.compiler;

import org.tensorflow.proto.ConfigProto;

/**
 * TensorFlow thread pools. Small 2D graphs run fastest single-threaded (measured: ~730 vs ~570 steps/s
 * with TF's defaults on a 2-core machine); larger networks gain from more intra-op threads.
 */
public record SessionOptions(int intraOpThreads, int interOpThreads) {
    public static final SessionOptions DEFAULT = new SessionOptions(1, 1);

    public ConfigProto toConfig() {
        return ConfigProto.newBuilder()
                .setIntraOpParallelismThreads(intraOpThreads)
                .setInterOpParallelismThreads(interOpThreads)
                .build();
    }
}
