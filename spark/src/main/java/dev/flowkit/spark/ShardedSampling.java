package dev.flowkit.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowkit.runtime.Flowkit;
import dev.flowkit.runtime.TrainedModel;
import dev.flowkit.runtime.compiler.SessionOptions;
import dev.flowkit.runtime.output.NpyShardWriter;
import dev.flowkit.runtime.sweep.SweepRunner;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * One large draw from a trained model split into shards, one Spark task each: shard j holds rows [from_j, from_j + n_j)
 * of the draw, sampled as whole sampling chunks whose random keys are (seed, chunk), so the shards are disjoint
 * streams and their concatenation is, number for number, what {@link TrainedModel#sample(int, long)} gives on one
 * machine, whatever the number of shards. Each task writes OUT/samples-NNNNN.npy (and labels-NNNNN.npy for a labelled
 * model) into a folder every executor shares; the driver writes the manifests samples.json (and labels.json) that
 * {@code dataset(file = ".../samples.json")} reads back, with the mean and covariance of all rows combined across
 * executors by treeAggregate.
 */
public final class ShardedSampling {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String SAMPLES = "samples.json";
    static final String LABELS = "labels.json";

    private ShardedSampling() {}

    /**
     * What to draw: [count] rows with [seed]; for labelled models, classes drawn as the run draws them (or [labels] in
     * turn) at guidance w (default: the run's first); [sampler] (JSON, e.g. {"type":"heun","steps":50}) instead of the
     * run's; [shardRows] rows per shard (0: about four shards per executor slot).
     */
    public record Request(long count, long seed, Double guidance, int[] labels, String sampler, int shardRows) implements Serializable {
        public static Request of(long count, long seed) {
            return new Request(count, seed, null, null, null, 0);
        }

        public Request withShardRows(int rows) {
            return new Request(count, seed, guidance, labels, sampler, rows);
        }

        public Request withGuidance(Double w, int[] classes) {
            return new Request(count, seed, w, classes, sampler, shardRows);
        }

        public Request withSampler(String json) {
            return new Request(count, seed, guidance, labels, json, shardRows);
        }
    }

    /** The manifests written, the statistics of all rows (covariance null above Moments.FULL_LIMIT dimensions), and which processes drew the shards. */
    public record Result(Path samples, Path labels, long rows, int shards, double[] mean, double[][] covariance, List<String> processes) {}

    /** One shard: its index and rows [from, from + rows). */
    record Shard(int index, long from, int rows) implements Serializable {}

    /** What a task reports back: its shard, the rows' moments and the process that drew them. */
    record Drawn(Shard shard, Moments moments, String process) implements ShardJob.Report {}

    /** The shards of [count] rows: [rows] each (a multiple of [chunk]), the last one shorter. */
    static List<Shard> plan(long count, int rows, int chunk) {
        if (rows % chunk != 0) throw new IllegalArgumentException("shardRows: must be a multiple of the model's sampling chunk (" + chunk + "), was " + rows);
        List<Shard> shards = new ArrayList<>();
        for (long from = 0; from < count; from += rows) shards.add(new Shard(shards.size(), from, (int) Math.min(rows, count - from)));
        return shards;
    }

    /** Draws [request] from the model in [runDir] on [context] into [outDir]; [progress] hears (shards done, shards) as they finish. */
    public static Result sample(JavaSparkContext context, Path runDir, Request request, Path outDir, BiConsumer<Integer, Integer> progress) {
        if (request.count() < 1) throw new IllegalArgumentException("count: must be >= 1, was " + request.count());
        int chunk;
        int dim;
        boolean labelled;
        try (TrainedModel model = Flowkit.load(runDir)) {
            chunk = model.chunkRows();
            dim = model.dim();
            labelled = model.classes() > 0;
            if (!labelled && (request.guidance() != null || request.labels() != null)) {
                throw new IllegalArgumentException("guidance: the model in " + runDir + " is unconditional (its data has no classes)");
            }
            if (request.sampler() != null) model.withSampler(ExecutorModels.SPEC_JSON.decodeSampler(request.sampler())); // refused here, not in a task
        }
        int rows = request.shardRows() > 0 ? request.shardRows() : defaultShardRows(request.count(), chunk, context.defaultParallelism());
        List<Shard> shards = plan(request.count(), rows, chunk);
        try {
            Files.createDirectories(outDir);
        } catch (IOException e) {
            throw new UncheckedIOException("could not create " + outDir, e);
        }
        ShardTask task = new ShardTask(runDir.toAbsolutePath().toString(), outDir.toAbsolutePath().toString(), request, labelled);
        ShardJob.Done<Drawn> done = ShardJob.run(context, String.format(Locale.ROOT, "flowkit sample %s: %d rows in %d shards",
                runDir.getFileName(), request.count(), shards.size()), shards, task, dim, progress);
        Moments total = done.total();
        List<String> processes = done.processes();
        try {
            List<Long> shardRows = shards.stream().map(s -> (long) s.rows()).toList();
            Path samples = outDir.resolve(SAMPLES);
            NpyShardWriter.writeManifest(samples, "<f4", List.of(request.count(), (long) dim), shardRows, summary(runDir, request, total, processes));
            Path labels = null;
            if (labelled) {
                labels = outDir.resolve(LABELS);
                NpyShardWriter.writeManifest(labels, "<i4", List.of(request.count()), shardRows, null);
            }
            return new Result(samples, labels, total.count(), shards.size(), total.mean(), total.covariance(), processes);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the manifests in " + outDir, e);
        }
    }

    /** About four shards per slot, in whole chunks, so slow and fast executors even out. */
    static int defaultShardRows(long count, int chunk, int slots) {
        long target = Math.max(1, count / Math.max(1, 4L * slots));
        long chunks = Math.max(1, (target + chunk - 1) / chunk);
        return (int) Math.min(chunks * chunk, Math.max(chunk, (Integer.MAX_VALUE / 2 / chunk) * (long) chunk));
    }

    private static ObjectNode summary(Path runDir, Request request, Moments total, List<String> processes) {
        ObjectNode summary = JSON.createObjectNode();
        summary.put("run", runDir.toAbsolutePath().toString());
        summary.put("seed", request.seed());
        if (request.guidance() != null) summary.put("guidance", request.guidance());
        total.describe(summary);
        ArrayNode where = summary.putArray("processes");
        processes.forEach(where::add);
        return summary;
    }

    /** On an executor: draw one shard with the model loaded once per executor JVM, write it, report its moments. */
    private record ShardTask(String runDir, String outDir, Request request, boolean labelled)
            implements org.apache.spark.api.java.function.Function<Shard, Drawn> {
        @Override
        public Drawn call(Shard shard) throws IOException {
            int cpus = TaskContext.get() != null ? TaskContext.get().cpus() : 1;
            TrainedModel loaded = ExecutorModels.get(Path.of(runDir), cpus);
            TrainedModel model = request.sampler() == null ? loaded : loaded.withSampler(ExecutorModels.SPEC_JSON.decodeSampler(request.sampler()));
            float[][] rows;
            Path out = Path.of(outDir);
            if (labelled) {
                double w = request.guidance() != null ? request.guidance() : model.spec().getGuidanceScales().isEmpty() ? 1.0 : model.spec().getGuidanceScales().get(0);
                int[] classes = request.labels() != null ? repeat(request.labels(), shard.from(), shard.rows()) : model.labels(shard.from(), shard.rows(), request.seed());
                rows = model.sampleRows(shard.from(), classes, w, request.seed(), done -> {});
                NpyShardWriter.writeShard(NpyShardWriter.shard(out.resolve(LABELS), shard.index()), classes);
            } else {
                rows = model.sampleRows(shard.from(), shard.rows(), request.seed(), done -> {});
            }
            NpyShardWriter.writeShard(NpyShardWriter.shard(out.resolve(SAMPLES), shard.index()), rows);
            return new Drawn(shard, Moments.of(rows, model.dim()), SweepRunner.PROCESS);
        }

        private static int[] repeat(int[] labels, long from, int n) {
            int[] out = new int[n];
            for (int i = 0; i < n; i++) out[i] = labels[(int) ((from + i) % labels.length)];
            return out;
        }
    }

    /** Trained models an executor JVM has loaded, by run folder and threads; closed when the JVM exits. */
    static final class ExecutorModels {
        private static final Map<String, TrainedModel> LOADED = new ConcurrentHashMap<>();
        static final dev.flowkit.spec.SpecJson SPEC_JSON = new dev.flowkit.spec.SpecJson();

        static {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> LOADED.values().forEach(TrainedModel::close)));
        }

        static TrainedModel get(Path runDir, int threads) {
            return LOADED.computeIfAbsent(runDir.toAbsolutePath() + "#" + threads,
                    key -> Flowkit.load(runDir, SessionOptions.rowBlocks(threads)));
        }
    }
}
