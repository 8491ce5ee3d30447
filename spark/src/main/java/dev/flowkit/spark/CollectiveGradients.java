package dev.flowkit.spark;

import dev.flowkit.runtime.compiler.DataParallel;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The mean of each gradient over the replicas by TensorFlow's own collective all-reduce (CollectiveReduceV2,
 * merge Add, final Div): one instance key per gradient, one group of [replicas] tasks. TensorFlow Java 1.1 wraps only
 * CollectiveReduceV3 (which needs a communicator), so V2 is built with the graph's op builder.
 */
final class CollectiveGradients implements DataParallel.GradientReducer {
    /** Instance keys per group: more than any network's variable count. */
    private static final int KEYS_PER_GROUP = 4096;

    private final int replicas;
    private final String device;
    private final int group;

    /** [group] keys this run's collectives apart from other runs' in the same processes (below 2³¹ / 4096). */
    CollectiveGradients(int replicas, int task, int group) {
        this.replicas = replicas;
        this.device = "/job:worker/replica:0/task:" + task + "/device:CPU:0";
        this.group = group;
    }

    @Override
    public List<Operand<TFloat32>> reduce(Ops tf, List<Operand<TFloat32>> gradients) {
        Graph graph = (Graph) tf.scope().env();
        if (gradients.size() >= KEYS_PER_GROUP) throw new IllegalArgumentException("more than " + KEYS_PER_GROUP + " variables to all-reduce");
        List<Operand<TFloat32>> out = new ArrayList<>();
        for (int i = 0; i < gradients.size(); i++) {
            Output<TFloat32> reduced = graph.opBuilder("CollectiveReduceV2", tf.scope().makeOpName("AllReduce"), tf.scope())
                    .addInput(gradients.get(i).asOutput())
                    .addInput(tf.constant(replicas).asOutput())
                    .addInput(tf.constant(group).asOutput())
                    .addInput(tf.constant(group * KEYS_PER_GROUP + i + 1).asOutput())
                    .addInputList(new Output<?>[0])
                    .setAttr("merge_op", "Add")
                    .setAttr("final_op", "Div")
                    .setDevice(device)
                    .build().output(0);
            out.add(reduced);
        }
        return out;
    }
}
