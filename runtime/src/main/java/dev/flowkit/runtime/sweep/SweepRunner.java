package dev.flowkit.runtime.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flowkit.dsl.Sweep;
import dev.flowkit.runtime.Flowkit;
import dev.flowkit.runtime.compiler.SessionOptions;
import dev.flowkit.runtime.run.RunOptions;
import dev.flowkit.runtime.run.TrainingListener;
import dev.flowkit.spec.ExperimentSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Runs a list of experiments in turn, each into OUT/&lt;name&gt;/, and keeps one results table over them (results.json,
 * results.md and a comparison plot per metric, rewritten after every variant so an interrupted sweep keeps its
 * finished rows). With resume, a variant that already finished with the same spec is kept and the others continue
 * from their checkpoints. A variant that fails is recorded as failed and the others still run.
 */
public final class SweepRunner {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Flowkit flowkit;

    public SweepRunner(Flowkit flowkit) {
        this.flowkit = flowkit;
    }

    /** One experiment of a sweep and its label on each axis. */
    public record Variant(ExperimentSpec spec, List<String> coordinates) {}

    /** What to run: the sweep's name, its axes (none for a plain list) and the variants. */
    public record Plan(String name, List<String> axes, List<Variant> variants) {
        /**
         * The plan of [specs]: a {@link Sweep} keeps its axes; any other list is a sweep without axes. Names must be
         * unique (they name the output folders).
         */
        public static Plan of(String name, List<ExperimentSpec> specs) {
            if (specs.isEmpty()) throw new IllegalArgumentException("sweep: no experiments to run");
            Map<String, Long> counts = specs.stream().collect(Collectors.groupingBy(ExperimentSpec::getName, LinkedHashMap::new, Collectors.counting()));
            List<String> twice = counts.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
            if (!twice.isEmpty()) {
                throw new IllegalArgumentException("sweep: every variant needs its own name (it names the output folder); "
                        + twice.stream().map(n -> "'" + n + "' appears " + counts.get(n) + " times").collect(Collectors.joining(", ")));
            }
            List<Variant> variants = new ArrayList<>();
            for (int i = 0; i < specs.size(); i++) {
                variants.add(new Variant(specs.get(i), specs instanceof Sweep sweep ? sweep.coordinates(i) : List.of()));
            }
            return new Plan(specs instanceof Sweep sweep ? sweep.getName() : name, specs instanceof Sweep sweep ? sweep.getAxes() : List.of(), variants);
        }
    }

    /**
     * Where and how: the output folder, resume, TensorFlow threads and progress per variant, a log for status lines,
     * and optional reference values per data dimension (metric → value, shown beside each result).
     */
    public record Options(Path outDir, boolean resume, Function<ExperimentSpec, SessionOptions> session,
                          Function<ExperimentSpec, TrainingListener> listener, PrintStream log, Map<Integer, Map<String, Double>> reference) {
        public static Options to(Path outDir) {
            return new Options(outDir, false, spec -> SessionOptions.DEFAULT, spec -> TrainingListener.SILENT, System.err, Map.of());
        }

        public Options resuming(boolean resume) {
            return new Options(outDir, resume, session, listener, log, reference);
        }

        public Options withSession(Function<ExperimentSpec, SessionOptions> session) {
            return new Options(outDir, resume, session, listener, log, reference);
        }

        public Options withListener(Function<ExperimentSpec, TrainingListener> listener) {
            return new Options(outDir, resume, session, listener, log, reference);
        }

        public Options withReference(Map<Integer, Map<String, Double>> reference) {
            return new Options(outDir, resume, session, listener, log, reference);
        }
    }

    public SweepResults run(Plan plan, Options options) {
        try {
            Files.createDirectories(options.outDir());
            SweepResults results = new SweepResults(plan.name(), plan.axes(), options.reference());
            int n = plan.variants().size();
            for (int i = 0; i < n; i++) {
                Variant variant = plan.variants().get(i);
                ExperimentSpec spec = variant.spec();
                options.log().printf("== [%d/%d] %s ==%n", i + 1, n, spec.getName());
                Path runDir = options.outDir().resolve(spec.getName());
                long start = System.nanoTime();
                try {
                    boolean kept = options.resume() && finished(spec, runDir);
                    if (kept) {
                        options.log().println("finished before with the same spec: kept " + runDir.resolve("metrics.json"));
                    } else {
                        flowkit.run(spec, RunOptions.to(runDir).resuming(options.resume()).withSession(options.session().apply(spec))
                                .withListener(options.listener().apply(spec)));
                    }
                    JsonNode metrics = JSON.readTree(runDir.resolve("metrics.json").toFile());
                    results.add(variant, metrics, kept ? metrics.path("timings").path("totalSeconds").asDouble(Double.NaN) : (System.nanoTime() - start) / 1e9);
                } catch (RuntimeException e) {
                    options.log().println("error in " + spec.getName() + ": " + e.getMessage());
                    results.failed(variant, String.valueOf(e.getMessage()), (System.nanoTime() - start) / 1e9);
                }
                results.write(options.outDir());
            }
            return results;
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the sweep's results in " + options.outDir(), e);
        }
    }

    /** Whether [runDir] holds the metrics of a completed run of exactly [spec]. */
    private boolean finished(ExperimentSpec spec, Path runDir) throws IOException {
        Path metrics = runDir.resolve("metrics.json");
        Path written = runDir.resolve("spec.json");
        if (!Files.exists(metrics) || !Files.exists(written)) return false;
        try {
            return flowkit.specJson().decodeRecorded(Files.readString(written)).withDefaults().equals(spec.withDefaults());
        } catch (RuntimeException e) {
            return false; // a spec this version cannot read is not the same spec
        }
    }
}
