package dev.flowkit.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flowkit.dsl.Experiments;
import dev.flowkit.runtime.Flowkit;
import dev.flowkit.runtime.distributions.GaussianMixtureDistribution;
import dev.flowkit.runtime.potentials.LangevinSimulation;
import dev.flowkit.runtime.potentials.Potential;
import dev.flowkit.spec.Gaussian;
import dev.flowkit.spec.LangevinIntegrator;
import dev.flowkit.spec.Phi4Chain;
import dev.flowkit.runtime.compiler.CompiledExperiment;
import dev.flowkit.runtime.compiler.SessionOptions;
import dev.flowkit.runtime.compiler.Streams;
import dev.flowkit.spec.Activation;
import dev.flowkit.spec.ExperimentSpec;
import dev.flowkit.spec.Prediction;
import dev.flowkit.spec.Unet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.TensorFlow;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "Measure training and sampling speed; prints one JSON line per figure (medians).")
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--repeats", defaultValue = "7", description = "timed repetitions per figure (default: ${DEFAULT-VALUE})")
    int repeats;

    @Option(names = "--threads", defaultValue = "1", description = "TensorFlow intra-op threads (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--blocks", paramLabel = "N", description = "row blocks of each batch, one inter-op thread each (default: every core, as ./flowkit run)")
    Integer blocks;

    @Option(names = "--graph-optimizer", description = "let TensorFlow's Grappler optimize the graphs (off by default: slow on unrolled sampling graphs, no gain measured)")
    boolean graphOptimizer;

    @Option(names = "--only", split = ",", paramLabel = "GROUP",
            description = "run only these groups: mlp (2D training, sampling, likelihood), sde (VP reverse SDE, dopri5), unet, langevin, "
                    + "peak (TensorFlow's matrix-multiply rate on this machine, the yardstick for the others) (default: all)")
    java.util.Set<String> only;

    @Option(names = "--profile", description = "also print, per training figure, for the 2D sampling graph and for a call of 10 Langevin steps, where one traced execution's kernel time goes (by op type)")
    boolean profile;

    @Option(names = "--compare", description = "also run the PyTorch references of --peer (Debian's python3 with torch) in this invocation, each "
            + "group's right after it, and print each paired figure with the peer's value and the ratio (Flowkit's speed over PyTorch's)")
    boolean compare;

    @Option(names = "--rounds", defaultValue = "1", paramLabel = "N",
            description = "with --compare: measure Flowkit and the peers N times, alternating, and also print each paired figure's "
                    + "median ratio over the rounds, so that a slow stretch of a shared machine falls on both sides (default: ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--peer", paramLabel = "DIR", defaultValue = "../shared/peer", description = "the PyTorch references (default: ${DEFAULT-VALUE})")
    java.nio.file.Path peer;

    @Option(names = "--peer-threads", split = ",", paramLabel = "N", defaultValue = "1,2",
            description = "torch thread counts to try; the best counts (default: ${DEFAULT-VALUE})")
    List<Integer> peerThreads;

    /** The figures of the group just measured, for --compare. */
    private final Map<String, Double> figures = new LinkedHashMap<>();
    private final Map<String, String> units = new LinkedHashMap<>();

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One JSON line: the traced step's kernel microseconds by op type (the 12 largest, the rest summed). */
    private void printProfile(String name, CompiledExperiment experiment) throws Exception {
        if (!profile) return;
        experiment.profileTrainStep(); // the first traced call pays for tracing set-up
        printProfile(name, experiment.profileTrainStep());
    }

    /** The same for one traced sampling run of {@code count} points. */
    private void printSamplingProfile(String name, CompiledExperiment experiment, int count) throws Exception {
        if (!profile) return;
        experiment.profileSample(count, Streams.SAMPLES);
        var p = experiment.profileSample(count, Streams.SAMPLES + 1);
        if (p.isPresent()) printProfile(name, p.get());
    }

    private void printProfile(String name, dev.flowkit.runtime.compiler.StepProfile p) throws Exception {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("profile", name);
        line.put("wallMicros", p.wallMicros());
        long total = p.microsByOpType().values().stream().mapToLong(Long::longValue).sum();
        line.put("kernelMicros", total);
        Map<String, Long> top = new LinkedHashMap<>();
        long rest = 0;
        for (Map.Entry<String, Long> e : p.microsByOpType().entrySet()) {
            if (top.size() < 12) top.put(e.getKey(), e.getValue()); else rest += e.getValue();
        }
        top.put("other", rest);
        line.put("byOpType", top);
        System.out.println(JSON.writeValueAsString(line));
    }

    private boolean runs(String group) {
        return only == null || only.contains(group);
    }

    @Override
    public Integer call() throws Exception {
        if (rounds < 1) throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--rounds: must be at least 1, got " + rounds);
        PeerComparison peers = compare ? new PeerComparison(peer, peerThreads) : null;
        String unavailable = peers == null ? null : peers.unavailable();
        Map<String, List<Double>> ratios = new LinkedHashMap<>();
        int total = compare && unavailable == null ? rounds : 1;
        Map<String, Callable<Void>> groups = new LinkedHashMap<>();
        groups.put("mlp", () -> { mlp(); return null; });
        groups.put("sde", () -> { sde(); return null; });
        groups.put("unet", () -> { unet(); return null; });
        groups.put("langevin", () -> { langevin(); return null; });
        groups.put("peak", () -> { peak(); return null; });
        for (int round = 1; round <= total; round++) {
            if (total > 1) System.out.println(JSON.writeValueAsString(Map.of("round", round, "of", total)));
            for (Map.Entry<String, Callable<Void>> group : groups.entrySet()) {
                if (!runs(group.getKey())) continue;
                figures.clear();
                group.getValue().call();
                // each group's peer right after it: a paired figure's two sides a minute apart, not the whole bench
                if (compare && unavailable == null) peers.compare(figures, units).forEach((figure, ratio) -> ratios.computeIfAbsent(figure, f -> new ArrayList<>()).add(ratio));
            }
        }
        if (unavailable != null) System.out.println(JSON.writeValueAsString(Map.of("compare", "skipped", "reason", unavailable)));
        if (total > 1) {
            for (Map.Entry<String, List<Double>> e : ratios.entrySet()) {
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("compare_median", e.getKey());
                line.put("ratio", Math.round(median(e.getValue().stream().mapToDouble(Double::doubleValue).toArray()) * 100) / 100.0);
                line.put("rounds", e.getValue());
                System.out.println(JSON.writeValueAsString(line));
            }
        }
        return 0;
    }

    private void mlp() throws Exception {
        ExperimentSpec spec = Experiments.experiment("bench", e -> {
            e.setSeed(1);
            e.data(d -> d.moons());
            e.network(n -> n.mlp(List.of(64, 64, 64, 64), Activation.SILU));
            e.train(t -> t.setBatchSize(1000));
            e.sample(s -> { s.euler(100); s.setCount(2000); });
            e.evaluate(v -> v.likelihood(v.dopri5(1e-5, 1e-5, 10_000), v.exact(), 10_000, 0));
        });
        try (CompiledExperiment experiment = Flowkit.create().compile(spec, new SessionOptions(threads, interOp(), graphOptimizer))) {
            int stepsPerRound = 300;
            for (int i = 0; i < 100; i++) experiment.trainStep(false); // warm-up: graph optimization, allocator
            double[] rates = new double[repeats];
            for (int r = 0; r < repeats; r++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < stepsPerRound; i++) experiment.trainStep(false);
                rates[r] = stepsPerRound / ((System.nanoTime() - t0) / 1e9);
            }
            print("train_steps_per_s", median(rates), "steps/s",
                    "2D flow matching, MLP 3→64×4→2 (SiLU), batch 1000, Adam; one session call per step");
            // forward 2·MACs per point, backward twice that (input and weight gradients)
            print("train_2d_gflop_per_s", median(rates) * 6.0 * MLP_MACS * 1000 / 1e9, "GFLOP/s",
                    "the same in matrix-multiply work (" + MLP_MACS + " multiply-adds per point and layer pass), against bench peak");
            printProfile("train_2d", experiment);

            SampleTiming timing = sampleMillis(experiment);
            double ms = timing.medianMillis();
            print("sample_2000x100_euler_ms", ms, "ms", "2000 points × 100 Euler steps, whole trajectory in one graph execution");
            print("sample_point_steps_per_s", 2000 * 100 / (ms / 1000), "point-steps/s", "the same, as throughput");
            print("sample_2000x100_euler_first_ms", timing.firstMillis(), "ms", "the same graph's first run: building, session set-up, graph optimization");
            printSamplingProfile("sample_2000x100_euler", experiment, 2000);
            print("sample_2d_gflop_per_s", 2.0 * MLP_MACS * 2000 * 100 / (ms / 1000) / 1e9, "GFLOP/s", "the same in matrix-multiply work, against bench peak");

            // exact log-likelihood of 10 000 held-out points with the (partly) trained model above
            float[][] heldOut = experiment.data(10_000, Streams.EVAL_DATA);
            experiment.evaluateModel(java.util.Arrays.copyOf(heldOut, 100), null); // warm-up
            double[] seconds = new double[Math.min(repeats, 3)];
            double nfe = 0;
            for (int r = 0; r < seconds.length; r++) {
                long t0 = System.nanoTime();
                nfe = experiment.evaluateModel(heldOut, null).get("likelihoodNfe");
                seconds[r] = (System.nanoTime() - t0) / 1e9;
            }
            double perThousand = median(seconds) / 10;
            print("likelihood_exact_s_per_1000_points", perThousand, "s",
                    "log-likelihood of 10 000 2D points, exact divergence, dopri5 rtol = atol = 1e-5 (" + (long) nfe
                            + " evaluations), augmented ODE solved for all points at once; median of " + seconds.length);
        }
    }

    /** Stochastic and adaptive sampling of a VP score model (noise-predicting MLP; untrained: speed only). */
    private void sde() throws Exception {
        for (String sampler : List.of("sde", "dopri5")) {
            ExperimentSpec vp = Experiments.experiment("bench-" + sampler, e -> {
                e.setSeed(1);
                e.data(d -> d.moons());
                e.path(p -> p.gaussian(p.vp()));
                e.network(n -> n.mlp(List.of(64, 64, 64, 64), Activation.SILU, Prediction.NOISE));
                e.train(t -> t.scoreMatching());
                e.sample(s -> {
                    if (sampler.equals("sde")) s.eulerMaruyama(100); else s.dopri5(1e-4, 1e-4);
                    s.setCount(2000);
                });
            });
            try (CompiledExperiment experiment = Flowkit.create().compile(vp, new SessionOptions(threads, interOp(), graphOptimizer))) {
                double ms = sampleMillis(experiment).medianMillis();
                if (sampler.equals("sde")) {
                    print("sample_2000x100_reverse_sde_ms", ms, "ms",
                            "2000 points × 100 Euler–Maruyama steps of the VP reverse SDE (noise network → velocity + score), one graph execution");
                } else {
                    long nfe = experiment.sample(0, 2000, Streams.SAMPLES, false).functionEvaluations();
                    print("sample_2000_dopri5_ms", ms, "ms", "2000 points, VP probability-flow ODE, dopri5 rtol = atol = 1e-4 ("
                            + nfe + " evaluations; host loop around a compiled step)");
                    print("dopri5_evaluations_per_s", nfe / (ms / 1000), "evaluations/s", "the same, as network evaluations of the batch per second");
                }
            }
        }
    }

    private int interOp() {
        if (blocks != null && blocks < 1) throw new IllegalArgumentException("--blocks: must be at least 1, got " + blocks);
        return blocks != null ? blocks : Runtime.getRuntime().availableProcessors();
    }

    /** Multiply-adds per point of one pass through the bench's MLP 3→64×4→2. */
    private static final long MLP_MACS = 3 * 64 + 3 * 64 * 64 + 64 * 2;

    /**
     * Multiply-adds of one pass of a U-Net without residual blocks or attention (the ScoreNet) per [height]×[width]×[colours]
     * image: the encoder's 3×3 convolutions (9·in·out per output pixel), the decoder's transposed ones (9·in·out per
     * input pixel: every input pixel meets every tap once), the time embedding's dense layer and one dense layer per
     * block onto its channels. GroupNorm, activations and the sampler's update are left out (a few per cent).
     */
    static long unetMacs(Unet unet, int height, int width, int colours) {
        if (unet.getBlocks() != 0 || !unet.getAttention().isEmpty()) throw new IllegalArgumentException("counted for U-Nets without residual blocks or attention");
        List<Integer> channels = unet.getChannels();
        List<kotlin.Pair<Integer, Integer>> sizes = unet.sizes(height, width);
        int levels = channels.size();
        long e = unet.getEmbedding();
        long macs = e * e;
        for (int l = 0; l < levels; l++) {
            long pixels = (long) sizes.get(l).getFirst() * sizes.get(l).getSecond();
            macs += pixels * 9L * (l == 0 ? colours : channels.get(l - 1)) * channels.get(l) + e * channels.get(l);
        }
        for (int l = levels - 2; l >= 0; l--) {
            long inputPixels = (long) sizes.get(l + 1).getFirst() * sizes.get(l + 1).getSecond();
            long in = l == levels - 2 ? channels.get(l + 1) : 2L * channels.get(l + 1);
            macs += inputPixels * 9L * in * channels.get(l) + e * channels.get(l);
        }
        long top = (long) sizes.get(0).getFirst() * sizes.get(0).getSecond();
        return macs + top * 9L * (levels == 1 ? channels.get(0) : 2L * channels.get(0)) * colours;
    }

    /**
     * What TensorFlow's matrix multiply reaches on this machine, the yardstick for the figures above: a chain of
     * products x ← x W / √k in one graph execution, at 1024 × 1024 × 1024 (large enough to run near the kernels' best)
     * and at the 2D MLP's shape, 2000 × 64 × 64, on one thread and on all cores.
     */
    private void peak() throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        for (int[] shape : new int[][] {{1024, 1024, 20}, {2000, 64, 400}}) {
            for (int threadCount : cores > 1 ? new int[] {1, cores} : new int[] {1}) {
                int rows = shape[0], k = shape[1], chain = shape[2];
                try (Graph graph = new Graph();
                     Session session = new Session(graph, new SessionOptions(threadCount, 1).toConfig())) {
                    Ops tf = Ops.create(graph);
                    // fed, not constant: the session's own constant folding would otherwise compute the chain once, at set-up
                    var x0 = tf.placeholder(TFloat32.class);
                    var w = tf.placeholder(TFloat32.class);
                    Operand<TFloat32> x = x0;
                    for (int i = 0; i < chain; i++) x = tf.linalg.matMul(x, w);
                    var out = tf.reduceSum(x, tf.constant(new int[] {0, 1}));
                    java.util.Random random = new java.util.Random(1);
                    float[][] start = new float[rows][k];
                    float[][] weights = new float[k][k];
                    for (float[] row : start) for (int j = 0; j < k; j++) row[j] = (float) random.nextGaussian();
                    for (float[] row : weights) for (int j = 0; j < k; j++) row[j] = (float) (random.nextGaussian() / Math.sqrt(k));
                    double[] seconds = new double[repeats];
                    try (var xt = TFloat32.tensorOf(StdArrays.ndCopyOf(start));
                         var wt = TFloat32.tensorOf(StdArrays.ndCopyOf(weights))) {
                        session.runner().feed(x0, xt).feed(w, wt).fetch(out).run().close(); // warm-up
                        for (int r = 0; r < repeats; r++) {
                            long t0 = System.nanoTime();
                            session.runner().feed(x0, xt).feed(w, wt).fetch(out).run().close();
                            seconds[r] = (System.nanoTime() - t0) / 1e9;
                        }
                    }
                    String name = "matmul_" + rows + "x" + k + "x" + k + "_threads" + threadCount + "_gflop_per_s";
                    print(name, 2.0 * rows * k * k * chain / median(seconds) / 1e9, "GFLOP/s", "TensorFlow MatMul [" + rows + ", " + k + "] × [" + k + ", " + k
                            + "], a chain of " + chain + " in one graph execution, " + threadCount + " intra-op thread(s)", threadCount);
                }
            }
        }
    }

    /** Langevin simulation of the φ⁴ chain (d = 64), both integrators: site updates per second. */
    private void langevin() throws Exception {
        for (LangevinIntegrator integrator : List.of(LangevinIntegrator.EULER, LangevinIntegrator.SEMI_IMPLICIT)) {
            Phi4Chain chain = new Phi4Chain(64, 0.03, null, 0.0);
            LangevinSimulation simulation = new LangevinSimulation(new Potential(chain),
                    new GaussianMixtureDistribution(new Gaussian(64, List.of(), 0.3)), 8.0, 1e-3, 200, integrator, false);
            simulation.run(2000, 0); // warm-up
            double[] rates = new double[repeats]; // ~0.5 s each: as many as the other figures, for a median the machine's noise moves less
            for (int r = 0; r < rates.length; r++) {
                long t0 = System.nanoTime();
                simulation.run(20_000, r + 1);
                rates[r] = 20_000.0 * 64 * 200 / ((System.nanoTime() - t0) / 1e9);
            }
            print("langevin_phi4_d64_" + integrator.name().toLowerCase(java.util.Locale.ROOT) + "_site_steps_per_s", median(rates), "site-steps/s",
                    "Langevin simulation of the φ⁴ chain (d = 64), 20 000 chains × 200 steps, " + integrator.name().toLowerCase(java.util.Locale.ROOT)
                            + ", all cores; median of " + rates.length);
            if (profile) printProfile("langevin_phi4_d64_" + integrator.name().toLowerCase(java.util.Locale.ROOT) + "_call_of_10_steps",
                    simulation.profileCall(20_000));
        }
    }

    /**
     * The score-SDE tutorial's ScoreNet on 28×28 images (random bytes: speed only): training images/s at batch 32 and
     * 128 (denoising score matching, Adam, EMA), and Euler–Maruyama sampling image-steps/s at batch 64 (20 steps, one
     * graph execution), all cores — the work of ../shared/peer/unet_mnist.py --mode bench.
     */
    private void unet() throws Exception {
        java.nio.file.Path images = java.nio.file.Files.createTempFile("flowkit-bench-images", ".npy");
        try {
            byte[] pixels = new byte[512 * 784];
            new java.util.Random(1).nextBytes(pixels);
            dev.flowkit.runtime.output.Npy.writeBytes(images, new int[] {512, 28, 28, 1}, pixels);
            for (int batch : new int[] {32, 128}) {
                ExperimentSpec spec = scoreNet(images, batch);
                try (CompiledExperiment experiment = Flowkit.create().compile(spec, new SessionOptions(threads, interOp(), graphOptimizer))) {
                    for (int i = 0; i < 5; i++) experiment.trainStep(false);
                    double[] rates = new double[repeats];
                    for (int r = 0; r < repeats; r++) {
                        long t0 = System.nanoTime();
                        for (int i = 0; i < 10; i++) experiment.trainStep(false);
                        rates[r] = 10.0 * batch / ((System.nanoTime() - t0) / 1e9);
                    }
                    printProfile("unet_train_batch" + batch, experiment);
                    print("unet_train_images_per_s_batch" + batch, median(rates), "images/s", "the score-SDE tutorial's ScoreNet (1,115,297 "
                            + "parameters) on 28×28 images, denoising score matching, Adam, EMA, batch " + batch + ", one session call per step, "
                            + interOp() + " row blocks, one intra-op thread each", interOp());
                    // forward, and twice that backward (gradients of the inputs and of the weights)
                    print("unet_train_gflop_per_s_batch" + batch, median(rates) * 6.0 * SCORE_NET_MACS / 1e9, "GFLOP/s", "the same in "
                            + "multiply-add work (" + SCORE_NET_MACS + " per image and pass), against bench peak", interOp());
                }
            }
            ExperimentSpec spec = scoreNet(images, 32);
            try (CompiledExperiment experiment = Flowkit.create().compile(spec, new SessionOptions(threads, interOp(), graphOptimizer))) {
                int timed = Math.min(repeats, 5);
                SampleTiming timing = sampleMillis(experiment, 64, timed);
                double imageSteps = 64 * 20 / (timing.medianMillis() / 1000);
                print("unet_em_image_steps_per_s", imageSteps, "image-steps/s", "ScoreNet, 64 images × 20 Euler–Maruyama "
                        + "steps of the reverse SDE in one graph execution, " + interOp() + " row blocks, one intra-op thread each; median of " + timed, interOp());
                print("unet_em_gflop_per_s", imageSteps * 2.0 * SCORE_NET_MACS / 1e9, "GFLOP/s",
                        "the same in multiply-add work (" + SCORE_NET_MACS + " per image-step), against bench peak", interOp());
                print("unet_em_64x20_first_ms", timing.firstMillis(), "ms", "the same graph's first run: building, session set-up, graph optimization", interOp());
                printSamplingProfile("unet_em_64x20", experiment, 64);
            }
        } finally {
            java.nio.file.Files.deleteIfExists(images);
        }
    }

    /** The ScoreNet's multiply-adds per 28×28 image and pass. */
    private static final long SCORE_NET_MACS = unetMacs(Unet.scoreNet(), 28, 28, 1);

    private static ExperimentSpec scoreNet(java.nio.file.Path images, int batch) {
        return Experiments.experiment("bench-unet", e -> {
            e.setSeed(1);
            e.data(d -> d.dataset(images.toString(), 0.25, d.quantization(8, 0.0, 1.0)));
            e.path(p -> p.gaussian(p.exponentialVe(25.0)));
            e.network(n -> n.scoreNet());
            e.train(t -> { t.scoreMatching(dev.flowkit.spec.Weighting.NOISE_VARIANCE, 0.99999); t.setBatchSize(batch); t.adam(1e-4); t.ema(0.999); });
            e.sample(s -> { s.eulerMaruyama(20); s.setCount(64); s.setRecordEvery(20); });
            e.evaluate(v -> v.meanCovError());
        });
    }

    /** One sampling graph's first run (building, session set-up, graph optimization included) and the median after it. */
    private record SampleTiming(double firstMillis, double medianMillis) {}

    /** Wall times of one batch of 2000 samples: the first (warm-up) run, and the median of the repeats after it. */
    private SampleTiming sampleMillis(CompiledExperiment experiment) {
        return sampleMillis(experiment, 2000, repeats);
    }

    /** The same for [count] samples and [timed] repeats. */
    private SampleTiming sampleMillis(CompiledExperiment experiment, int count, int timed) {
        long start = System.nanoTime();
        experiment.sample(count, Streams.SAMPLES); // warm-up: graph optimization
        double first = (System.nanoTime() - start) / 1e6;
        double[] millis = new double[timed];
        for (int r = 0; r < timed; r++) {
            long t0 = System.nanoTime();
            experiment.sample(count, Streams.SAMPLES + r);
            millis[r] = (System.nanoTime() - t0) / 1e6;
        }
        return new SampleTiming(first, median(millis));
    }

    private void print(String name, double value, String unit, String what) throws Exception {
        print(name, value, unit, what, threads);
    }

    private void print(String name, double value, String unit, String what, int threadsUsed) throws Exception {
        figures.put(name, value);
        units.put(name, unit);
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("bench", name);
        line.put("median", Math.round(value * 100) / 100.0);
        line.put("unit", unit);
        line.put("repeats", repeats);
        line.put("threads", threadsUsed);
        line.put("graphOptimizer", graphOptimizer);
        line.put("what", what);
        line.put("cpus", Runtime.getRuntime().availableProcessors());
        line.put("tensorflow", TensorFlow.version());
        System.out.println(JSON.writeValueAsString(line));
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
