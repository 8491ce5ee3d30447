package dev.flowkit.cli;

import dev.flowkit.runtime.TrainedModel;
import dev.flowkit.runtime.output.ImageGrids;
import dev.flowkit.runtime.output.Npy;
import dev.flowkit.runtime.output.Plots;
import dev.flowkit.spark.ShardedSampling;
import dev.flowkit.spec.ExperimentSpec;
import dev.flowkit.spec.SpecNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "sample", mixinStandardHelpOptions = true,
        description = "Sample a trained model from its run folder (no training): FILE.npy, FILE.png beside it, and for labelled models "
                + "FILE-labels.npy. With the run's seed and count (the defaults) this reproduces the run's samples.npy.")
final class SampleCommand implements Callable<Integer> {
    @Mixin
    TrainedRun run;

    @Option(names = "--count", paramLabel = "N", description = "number of samples (default: the run's sample.count, or one per --labels)")
    Integer count;

    @Option(names = "--labels", split = ",", paramLabel = "K", description = "classes to sample, in turn (labelled models; default: as the run's sample section)")
    int[] labels;

    @Option(names = "--guidance", paramLabel = "W", description = "classifier-free guidance scale w (labelled models; default: the run's first)")
    Double guidance;

    @Option(names = "--seed", paramLabel = "S", description = "random seed (default: the run's)")
    Long seed;

    @Option(names = "--out", paramLabel = "FILE.npy|DIR", description = "output file (default: RUN_DIR/sampled.npy); with --master a folder "
            + "for the shards and their manifest samples.json (default: RUN_DIR/sampled/)")
    Path out;

    @Option(names = "--shard-rows", paramLabel = "N", description = "with --master: rows per shard, a multiple of the model's sampling chunk "
            + "(10 000 points or 100 images; default: about four shards per executor slot)")
    Integer shardRows;

    @Mixin
    ClusterOptions cluster = new ClusterOptions();

    @Override
    public Integer call() throws Exception {
        if (cluster.onSpark()) return sampleOnSpark();
        if (shardRows != null) throw new IllegalArgumentException("--shard-rows: only with --master (a draw split into shards on Spark)");
        try (TrainedRun.Loaded loaded = run.load()) {
            TrainedModel model = loaded.model();
            ExperimentSpec spec = model.spec();
            boolean labelled = model.classes() > 0;
            if (!labelled && labels != null) throw new IllegalArgumentException("--labels: the model in " + run.runDir + " is unconditional (its data has no classes)");
            if (!labelled && guidance != null) throw new IllegalArgumentException("--guidance: the model in " + run.runDir + " is unconditional; guidance needs labels");
            int n = count != null ? count : labels != null ? labels.length : spec.getSample().getCount();
            if (n < 1 || n > 10_000_000) throw new IllegalArgumentException("--count: must be between 1 and 10000000, was " + n);
            long s = seed != null ? seed : spec.getSeed();
            double w = guidance != null ? guidance : spec.getGuidanceScales().isEmpty() ? 1.0 : spec.getGuidanceScales().get(0);
            int[] requested = !labelled ? null : labels != null ? repeat(labels, n) : model.labels(n, s);
            Path file = out != null ? out : run.runDir.resolve("sampled.npy");
            if (!file.getFileName().toString().endsWith(".npy")) throw new IllegalArgumentException("--out: must name a .npy file, was " + file);

            float[][] samples;
            long start = System.nanoTime();
            // the model samples in chunks (100 images or 10 000 points per graph execution): the bar moves after each
            try (ProgressBar bar = new ProgressBarBuilder().setTaskName("sampling").setInitialMax(n).setUnit(" samples", 1)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).build()) {
                samples = labelled ? model.sample(requested, w, s, bar::stepTo) : model.sample(n, s, bar::stepTo);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Npy.write(file, samples);
            String stem = file.getFileName().toString().replaceAll("\\.npy$", "");
            if (labelled) Npy.write(file.resolveSibling(stem + "-labels.npy"), requested);
            Path png = file.resolveSibling(stem + ".png");
            String title = spec.getName() + ": " + n + " samples by " + SpecNames.INSTANCE.of(model.sampler()) + (labelled ? ", guidance w = " + w : "");
            if (figure(model, spec, samples, requested, png, title)) System.err.println("figure: " + png);
            System.out.printf(Locale.ROOT, "%s: %d samples (checkpoint at step %d of %d) in %.2f s -> %s%n", spec.getName(), n, model.step(),
                    spec.getTrain().getSteps(), seconds, file);
            return 0;
        }
    }

    /** The draw split into shards, one Spark task each: the shards and their manifest in --out, with progress per shard. */
    private int sampleOnSpark() throws Exception {
        ExperimentSpec spec = run.recordedSpec();
        long n = count != null ? count : labels != null ? labels.length : spec.getSample().getCount();
        if (n < 1) throw new IllegalArgumentException("--count: must be >= 1, was " + n);
        Path dir = out != null ? out : run.runDir.resolve("sampled");
        if (dir.getFileName().toString().endsWith(".npy")) throw new IllegalArgumentException("--out: with --master, a folder for the shards, was " + dir);
        ShardedSampling.Request request = ShardedSampling.Request.of(n, seed != null ? seed : spec.getSeed())
                .withGuidance(guidance, labels).withSampler(run.sampler).withShardRows(shardRows != null ? shardRows : 0);
        long start = System.nanoTime();
        ShardedSampling.Result result;
        try (JavaSparkContext context = cluster.connect("flowkit sample " + run.runDir.getFileName(), run.threads);
             ProgressBar bar = ClusterOptions.shardsBar()) {
            result = ShardedSampling.sample(context, run.runDir, request, dir, ClusterOptions.shardsProgress(bar));
        }
        System.out.printf(Locale.ROOT, "%s: %d samples in %d shards on %d executor processes in %.1f s -> %s%n", spec.getName(), result.rows(),
                result.shards(), result.processes().size(), (System.nanoTime() - start) / 1e9, result.samples());
        return 0;
    }

    private static int[] repeat(int[] labels, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = labels[i % labels.length];
        return out;
    }

    /** An image grid (one row per class for labelled models) or a scatter of the first two coordinates; false when neither fits. */
    private static boolean figure(TrainedModel model, ExperimentSpec spec, float[][] samples, int[] labels, Path png, String title) throws Exception {
        List<Integer> image = model.imageShape();
        if (image != null) {
            double[] range = ImageGrids.displayRange(spec.getData(), samples);
            ImageGrids.Layout layout = new ImageGrids.Layout(image.get(0), image.get(1), image.get(2), range[0], range[1]);
            float[][] cells = labels != null ? ImageGrids.byClass(samples, labels, model.classes(), 10) : Arrays.copyOf(samples, Math.min(64, samples.length));
            ImageGrids.panels(png, title, layout, List.of(labels != null ? "classes 0 … " + (model.classes() - 1) + " (rows)" : "samples"),
                    List.<float[][]>of(cells), labels != null ? 10 : 8);
            return true;
        }
        if (model.dim() < 2) return false;
        Plots.samples(png, title, samples);
        return true;
    }
}
