package org.example;

import dev.flowkit.dsl.Experiments;
import dev.flowkit.runtime.Flowkit;
import dev.flowkit.runtime.TrainedModel;
import dev.flowkit.runtime.output.Npy;
import dev.flowkit.runtime.run.RunOptions;
import dev.flowkit.spec.ExperimentSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Trains a small flow-matching model into a run folder (once, as `./flowkit run` would), then does what an application
 * does with a trained model: loads it and samples from it. Exits with status 1 if the loaded model disagrees with the run.
 */
public final class SampleApp {
    private SampleApp() {}

    public static void main(String[] args) throws Exception {
        Path runDir = Path.of(args.length > 0 ? args[0] : "run");
        if (!Files.isDirectory(runDir.resolve("checkpoint"))) {
            ExperimentSpec spec = Experiments.experiment("embedded-moons", e -> {
                e.setSeed(3);
                e.data(d -> d.moons());
                e.network(n -> n.mlp(List.of(64, 64)));
                e.train(t -> {
                    t.setSteps(600);
                    t.setBatchSize(256);
                });
                e.sample(s -> {
                    s.heun(10);
                    s.setCount(500);
                });
                e.evaluate(v -> v.wasserstein2());
            });
            Flowkit.create().run(spec, RunOptions.to(runDir).withPlots(false));
        }

        try (TrainedModel model = Flowkit.load(runDir)) {
            float[][] samples = model.sample(500, model.spec().getSeed());
            float[][] written = Npy.read(runDir.resolve("samples.npy"));
            boolean same = Arrays.deepEquals(samples, written);
            double[] logP = model.logLikelihood(Arrays.copyOf(samples, 4));
            System.out.printf("%s (step %d, %,d parameters): first sample (%.3f, %.3f), log p of four samples %s%n",
                    model.spec().getName(), model.step(), model.parameterCount(), samples[0][0], samples[0][1], Arrays.toString(logP));
            System.out.println(same ? "the loaded model reproduces the run's samples.npy" : "MISMATCH with the run's samples.npy");
            if (!same || Arrays.stream(logP).anyMatch(v -> !Double.isFinite(v))) System.exit(1);
        }
    }
}
