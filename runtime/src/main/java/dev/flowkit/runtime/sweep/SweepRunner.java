package dev.flowkit.runtime.sweep;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flowkit.dsl.Sweep;
import dev.flowkit.runtime.Flowkit;
import dev.flowkit.runtime.compiler.SessionOptions;
import dev.flowkit.runtime.run.RunOptions;
import dev.flowkit.runtime.run.TrainingListener;
import dev.flowkit.spec.ExperimentSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Runs a list of experiments in turn, each into OUT/&lt;name&gt;/, and keeps one results table over them (results.json,
 * results.md and a comparison plot per metric, rewritten after every variant so an interrupted sweep keeps its
 * finished rows). With resume, a variant that already finished with the same spec is kept and the others continue
 * from their checkpoints. A variant that fails is recorded as failed and the others still run.
 */
public final class SweepRunner {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** This JVM, as pid@host: where an outcome came from. */
    public static final String PROCESS = ProcessHandle.current().pid() + "@" + hostName();

    private final Flowkit flowkit;

    public SweepRunner(Flowkit flowkit) {
        this.flowkit = flowkit;
    }

    public Flowkit flowkit() {
        return flowkit;
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

    /**
     * What became of one variant: the text of its metrics.json, or the error that stopped it; its wall seconds (the
     * recorded total of a kept run) and the process it ran in (pid@host).
     */
    public record Outcome(String metricsJson, String error, double seconds, boolean kept, String process) implements Serializable {}

    /**
     * Where the variants run: one after another in this JVM ({@link #IN_TURN}) or elsewhere, e.g. as tasks on a
     * cluster. It starts them all and hands back one outcome per variant, in the plan's order, each waited for
     * when asked.
     */
    public interface Dispatcher {
        List<Supplier<Outcome>> start(SweepRunner runner, Plan plan, Options options);
    }

    /** In this JVM, one variant after another, each when its outcome is asked for. */
    public static final Dispatcher IN_TURN = (runner, plan, options) -> {
        List<Supplier<Outcome>> outcomes = new ArrayList<>();
        int n = plan.variants().size();
        for (int i = 0; i < n; i++) {
            Variant variant = plan.variants().get(i);
            int number = i + 1;
            outcomes.add(() -> {
                options.log().printf("== [%d/%d] %s ==%n", number, n, variant.spec().getName());
                return runner.runOne(variant.spec(), options);
            });
        }
        return outcomes;
    };

    public SweepResults run(Plan plan, Options options) {
        return run(plan, options, IN_TURN);
    }

    /** Runs [plan] through [dispatcher]; results.* are rewritten after each outcome, in the plan's order. */
    public SweepResults run(Plan plan, Options options, Dispatcher dispatcher) {
        try {
            Files.createDirectories(options.outDir());
            SweepResults results = new SweepResults(plan.name(), plan.axes(), options.reference());
            List<Supplier<Outcome>> outcomes = dispatcher.start(this, plan, options);
            for (int i = 0; i < outcomes.size(); i++) {
                Variant variant = plan.variants().get(i);
                Outcome outcome = outcomes.get(i).get();
                if (outcome.error() == null) results.add(variant, JSON.readTree(outcome.metricsJson()), outcome.seconds());
                else results.failed(variant, outcome.error(), outcome.seconds());
                results.write(options.outDir());
            }
            return results;
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the sweep's results in " + options.outDir(), e);
        }
    }

    /**
     * Runs one variant into OUT/&lt;name&gt;/ (or keeps it, resuming, when it finished before with the same spec); an
     * error becomes the outcome, so the other variants still run.
     */
    public Outcome runOne(ExperimentSpec spec, Options options) {
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
            String metrics = Files.readString(runDir.resolve("metrics.json"));
            double seconds = kept ? JSON.readTree(metrics).path("timings").path("totalSeconds").asDouble(Double.NaN) : elapsed(start);
            return new Outcome(metrics, null, seconds, kept, PROCESS);
        } catch (RuntimeException | IOException e) {
            options.log().println("error in " + spec.getName() + ": " + e.getMessage());
            return new Outcome(null, String.valueOf(e.getMessage()), elapsed(start), false, PROCESS);
        }
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    private static double elapsed(long start) {
        return (System.nanoTime() - start) / 1e9;
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
