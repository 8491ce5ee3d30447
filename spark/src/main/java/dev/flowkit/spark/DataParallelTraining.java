package dev.flowkit.spark;

import dev.flowkit.runtime.Flowkit;
import dev.flowkit.runtime.compiler.DataParallel;
import dev.flowkit.runtime.compiler.SessionOptions;
import dev.flowkit.runtime.run.RunOptions;
import dev.flowkit.runtime.run.RunResult;
import dev.flowkit.runtime.sweep.SweepRunner;
import dev.flowkit.spec.ExperimentSpec;
import java.io.IOException;
import java.io.Serializable;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.tensorflow.Server;
import org.tensorflow.proto.ClusterDef;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.JobDef;
import org.tensorflow.proto.ServerDef;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * One model trained by N replicas on a Spark barrier stage (all N tasks start together, or none does). Each task
 * starts a TensorFlow server; the tasks exchange their addresses with the barrier's allGather and form one cluster
 * (job "worker", task i = partition i). Every replica builds the same graph from the same seed, computes the loss
 * on its own sub-batch of each step's batch (see {@link DataParallel}), and averages the gradients with the others
 * by TensorFlow's collective all-reduce before the same optimizer update, so the replicas' weights stay identical,
 * bit for bit. Replica 0 writes the run folder (checkpoints, samples, metrics) into [outDir], which every executor
 * must share; the others only train.
 */
public final class DataParallelTraining {
    /** Replica 0's result (the run's metrics), every replica's weight digest and process, in replica order. */
    public record Result(RunResult first, List<String> digests, List<String> processes) {}

    /** What a replica reports. */
    record Replica(int index, String digest, String process, Map<String, Double> metrics, double stepsPerSecond, double finalLoss)
            implements Serializable {}

    private DataParallelTraining() {}

    public static Result train(JavaSparkContext context, ExperimentSpec spec, int replicas, Path outDir) {
        return train(context, spec, replicas, outDir, false);
    }

    /** The same, every replica continuing from the checkpoint in [outDir] when [resume] (they all read the same one). */
    public static Result train(JavaSparkContext context, ExperimentSpec spec, int replicas, Path outDir, boolean resume) {
        if (replicas < 1) throw new IllegalArgumentException("replicas: must be >= 1, was " + replicas);
        DataParallel.subBatch(spec.withDefaults().getTrain().getBatchSize(), replicas); // an uneven split is refused here, not in a task
        // keys of this run's collectives, apart from any earlier run's in the same executor JVMs (servers outlive runs)
        int group = ThreadLocalRandom.current().nextInt(1, 500_000);
        ReplicaTask task = new ReplicaTask(new dev.flowkit.spec.SpecJson().encode(spec), outDir.toAbsolutePath().toString(), replicas, group, resume);
        context.setJobDescription("flowkit data-parallel training of " + spec.getName() + " on " + replicas + " replicas");
        RDD<Integer> indices = context.parallelize(IntStream.range(0, replicas).boxed().toList(), replicas).rdd();
        ClassTag<Replica> tag = ClassTag$.MODULE$.apply(Replica.class);
        List<Replica> done = new ArrayList<>(new JavaRDD<>(indices.barrier().mapPartitions(task, false, tag), tag).collect());
        done.sort(Comparator.comparingInt(Replica::index));
        Replica first = done.get(0);
        RunResult result = new RunResult(first.metrics(), first.stepsPerSecond(), first.finalLoss(), Double.NaN, 0, null, Map.of(), first.digest());
        return new Result(result, done.stream().map(Replica::digest).toList(), done.stream().map(Replica::process).toList());
    }

    /** Servers started in this JVM: TensorFlow cannot stop one, so they are kept (not collected) until the JVM exits. */
    private static final List<Server> SERVERS = new ArrayList<>();

    /** On an executor: join the cluster, train as replica [partition], report. */
    private static final class ReplicaTask extends scala.runtime.AbstractFunction1<scala.collection.Iterator<Integer>, scala.collection.Iterator<Replica>>
            implements Serializable {
        private final String specJson;
        private final String outDir;
        private final int replicas;
        private final int group;
        private final boolean resume;

        ReplicaTask(String specJson, String outDir, int replicas, int group, boolean resume) {
            this.specJson = specJson;
            this.outDir = outDir;
            this.replicas = replicas;
            this.group = group;
            this.resume = resume;
        }

        @Override
        public scala.collection.Iterator<Replica> apply(scala.collection.Iterator<Integer> partition) {
            BarrierTaskContext barrier = BarrierTaskContext.get();
            int index = barrier.partitionId();
            String[] addresses;
            try {
                addresses = barrier.allGather(host() + ":" + freePort());
            } catch (IOException e) {
                throw new IllegalStateException("replica " + index + ": no free port", e);
            }
            int cpus = barrier.cpus();
            SessionOptions threads = SessionOptions.rowBlocks(cpus);
            ConfigProto config = threads.toConfig().toBuilder()
                    .setUsePerSessionThreads(false) // a distributed session refuses per-session pools; the task's server owns them
                    .addDeviceFilters("/job:worker/replica:0/task:" + index) // everything but the collectives stays on this task
                    .setExperimental(ConfigProto.Experimental.newBuilder().setCollectiveGroupLeader("/job:worker/replica:0/task:0"))
                    .build();
            JobDef.Builder job = JobDef.newBuilder().setName("worker");
            for (int i = 0; i < addresses.length; i++) job.putTasks(i, addresses[i]);
            Server server = new Server(ServerDef.newBuilder().setCluster(ClusterDef.newBuilder().addJob(job)).setJobName("worker")
                    .setTaskIndex(index).setProtocol("grpc").setDefaultSessionConfig(config).build());
            server.start();
            synchronized (SERVERS) {
                SERVERS.add(server);
            }
            String target = "grpc://" + addresses[index];
            DataParallel parallel = new DataParallel(replicas, index, new CollectiveGradients(replicas, index, group),
                    (graph, options) -> RemoteSession.open(graph, target, config));
            Flowkit flowkit = Flowkit.create();
            ExperimentSpec spec = flowkit.specJson().decodeRecorded(specJson);
            RunResult result = flowkit.run(spec, RunOptions.to(Path.of(outDir)).resuming(resume).withSession(threads)
                    .withParallel(parallel).withListener(index == 0 ? new dev.flowkit.runtime.output.ConsoleProgress(spec.getName(), System.err)
                            : dev.flowkit.runtime.run.TrainingListener.SILENT));
            barrier.barrier(); // no replica leaves (and no JVM goes) before every replica has finished its steps
            Replica replica = new Replica(index, result.parameterDigest(), SweepRunner.PROCESS, Map.copyOf(result.metrics()),
                    result.trainingStepsPerSecond(), result.finalLoss());
            return CollectionConverters.asScala(List.of(replica).iterator());
        }

        private static String host() throws IOException {
            String local = System.getenv("SPARK_LOCAL_IP");
            return local != null ? local : InetAddress.getLocalHost().getHostAddress();
        }

        private static int freePort() throws IOException {
            try (ServerSocket socket = new ServerSocket(0)) {
                return socket.getLocalPort();
            }
        }
    }
}
