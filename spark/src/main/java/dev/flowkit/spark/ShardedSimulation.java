package dev.flowkit.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowkit.runtime.Flowkit;
import dev.flowkit.runtime.compiler.SessionOptions;
import dev.flowkit.runtime.distributions.Distribution;
import dev.flowkit.runtime.distributions.LangevinDistribution;
import dev.flowkit.runtime.output.NpyShardWriter;
import dev.flowkit.runtime.potentials.LangevinSimulation;
import dev.flowkit.runtime.potentials.Potential;
import dev.flowkit.runtime.sweep.SweepRunner;
import dev.flowkit.spec.LangevinData;
import dev.flowkit.spec.NpyShards;
import dev.flowkit.spec.SpecJson;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The Langevin chains of a Gibbs experiment's data ({@code langevin(samples, reference, …)}) simulated on Spark, one
 * task per shard of whole simulation chunks. Chunk k always starts from the random key (seed, k), so the shards are
 * disjoint streams and together equal, number for number, the simulation on one machine. Each task writes its shard
 * beside the manifest data.save names (a .json); the manifest records the spec's identity, so {@code ./flowkit run}
 * of the same spec reads the chains back instead of simulating them, and the chains' mean and covariance, merged
 * across executors by treeAggregate.
 */
public final class ShardedSimulation {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ShardedSimulation() {}

    /** The manifest written, the chains' statistics, MALA's acceptance (NaN otherwise) and the processes that ran. */
    public record Result(Path manifest, long chains, int shards, double[] mean, double[][] covariance, double acceptance, List<String> processes) {}

    record Shard(int index, int from, int rows) implements Serializable {}

    record Simulated(Shard shard, Moments moments, double acceptance, String process) implements ShardJob.Report {}

    /** Simulates the chains of [spec] into its data.save manifest, with chunks of the simulation's default size. */
    public static Result simulate(JavaSparkContext context, LangevinData spec, int shardChains, BiConsumer<Integer, Integer> progress) {
        return simulate(context, spec, shardChains, LangevinSimulation.CHUNK_VALUES, progress);
    }

    /** The same with chunks of [chunkValues] values (the chunking decides the random keys: a run to compare with must use the same). */
    public static Result simulate(JavaSparkContext context, LangevinData spec, int shardChains, int chunkValues, BiConsumer<Integer, Integer> progress) {
        if (spec.getSave() == null || !NpyShards.isManifest(Path.of(spec.getSave()))) {
            throw new IllegalArgumentException("data.save: a distributed simulation writes shards and a manifest; name a .json file, e.g. "
                    + (spec.getSave() == null ? "data/chains.json" : spec.getSave().replaceAll("\\.npy$", "") + ".json") + ", was " + spec.getSave());
        }
        Path manifest = Path.of(spec.getSave()).toAbsolutePath();
        int chains = spec.getSamples() + spec.getReference();
        int dim = spec.getDim();
        int chunk = Math.max(1, Math.min(chains, chunkValues / dim));
        int rows = shardChains > 0 ? shardChains : chunk;
        if (rows % chunk != 0) {
            throw new IllegalArgumentException("shardChains: must be a multiple of the simulation's chunk of " + chunk + " chains, was " + rows);
        }
        List<Shard> shards = new ArrayList<>();
        for (int from = 0; from < chains; from += rows) shards.add(new Shard(shards.size(), from, Math.min(rows, chains - from)));
        try {
            Files.createDirectories(manifest.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("could not create " + manifest.getParent(), e);
        }
        String specJson = new SpecJson().encodeData(spec);
        ShardTask task = new ShardTask(specJson, manifest.toString(), chains, chunkValues);
        ShardJob.Done<Simulated> done = ShardJob.run(context, String.format(Locale.ROOT, "flowkit simulate: %d chains in %d shards",
                chains, shards.size()), shards, task, dim, progress);
        Moments total = done.total();
        List<String> processes = done.processes();
        double acceptance = done.reports().stream().mapToDouble(s -> s.acceptance() * s.shard().rows()).sum() / chains;
        try {
            ObjectNode summary = JSON.createObjectNode();
            // other chunks are other random keys: only the default chunking is what ./flowkit run would simulate
            summary.put("identity", LangevinDistribution.identity(spec) + (chunkValues == LangevinSimulation.CHUNK_VALUES ? "" : " chunk " + chunkValues));
            if (!Double.isNaN(acceptance)) summary.put("acceptance", acceptance);
            total.describe(summary);
            double[][] cov = total.covariance();
            var where = summary.putArray("processes");
            processes.forEach(where::add);
            NpyShardWriter.writeManifest(manifest, "<f4", List.of((long) chains, (long) dim),
                    shards.stream().map(s -> (long) s.rows()).toList(), summary);
            return new Result(manifest, total.count(), shards.size(), total.mean(), cov, acceptance, processes);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + manifest, e);
        }
    }

    /** On an executor: simulate one shard's chunks with the task's cores, write it beside the manifest. */
    private record ShardTask(String specJson, String manifest, int chains, int chunkValues)
            implements org.apache.spark.api.java.function.Function<Shard, Simulated> {
        @Override
        public Simulated call(Shard shard) throws IOException {
            LangevinData spec = (LangevinData) new SpecJson().decodeData(specJson);
            int cpus = TaskContext.get() != null ? TaskContext.get().cpus() : 1;
            Distribution init = Flowkit.create().components().resolve(spec.getInitOrDefault(), Distribution.class);
            LangevinSimulation simulation = new LangevinSimulation(new Potential(spec.getPotential()), init, spec.getTemperature(), spec.getDt(),
                    spec.getSteps(), spec.getIntegrator(), false, SessionOptions.rowBlocks(cpus), chunkValues);
            float[] values = simulation.runRows(chains, spec.getSeed(), shard.from(), shard.rows());
            int dim = spec.getDim();
            float[][] rows = new float[shard.rows()][dim];
            for (int i = 0; i < rows.length; i++) System.arraycopy(values, i * dim, rows[i], 0, dim);
            NpyShardWriter.writeShard(NpyShardWriter.shard(Path.of(manifest), shard.index()), rows);
            return new Simulated(shard, Moments.of(rows, dim), simulation.acceptanceRate(), SweepRunner.PROCESS);
        }
    }
}
