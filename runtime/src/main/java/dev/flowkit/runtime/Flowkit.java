package dev.flowkit.runtime;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import dev.flowkit.runtime.compiler.CompiledExperiment;
import dev.flowkit.runtime.compiler.Components;
import dev.flowkit.runtime.compiler.ExperimentCompiler;
import dev.flowkit.runtime.compiler.SessionOptions;
import dev.flowkit.runtime.run.ExperimentRunner;
import dev.flowkit.runtime.run.PathFigure;
import dev.flowkit.runtime.run.RunOptions;
import dev.flowkit.runtime.run.RunResult;
import dev.flowkit.spec.ExperimentSpec;
import dev.flowkit.spec.SpecJson;
import dev.flowkit.spec.SpecTypes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The runtime's front door. Built-in components come from {@link FlowkitModule}; pass your own Guice
 * modules (and, for JSON specs, your spec types) to add components without touching Flowkit.
 */
public final class Flowkit {
    private final Injector injector;
    private final SpecJson specJson;

    private Flowkit(SpecTypes types, List<Module> modules) {
        List<Module> all = new ArrayList<>();
        all.add(new FlowkitModule());
        all.addAll(modules);
        this.injector = Guice.createInjector(all);
        this.specJson = new SpecJson(types);
    }

    /** Built-in components only. */
    public static Flowkit create(Module... userModules) {
        return new Flowkit(SpecTypes.getBuiltIns(), List.of(userModules));
    }

    /** With extra JSON spec types (your components' specs) and the Guice modules that implement them. */
    public static Flowkit create(SpecTypes extraTypes, Module... userModules) {
        return new Flowkit(SpecTypes.getBuiltIns().plus(extraTypes), List.of(userModules));
    }

    public SpecJson specJson() {
        return specJson;
    }

    public Components components() {
        return injector.getInstance(Components.class);
    }

    /** Compiles the experiment's graphs; the caller trains, samples and closes it. */
    public CompiledExperiment compile(ExperimentSpec spec) {
        return compile(spec, SessionOptions.DEFAULT);
    }

    public CompiledExperiment compile(ExperimentSpec spec, SessionOptions options) {
        return injector.getInstance(ExperimentCompiler.class).compile(spec, options);
    }

    /** Draws of the spec's probability path (conditional and marginal) at several times; no training. */
    public PathFigure pathFigure() {
        return new PathFigure(components());
    }

    /**
     * The model trained in [runDir] (a folder written by `./flowkit run` or {@link #run}), with Flowkit's built-in
     * components and one TensorFlow thread per pool. Close it.
     */
    public static TrainedModel load(Path runDir) {
        return create().trainedModel(runDir, SessionOptions.DEFAULT, warning -> System.err.println("flowkit: warning: " + warning));
    }

    /** The same with TensorFlow thread settings (images gain from more intra-op threads). */
    public static TrainedModel load(Path runDir, SessionOptions options) {
        return create().trainedModel(runDir, options, warning -> System.err.println("flowkit: warning: " + warning));
    }

    /**
     * The model trained in [runDir], with this instance's components (for runs of your own component types); a damaged
     * checkpoint skipped for the one before it is told to [warn].
     */
    public TrainedModel trainedModel(Path runDir, SessionOptions options, java.util.function.Consumer<String> warn) {
        return TrainedModel.load(runDir, components(), specJson, options, warn);
    }

    /**
     * Runs every experiment of [specs] in turn (a {@link dev.flowkit.dsl.Sweep} keeps its axes) into
     * options.outDir()/NAME/, with results.json, results.md and a comparison plot per metric there.
     */
    public dev.flowkit.runtime.sweep.SweepResults sweep(List<ExperimentSpec> specs, dev.flowkit.runtime.sweep.SweepRunner.Options options) {
        return new dev.flowkit.runtime.sweep.SweepRunner(this).run(dev.flowkit.runtime.sweep.SweepRunner.Plan.of("sweep", specs), options);
    }

    /** Trains, samples, evaluates and writes every output into options.outDir(). */
    public RunResult run(ExperimentSpec spec, RunOptions options) {
        return new ExperimentRunner(injector.getInstance(ExperimentCompiler.class), specJson).run(spec, options);
    }
}
