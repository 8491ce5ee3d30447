package dev.flowkit.samples;

import dev.flowkit.dsl.Experiments;
import dev.flowkit.runtime.Flowkit;
import dev.flowkit.runtime.compiler.CompiledExperiment;
import dev.flowkit.runtime.compiler.Streams;
import dev.flowkit.runtime.run.RunOptions;
import dev.flowkit.runtime.run.RunResult;
import dev.flowkit.spec.Activation;
import dev.flowkit.spec.ExperimentSpec;
import java.nio.file.Path;
import java.util.List;

/**
 * Flowkit embedded in a Java application: declare a model with the DSL from Java, then either run
 * the whole experiment (outputs on disk) or compile it and drive training and sampling yourself.
 */
public final class JavaEmbedding {
    private JavaEmbedding() {}

    /** Eight Gaussians from N(0, I), declared from Java. */
    public static ExperimentSpec spec(int steps) {
        return Experiments.experiment("java-eight-gaussians", e -> {
            e.setSeed(42);
            e.data(d -> d.circle(8, 4.0, 0.5));
            e.path(p -> p.gaussian(p.cosine()));
            e.network(n -> n.mlp(List.of(64, 64, 64), Activation.SILU));
            e.train(t -> {
                t.setSteps(steps);
                t.setBatchSize(512);
                t.adam(2e-3);
            });
            e.sample(s -> {
                s.heun(20);
                s.setCount(1000);
            });
            e.evaluate(v -> v.wasserstein2());
        });
    }

    /** Trains step by step and returns freshly generated points. */
    public static float[][] trainAndSample(Flowkit flowkit, ExperimentSpec spec, int count) {
        try (CompiledExperiment model = flowkit.compile(spec)) {
            for (int step = 0; step < spec.getTrain().getSteps(); step++) {
                model.trainStep(false);
            }
            return model.sample(count, Streams.SAMPLES);
        }
    }

    public static void main(String[] args) {
        Flowkit flowkit = Flowkit.create();
        ExperimentSpec spec = spec(2000);
        RunResult result = flowkit.run(spec, RunOptions.to(Path.of("out", spec.getName())));
        System.out.printf("W2 %.3f (data vs data %.3f), %.0f training steps/s%n",
                result.metrics().get("wasserstein2"), result.metrics().get("wasserstein2Floor"), result.trainingStepsPerSecond());
        float[][] more = trainAndSample(flowkit, spec(500), 5);
        for (float[] p : more) System.out.printf("(%.2f, %.2f)%n", p[0], p[1]);
    }
}
