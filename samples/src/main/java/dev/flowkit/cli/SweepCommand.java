package dev.flowkit.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flowkit.runtime.Flowkit;
import dev.flowkit.runtime.compiler.SessionOptions;
import dev.flowkit.runtime.output.ConsoleProgress;
import dev.flowkit.runtime.sweep.SweepResults;
import dev.flowkit.runtime.sweep.SweepRunner;
import dev.flowkit.spark.SparkSweep;
import dev.flowkit.spec.ExperimentSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = "Run every variant of a sweep in turn — a Kotlin script whose value is a list of experiments (or a sweep { } of "
                + "named axes), or a folder of specs — into OUT/<variant>/, with results.md, results.json and a comparison plot per "
                + "metric (OUT/<metric>.png). Every variant is validated before anything runs.")
final class SweepCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Parameters(paramLabel = "FILE|DIR", description = "a .flowkit.kts script, a .json spec, or a folder of them (a published.json there gives reference values per data dimension)")
    Path source;

    @Option(names = "--out", paramLabel = "DIR", description = "output folder (default: out/<sweep name>/)")
    Path out;

    @Option(names = "--resume", description = "keep variants already finished with the same spec; continue the others from their checkpoints, if any")
    boolean resume;

    @Option(names = "--threads", paramLabel = "N",
            description = "cores to use, one row block of each batch per core (default: every core); with --master, spark.task.cpus (default 1)")
    Integer threads;

    @Mixin
    ClusterOptions cluster = new ClusterOptions();

    @Override
    public Integer call() throws Exception {
        return run(source, out, resume, threads, cluster, "");
    }

    /**
     * Runs the sweep in [source], in turn here or, with --master, each variant as a Spark task; the default output
     * folder is out/<name><suffix>.
     */
    static int run(Path source, Path out, boolean resume, Integer threads, ClusterOptions cluster, String suffix) throws IOException {
        Flowkit flowkit = Flowkit.create();
        List<ExperimentSpec> specs = read(flowkit, source);
        if (specs == null) return 2;
        SweepRunner.Plan plan;
        try {
            plan = SweepRunner.Plan.of(name(source), specs);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
        Path dir = out != null ? out : Path.of("out", plan.name() + suffix);
        SweepRunner.Options options = SweepRunner.Options.to(dir).resuming(resume)
                .withSession(spec -> RunCommand.sessionOptions(threads, false))
                .withListener(spec -> new ConsoleProgress(spec.getName(), System.err))
                .withReference(Files.isDirectory(source) ? reference(source.resolve("published.json")) : Map.of());
        SweepResults results;
        if (cluster.onSpark()) {
            try (JavaSparkContext context = cluster.connect("flowkit sweep " + plan.name(), threads)) {
                results = new SweepRunner(flowkit).run(plan, options, new SparkSweep(context));
            }
        } else {
            results = new SweepRunner(flowkit).run(plan, options);
        }
        System.out.println(results.markdown());
        System.out.println("results in " + dir.resolve("results.md") + " and " + dir.resolve("results.json")
                + "; plots: " + String.join(", ", results.metricNames().stream().map(m -> m + ".png").toList()));
        return results.anyFailed() ? 1 : 0;
    }

    /** The validated experiments of a script, a spec file, or a folder of them (sorted by data dimension, then name); null after printing why not. */
    private static List<ExperimentSpec> read(Flowkit flowkit, Path source) throws IOException {
        if (!Files.exists(source)) {
            System.err.println("error: no such file or folder: " + source);
            return null;
        }
        if (!Files.isDirectory(source)) {
            if (SpecFile.isScript(source)) return SpecFile.readAll(flowkit, source);
            ExperimentSpec spec = SpecFile.read(flowkit, source);
            return spec == null ? null : List.of(spec);
        }
        List<ExperimentSpec> specs = new ArrayList<>();
        boolean valid = true;
        try (Stream<Path> files = Files.list(source)) {
            for (Path file : files.filter(SweepCommand::isSpec).sorted().toList()) {
                List<ExperimentSpec> read = SpecFile.isScript(file) ? SpecFile.readAll(flowkit, file) : single(SpecFile.read(flowkit, file));
                if (read == null) valid = false; // every file is checked before anything runs
                else specs.addAll(read);
            }
        }
        if (!valid) return null;
        if (specs.isEmpty()) {
            System.err.println("error: " + source + " holds no experiment (*.json or *.flowkit.kts)");
            return null;
        }
        specs.sort(Comparator.comparingInt((ExperimentSpec s) -> s.getData().getDim()).thenComparing(ExperimentSpec::getName));
        return specs;
    }

    /** In a folder, the JSON twin wins over a script of the same experiment; published.json is reference data. */
    private static boolean isSpec(Path file) {
        String n = file.getFileName().toString();
        if (n.equals("published.json")) return false;
        if (n.endsWith(".json")) return true;
        return n.endsWith(".flowkit.kts") && !Files.exists(file.resolveSibling(n.replace(".flowkit.kts", ".json")));
    }

    private static List<ExperimentSpec> single(ExperimentSpec spec) {
        return spec == null ? null : List.of(spec);
    }

    private static String name(Path source) {
        String n = source.toAbsolutePath().normalize().getFileName().toString();
        return n.replaceAll("\\.flowkit\\.kts$|\\.kts$|\\.json$", "");
    }

    /** published.json: {"rows": [{"d": 8, "<metric>": value, …}, …]} → d → metric → value. */
    private static Map<Integer, Map<String, Double>> reference(Path file) throws IOException {
        if (!Files.exists(file)) return Map.of();
        Map<Integer, Map<String, Double>> byDim = new HashMap<>();
        for (JsonNode row : JSON.readTree(file.toFile()).path("rows")) {
            Map<String, Double> values = new LinkedHashMap<>();
            row.fields().forEachRemaining(f -> { if (!f.getKey().equals("d") && f.getValue().isNumber()) values.put(f.getKey(), f.getValue().asDouble()); });
            byDim.put(row.path("d").asInt(), values);
        }
        return byDim;
    }
}
