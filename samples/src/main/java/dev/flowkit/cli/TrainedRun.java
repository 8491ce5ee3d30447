package dev.flowkit.cli;

import dev.flowkit.runtime.Flowkit;
import dev.flowkit.runtime.TrainedModel;
import dev.flowkit.runtime.compiler.SessionOptions;
import dev.flowkit.spec.ExperimentSpec;
import dev.flowkit.spec.SpecException;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;

/** The RUN_DIR argument and model options of commands that use a trained model (a picocli mixin). */
final class TrainedRun {
    @Parameters(paramLabel = "RUN_DIR", description = "a run folder written by ./flowkit run (spec.json, data.json, checkpoint/)")
    Path runDir;

    @Option(names = "--sampler", paramLabel = "JSON",
            description = "sample with this sampler instead of the run's, e.g. '{\"type\":\"heun\",\"steps\":50}'")
    String sampler;

    @Option(names = "--threads", paramLabel = "N", description = "TensorFlow intra-op threads (default: every core for images, 1 otherwise)")
    Integer threads;

    /** A loaded model ([model], --sampler applied) and the one to close ([owner]). */
    record Loaded(TrainedModel model, TrainedModel owner) implements AutoCloseable {
        @Override
        public void close() {
            owner.close();
        }
    }

    /** The spec the run recorded (spec.json), without loading the model. */
    ExperimentSpec recordedSpec() {
        return TrainedModel.recordedSpec(runDir, Flowkit.create().specJson());
    }

    /** The trained model, with --sampler applied; bad input throws with a message naming the option. */
    Loaded load() {
        Flowkit flowkit = Flowkit.create();
        int cores = Runtime.getRuntime().availableProcessors();
        TrainedModel loaded = flowkit.trainedModel(runDir, SessionOptions.rowBlocks(Runtime.getRuntime().availableProcessors()), w -> System.err.println("warning: " + w));
        int n = threads != null ? threads : loaded.imageShape() != null ? cores : 1;
        if (n != 1) { // thread pools are fixed when the session starts
            loaded.close();
            loaded = flowkit.trainedModel(runDir, new SessionOptions(n, n), w -> System.err.println("warning: " + w));
        }
        if (sampler == null) return new Loaded(loaded, loaded);
        try {
            return new Loaded(loaded.withSampler(flowkit.specJson().decodeSampler(sampler)), loaded);
        } catch (SpecException e) {
            loaded.close();
            throw new IllegalArgumentException("--sampler: " + String.join("; ", e.getProblems()));
        }
    }
}
