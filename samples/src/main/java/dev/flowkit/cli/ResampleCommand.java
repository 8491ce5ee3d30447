package dev.flowkit.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowkit.runtime.Flowkit;
import dev.flowkit.runtime.compiler.SessionOptions;
import dev.flowkit.runtime.output.ConsoleProgress;
import dev.flowkit.runtime.output.Plots;
import dev.flowkit.runtime.run.Checkpoints;
import dev.flowkit.runtime.run.ExperimentRunner;
import dev.flowkit.runtime.run.RunOptions;
import dev.flowkit.spec.ExperimentSpec;
import dev.flowkit.spec.Likelihood;
import dev.flowkit.spec.SamplerSpec;
import dev.flowkit.spec.SpecNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "resample", mixinStandardHelpOptions = true,
        description = "Sample a finished run again with other samplers at given numbers of network evaluations (NFE), from its "
                + "checkpoint (no training), and evaluate the run's sample metrics (e.g. fid) for each: RUN_DIR/resample/<sampler>-<nfe>/, "
                + "results.md, results.json and <metric>-vs-nfe.png in RUN_DIR/resample/.")
final class ResampleCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Parameters(paramLabel = "RUN_DIR", description = "a run folder written by ./flowkit run (spec.json, checkpoint/)")
    Path runDir;

    @Option(names = "--samplers", split = ",", paramLabel = "NAME", defaultValue = "euler,heun,edm-heun,dpm-solver",
            description = "samplers to compare (default: ${DEFAULT-VALUE}; also euler-maruyama and pc, its NFE split between predictor and corrector)")
    List<String> samplers;

    @Option(names = "--nfe", split = ",", paramLabel = "N", defaultValue = "5,10,20,50,100",
            description = "network evaluations per sample (default: ${DEFAULT-VALUE}); heun and edm-heun take the steps that spend about as many")
    List<Integer> nfes;

    @Option(names = "--count", paramLabel = "N", description = "samples per setting (default: the run's sample.count)")
    Integer count;

    @Option(names = "--guidance", split = ",", paramLabel = "W",
            description = "guidance scales of a class-conditional run (default: the run's sample.guidance); the table and plot report the first")
    List<Double> guidance;

    @Override
    public Integer call() throws Exception {
        Path specFile = runDir.resolve("spec.json");
        if (!Files.exists(specFile) || !Files.isDirectory(runDir.resolve("checkpoint"))) {
            System.err.println("error: RUN_DIR: " + runDir + " holds no finished run (spec.json and checkpoint/ from ./flowkit run)");
            return 2;
        }
        for (String name : samplers) {
            if (!Resampling.SAMPLERS.containsKey(name)) {
                System.err.println("error: --samplers: unknown sampler '" + name + "'; allowed: " + String.join(", ", Resampling.SAMPLERS.keySet()));
                return 2;
            }
        }
        for (int n : nfes) {
            if (n < 1 || n > 10_000) {
                System.err.println("error: --nfe: every value must be between 1 and 10000, was " + n);
                return 2;
            }
        }
        Flowkit flowkit = Flowkit.create();
        ExperimentSpec spec = SpecFile.read(flowkit, specFile);
        if (spec == null) return 2;
        List<String> metrics = spec.getEvaluate().stream().filter(m -> !(m instanceof Likelihood)).map(m -> SpecNames.INSTANCE.of(m)).toList();
        if (metrics.isEmpty()) {
            System.err.println("error: RUN_DIR: the run's spec evaluates no sample metric (e.g. fid, wasserstein2); resampling would measure nothing");
            return 2;
        }
        if (guidance != null && !spec.getConditional()) {
            System.err.println("error: --guidance: the run's model is unconditional (its data has no labels); guidance needs a class-conditional run "
                    + "(data.labels, train.labelDropout > 0)");
            return 2;
        }
        List<String> damaged = new ArrayList<>();
        List<Checkpoints.Candidate> intact = new Checkpoints(runDir).intact(damaged::add);
        long saved = intact.isEmpty() ? -1 : intact.get(0).state().step();
        if (saved < spec.getTrain().getSteps()) {
            System.err.println("error: RUN_DIR: the checkpoint in " + runDir + " is at step " + saved + " of " + spec.getTrain().getSteps()
                    + (damaged.isEmpty() ? "" : " (" + String.join("; ", damaged) + ")")
                    + "; resampling never trains: finish the run first (./flowkit run " + specFile + " --out " + runDir + " --resume)");
            return 2;
        }
        Path checkpoint = intact.get(0).folder();
        int n = count != null ? count : spec.getSample().getCount();
        Path dir = runDir.resolve("resample");
        Files.createDirectories(dir);
        // earlier settings stay in the table unless this call measures them again
        Path resultsFile = dir.resolve("results.json");
        ArrayNode rows = JSON.createArrayNode();
        List<Double> runScales = spec.getGuidanceScales();
        Double scale = guidance != null ? guidance.get(0) : runScales.isEmpty() ? null : runScales.get(0); // the scale rows and folders report
        if (Files.exists(resultsFile)) {
            for (JsonNode r : JSON.readTree(resultsFile.toFile())) {
                boolean again = samplers.contains(r.path("sampler").asText()) && nfes.contains(r.path("requestedNfe").asInt())
                        && java.util.Objects.equals(r.has("guidance") ? r.get("guidance").asDouble() : null, scale);
                if (!again) rows.add(r);
            }
        }
        for (String name : samplers) {
            for (int nfe : nfes) {
                SamplerSpec sampler = Resampling.sampler(name, nfe);
                ExperimentSpec variant = Resampling.variant(spec, sampler, n, guidance);
                String tag = scale == null ? "" : "-w" + ExperimentRunner.formatScale(scale);
                Path out = dir.resolve(name + "-" + nfe + tag);
                copyCheckpoint(checkpoint, out.resolve("checkpoint"));
                String label = name + " (" + nfe + " NFE)";
                System.err.println("== " + label + " ==");
                flowkit.run(variant, RunOptions.to(out).resuming(true).withSession(RunCommand.sessionOptions(null, false))
                        .withListener(new ConsoleProgress(label, System.err)));
                JsonNode written = JSON.readTree(out.resolve("metrics.json").toFile());
                ObjectNode row = rows.addObject();
                row.put("sampler", name);
                row.put("requestedNfe", nfe);
                row.put("count", n);
                if (scale != null) row.put("guidance", scale);
                row.put("nfe", written.path("sampling").path("functionEvaluations").asLong());
                row.put("seconds", written.path("sampling").path("seconds").asDouble());
                row.set("metrics", written.path("metrics"));
                Files.writeString(resultsFile, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(rows) + "\n");
            }
        }
        JsonNode reference = Files.exists(runDir.resolve("metrics.json")) ? JSON.readTree(runDir.resolve("metrics.json").toFile()) : null;
        String key = firstMetricKey(rows);
        Files.writeString(dir.resolve("results.md"), markdown(rows, key, spec, reference));
        plot(dir.resolve(key + "-vs-nfe.png"), rows, key, spec, reference);
        System.out.println("results in " + dir.resolve("results.md") + ", " + dir.resolve("results.json") + " and " + dir.resolve(key + "-vs-nfe.png"));
        return 0;
    }

    /** The checkpoint, copied once: each variant resumes from its own copy and writes its own outputs. */
    private static void copyCheckpoint(Path from, Path to) throws IOException {
        if (Files.isDirectory(to)) return;
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The metric that the table and the plot lead with: fid, wasserstein2 or mmd2 when evaluated, else the first reported. */
    private static String firstMetricKey(ArrayNode rows) {
        JsonNode metrics = rows.get(0).path("metrics");
        for (String preferred : List.of("fid", "wasserstein2", "mmd2")) if (metrics.has(preferred)) return preferred;
        var names = metrics.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!name.endsWith("Floor")) return name;
        }
        throw new IllegalStateException("the runs reported no metric");
    }

    private static String markdown(ArrayNode rows, String key, ExperimentSpec spec, JsonNode reference) {
        StringBuilder md = new StringBuilder();
        md.append("# ").append(spec.getName()).append(": ").append(key).append(" against network evaluations\n\n");
        md.append("| sampler | NFE | samples | ").append(key).append(" | floor | ratio | sampling s |\n|---|---|---|---|---|---|---|\n");
        if (reference != null && reference.path("metrics").has(key)) {
            md.append(row(SpecNames.INSTANCE.of(spec.getSample().getSampler()) + " (the run's own)", reference.path("sampling").path("functionEvaluations").asLong(),
                    reference.path("sampling").path("count").asLong(), reference.path("metrics"), key, reference.path("sampling").path("seconds").asDouble()));
        }
        for (JsonNode r : rows) md.append(row(series(r), r.get("nfe").asLong(), r.path("count").asLong(), r.get("metrics"), key, r.get("seconds").asDouble()));
        return md.toString();
    }

    /** A row's sampler, with its guidance scale when it has one. */
    private static String series(JsonNode row) {
        return row.get("sampler").asText() + (row.has("guidance") ? " (w = " + ExperimentRunner.formatScale(row.get("guidance").asDouble()) + ")" : "");
    }

    private static String row(String sampler, long nfe, long count, JsonNode metrics, String key, double seconds) {
        double value = metrics.path(key).asDouble();
        double floor = metrics.path(key + "Floor").asDouble(Double.NaN);
        return String.format(Locale.ROOT, "| %s | %d | %d | %.4g | %.4g | %.2f | %.1f |%n", sampler, nfe, count, value, floor, value / floor, seconds);
    }

    private static void plot(Path file, ArrayNode rows, String key, ExperimentSpec spec, JsonNode reference) throws IOException {
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        for (JsonNode r : rows) {
            series.computeIfAbsent(series(r), s -> new ArrayList<>())
                    .add(new double[] {r.get("nfe").asDouble(), r.get("metrics").path(key).asDouble()});
        }
        // settings measured by separate calls arrive out of order; each line runs left to right
        series.values().forEach(points -> points.sort(java.util.Comparator.comparingDouble(point -> point[0])));
        Double level = reference != null && reference.path("metrics").has(key) ? reference.path("metrics").path(key).asDouble() : null;
        String levelName = level == null ? null : SpecNames.INSTANCE.of(spec.getSample().getSampler()) + ", "
                + reference.path("sampling").path("functionEvaluations").asLong() + " NFE (the run's own)";
        Plots.againstNfe(file, spec.getName() + ": " + key + " against network evaluations", key, series, levelName, level);
    }
}
