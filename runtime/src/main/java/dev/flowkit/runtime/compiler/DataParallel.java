package dev.flowkit.runtime.compiler;

import java.util.List;
import java.util.stream.IntStream;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * How one model's training is split over replicas. Step k's batch of train.batchSize rows is the union of
 * [replicas] sub-batches, sub-batch r drawn from its own key (seed, k, r); the loss is their mean, so its gradient
 * is the mean of the sub-batches' gradients. A replica ([index] ≥ 0) computes its own sub-batch and gets the mean by
 * [reducer] (an all-reduce across processes); {@link #inOneProcess} computes every sub-batch in one graph, the
 * reference the replicas must match. [sessions] opens the graph's session (a remote target for replicas).
 */
public record DataParallel(int replicas, int index, GradientReducer reducer, SessionFactory sessions) {
    /** The gradients of a replica's own sub-batch → the mean over all replicas, element for element. */
    public interface GradientReducer {
        List<Operand<TFloat32>> reduce(Ops tf, List<Operand<TFloat32>> gradients);
    }

    public interface SessionFactory {
        Session open(Graph graph, SessionOptions options);
    }

    private static final SessionFactory LOCAL = (graph, options) -> new Session(graph, options.toConfig());

    /** Training in one process on one batch: what a plain run does. */
    public static final DataParallel NONE = new DataParallel(1, 0, (tf, g) -> g, LOCAL);

    public DataParallel {
        if (replicas < 1) throw new IllegalArgumentException("replicas: must be >= 1, was " + replicas);
        if (index < -1 || index >= replicas) throw new IllegalArgumentException("index: must be -1 (all) or 0 … " + (replicas - 1) + ", was " + index);
    }

    /** All [replicas] sub-batches in this one graph: numerically what [replicas] replicas compute together. */
    public static DataParallel inOneProcess(int replicas) {
        return new DataParallel(replicas, -1, (tf, g) -> g, LOCAL);
    }

    /** The sub-batches this graph computes. */
    public List<Integer> parts() {
        return index < 0 ? IntStream.range(0, replicas).boxed().toList() : List.of(index);
    }

    /** Whether this process writes the run's outputs (checkpoints, samples, metrics): the only or the first replica. */
    public boolean writesOutputs() {
        return index <= 0;
    }

    /** The rows of each sub-batch; the batch must split evenly. */
    public int subBatch(int batchSize) {
        return subBatch(batchSize, replicas);
    }

    /** The rows of each of [replicas] sub-batches of [batchSize]; refused, naming train.batchSize, when it does not split evenly. */
    public static int subBatch(int batchSize, int replicas) {
        if (batchSize % replicas != 0) {
            throw new IllegalArgumentException("train.batchSize: must be divisible by the " + replicas + " replicas, was " + batchSize);
        }
        return batchSize / replicas;
    }
}
