package dev.flowkit.cli;

import dev.flowkit.runtime.Flowkit;
import dev.flowkit.runtime.distributions.Distribution;
import dev.flowkit.runtime.distributions.LangevinDistribution;
import dev.flowkit.spark.ShardedSimulation;
import dev.flowkit.spec.ExperimentSpec;
import dev.flowkit.spec.LangevinData;
import dev.flowkit.spec.SpecNames;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "Simulate the Langevin chains of a Gibbs experiment's data (langevin(…)) into its data.save, without training; "
                + "./flowkit run of the same spec then reads them back. With --master each shard of chains is a Spark task and "
                + "data.save must name a manifest (.json) for the shards.")
final class SimulateCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "an experiment (.json or .flowkit.kts) whose data is langevin(…) with save = …")
    Path file;

    @Option(names = "--shard-chains", paramLabel = "N", description = "with --master: chains per shard, a multiple of the simulation's chunk "
            + "(2²⁴ values / dimension; default: one chunk per shard)")
    Integer shardChains;

    @Option(names = "--threads", paramLabel = "N", description = "with --master: spark.task.cpus (default 1)")
    Integer threads;

    @Mixin
    ClusterOptions cluster = new ClusterOptions();

    @Override
    public Integer call() throws Exception {
        Flowkit flowkit = Flowkit.create();
        ExperimentSpec spec = SpecFile.read(flowkit, file);
        if (spec == null) return 2;
        if (!(spec.getData() instanceof LangevinData data)) {
            throw new IllegalArgumentException("data: simulate needs langevin(…) data, was " + SpecNames.INSTANCE.of(spec.getData()));
        }
        if (data.getSave() == null) throw new IllegalArgumentException("data.save: simulate writes the chains there; name a file (.npy, or .json for shards)");
        long start = System.nanoTime();
        int chains = data.getSamples() + data.getReference();
        if (!cluster.onSpark()) {
            if (shardChains != null) throw new IllegalArgumentException("--shard-chains: only with --master (a simulation split into shards on Spark)");
            Distribution init = flowkit.components().resolve(data.getInitOrDefault(), Distribution.class);
            LangevinDistribution chainsRead = new LangevinDistribution(data, init);
            System.out.printf(Locale.ROOT, "%s: %d chains %s -> %s%n", spec.getName(), chains, chainsRead.simulationSeconds() == 0
                    ? "read back (simulated before for this spec)" : String.format(Locale.ROOT, "simulated in %.1f s", chainsRead.simulationSeconds()),
                    data.getSave());
            return 0;
        }
        ShardedSimulation.Result result;
        try (JavaSparkContext context = cluster.connect("flowkit simulate " + spec.getName(), threads);
             ProgressBar bar = ClusterOptions.shardsBar()) {
            result = ShardedSimulation.simulate(context, data, shardChains != null ? shardChains : 0, ClusterOptions.shardsProgress(bar));
        }
        System.out.printf(Locale.ROOT, "%s: %d chains in %d shards on %d executor processes in %.1f s%s -> %s%n", spec.getName(), result.chains(),
                result.shards(), result.processes().size(), (System.nanoTime() - start) / 1e9,
                Double.isNaN(result.acceptance()) ? "" : String.format(Locale.ROOT, ", MALA acceptance %.3f", result.acceptance()), result.manifest());
        return 0;
    }
}
