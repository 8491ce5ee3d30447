package dev.flowkit.spark;

import dev.flowkit.runtime.Flowkit;
import dev.flowkit.runtime.compiler.SessionOptions;
import dev.flowkit.runtime.sweep.SweepRunner;
import dev.flowkit.runtime.sweep.SweepRunner.Outcome;
import dev.flowkit.spec.ExperimentSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;

/**
 * Runs each variant of a sweep as one Spark task (its own job, all submitted at once, so variants run side by side
 * as executor slots allow), each with its own TensorFlow graph and session using {@code spark.task.cpus} threads,
 * writing its run folder under the sweep's output folder — a path every executor must share. The driver collects
 * the outcomes in the plan's order into the same results.md / results.json as a sweep in one JVM.
 */
public final class SparkSweep implements SweepRunner.Dispatcher {
    private final JavaSparkContext context;

    public SparkSweep(JavaSparkContext context) {
        this.context = context;
    }

    @Override
    public List<Supplier<Outcome>> start(SweepRunner runner, SweepRunner.Plan plan, SweepRunner.Options options) {
        VariantTask task = new VariantTask(options.outDir().toAbsolutePath().toString(), options.resume());
        List<Supplier<Outcome>> outcomes = new ArrayList<>();
        int n = plan.variants().size();
        for (int i = 0; i < n; i++) {
            ExperimentSpec spec = plan.variants().get(i).spec();
            String label = String.format("[%d/%d] %s", i + 1, n, spec.getName());
            context.setJobDescription("flowkit sweep " + plan.name() + " " + label);
            JavaFutureAction<List<Outcome>> job = context.parallelize(List.of(runner.flowkit().specJson().encode(spec)), 1)
                    .map(task).collectAsync();
            outcomes.add(() -> {
                Outcome outcome = await(job);
                options.log().printf("== %s: %s in %.1f s (%s) ==%n", label,
                        outcome.error() != null ? "failed" : outcome.kept() ? "kept" : "done", outcome.seconds(), outcome.process());
                return outcome;
            });
        }
        return outcomes;
    }

    private static Outcome await(JavaFutureAction<List<Outcome>> job) {
        try {
            return job.get().get(0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(null, "interrupted", Double.NaN, false, "?");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return new Outcome(null, "the Spark task failed: " + cause.getMessage(), Double.NaN, false, "?");
        }
    }

    /** On an executor: decode the spec, run it with the task's cores as TensorFlow threads. */
    private record VariantTask(String outDir, boolean resume) implements Function<String, Outcome> {
        @Override
        public Outcome call(String specJson) {
            Flowkit flowkit = ExecutorFlowkit.INSTANCE;
            ExperimentSpec spec = flowkit.specJson().decodeRecorded(specJson);
            int cpus = TaskContext.get() != null ? TaskContext.get().cpus() : 1;
            SweepRunner.Options options = SweepRunner.Options.to(Path.of(outDir)).resuming(resume)
                    .withSession(s -> SessionOptions.rowBlocks(cpus));
            return new SweepRunner(flowkit).runOne(spec, options);
        }
    }

    /** One Flowkit (its Guice injector) per executor JVM. */
    private static final class ExecutorFlowkit {
        static final Flowkit INSTANCE = Flowkit.create();
    }
}
