package dev.flowkit.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowkit.runtime.Flowkit;
import dev.flowkit.runtime.compiler.SessionOptions;
import dev.flowkit.runtime.output.ConsoleProgress;
import dev.flowkit.runtime.run.RunOptions;
import dev.flowkit.spec.ExperimentSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "study", mixinStandardHelpOptions = true,
        description = "Run every experiment (*.json) in a folder, in order of data dimension, and tabulate mean and covariance "
                + "errors against held-out data with their noise floors: results.md and results.json. A published.json in the "
                + "folder ({\"rows\": [{\"d\": 8, \"meanL1\": …, \"meanL2\": …, \"covFrobenius\": …}, …]}) is shown alongside.")
final class StudyCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Parameters(paramLabel = "DIR", description = "folder of experiment specs")
    Path folder;

    @Option(names = "--out", paramLabel = "DIR", description = "output folder (default: out/<folder name>-study/)")
    Path out;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "2", description = "TensorFlow intra-op threads (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--resume", description = "keep experiments already finished with the same spec; continue the others from their checkpoints, if any")
    boolean resume;

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(folder)) {
            System.err.println("error: DIR: no such folder: " + folder);
            return 2;
        }
        Flowkit flowkit = Flowkit.create();
        List<ExperimentSpec> specs = new ArrayList<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json") && !f.getFileName().toString().equals("published.json")).sorted().toList()) {
                ExperimentSpec spec = SpecFile.read(flowkit, file);
                if (spec == null) return 2; // every spec is checked before anything runs
                specs.add(spec);
            }
        }
        if (specs.isEmpty()) {
            System.err.println("error: DIR: " + folder + " holds no experiment (*.json)");
            return 2;
        }
        specs.sort(Comparator.comparingInt(s -> s.getData().getDim()));
        Path dir = out != null ? out : Path.of("out", folder.getFileName() + "-study");
        Files.createDirectories(dir);
        JsonNode published = Files.exists(folder.resolve("published.json")) ? JSON.readTree(folder.resolve("published.json").toFile()) : null;
        ArrayNode rows = JSON.createArrayNode();
        Path resultsFile = dir.resolve("results.json");
        for (ExperimentSpec spec : specs) {
            System.err.printf(Locale.ROOT, "== %s (d = %d) ==%n", spec.getName(), spec.getData().getDim());
            Path runDir = dir.resolve(spec.getName());
            long start = System.nanoTime();
            ObjectNode row = JSON.createObjectNode();
            row.put("d", spec.getData().getDim());
            row.put("name", spec.getName());
            try {
                boolean finished = resume && finished(flowkit, spec, runDir);
                if (finished) {
                    System.err.println("finished before with the same spec: kept " + runDir.resolve("metrics.json"));
                } else {
                    flowkit.run(spec, RunOptions.to(runDir).resuming(resume).withSession(new SessionOptions(threads, 1))
                            .withListener(new ConsoleProgress(spec.getName(), System.err)));
                }
                JsonNode metrics = JSON.readTree(runDir.resolve("metrics.json").toFile());
                JsonNode values = metrics.get("metrics");
                copy(values, "meanL1Error", row, "meanL1");
                copy(values, "meanError", row, "meanL2");
                copy(values, "covError", row, "covFrobenius");
                copy(values, "meanL1ErrorFloor", row, "floorMeanL1");
                copy(values, "meanErrorFloor", row, "floorMeanL2");
                copy(values, "covErrorFloor", row, "floorCovFrobenius");
                JsonNode timings = metrics.get("timings");
                row.put("simulationSeconds", timings.get("prepareSeconds").asDouble());
                row.put("trainingSeconds", timings.get("trainingSeconds").asDouble());
                row.put("samplingSeconds", timings.get("samplingSeconds").asDouble());
                row.put("wallSeconds", finished ? timings.path("totalSeconds").asDouble(Double.NaN) : (System.nanoTime() - start) / 1e9);
            } catch (RuntimeException e) {
                row.put("error", String.valueOf(e.getMessage()));
                row.put("wallSeconds", (System.nanoTime() - start) / 1e9);
                System.err.println("error in " + spec.getName() + ": " + e.getMessage());
            }
            rows.add(row);
            // written after every experiment, so a long study's finished rows survive an interruption
            JSON.writerWithDefaultPrettyPrinter().writeValue(resultsFile.toFile(), rows);
            Files.writeString(dir.resolve("results.md"), markdown(rows, published));
        }
        System.out.println(markdown(rows, published));
        System.out.println("results in " + dir.resolve("results.md") + " and " + dir.resolve("results.json"));
        return 0;
    }

    /** Whether [runDir] holds the metrics of a completed run of exactly [spec]. */
    private static boolean finished(Flowkit flowkit, ExperimentSpec spec, Path runDir) throws IOException {
        Path metrics = runDir.resolve("metrics.json");
        Path written = runDir.resolve("spec.json");
        if (!Files.exists(metrics) || !Files.exists(written)) return false;
        try {
            return flowkit.specJson().decode(Files.readString(written)).withDefaults().equals(spec.withDefaults());
        } catch (RuntimeException e) {
            return false; // a spec this version cannot read is not the same spec
        }
    }

    private static void copy(JsonNode from, String key, ObjectNode to, String as) {
        if (from != null && from.has(key)) to.put(as, from.get(key).asDouble());
    }

    /** The results table: each error with its noise floor, the published value where given, and wall times. */
    static String markdown(ArrayNode rows, JsonNode published) {
        StringBuilder md = new StringBuilder();
        md.append("| d | mean L1 (floor)").append(published != null ? " [published]" : "")
                .append(" | mean L2 (floor)").append(published != null ? " [published]" : "")
                .append(" | cov Frobenius (floor)").append(published != null ? " [published]" : "")
                .append(" | simulation s | training s | sampling s | wall s |\n");
        md.append("|---|---|---|---|---|---|---|---|\n");
        for (JsonNode row : rows) {
            md.append("| ").append(row.get("d").asInt());
            if (row.has("error")) {
                md.append(" | failed: ").append(row.get("error").asText().replace("|", "/").replace("\n", " ")).append(" | | | | | | |\n");
                continue;
            }
            JsonNode reference = published == null ? null : publishedRow(published, row.get("d").asInt());
            for (String[] k : new String[][] {{"meanL1", "floorMeanL1"}, {"meanL2", "floorMeanL2"}, {"covFrobenius", "floorCovFrobenius"}}) {
                md.append(String.format(Locale.ROOT, " | %.4f (%.4f)", row.path(k[0]).asDouble(Double.NaN), row.path(k[1]).asDouble(Double.NaN)));
                if (reference != null && reference.has(k[0])) md.append(String.format(Locale.ROOT, " [%.4f]", reference.get(k[0]).asDouble()));
                else if (published != null) md.append(" [—]");
            }
            md.append(String.format(Locale.ROOT, " | %.0f | %.0f | %.1f | %.0f |%n", row.path("simulationSeconds").asDouble(),
                    row.path("trainingSeconds").asDouble(), row.path("samplingSeconds").asDouble(), row.path("wallSeconds").asDouble()));
        }
        return md.toString();
    }

    private static JsonNode publishedRow(JsonNode published, int d) {
        for (JsonNode r : published.path("rows")) if (r.path("d").asInt() == d) return r;
        return null;
    }
}
