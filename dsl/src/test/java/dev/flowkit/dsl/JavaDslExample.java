package dev.flowkit.dsl;

import dev.flowkit.spec.Activation;
import dev.flowkit.spec.ExperimentSpec;
import java.util.List;

/** The DESIGN.md moons experiment written from Java: plain lambdas, no Unit, no Function1. */
public final class JavaDslExample {
    private JavaDslExample() {}

    public static ExperimentSpec moons() {
        return Experiments.experiment("moons", e -> {
            e.setSeed(7);
            e.source(s -> s.gaussian(2));
            e.data(d -> d.moons(0.05, 3.0));
            e.path(p -> p.gaussian(p.linear()));
            e.network(n -> n.mlp(List.of(64, 64, 64, 64), Activation.SILU));
            e.train(t -> {
                t.flowMatching();
                t.setSteps(5000);
                t.setBatchSize(1000);
                t.adam(1e-3);
            });
            e.sample(s -> {
                s.euler(100);
                s.setCount(2000);
            });
            e.evaluate(v -> {
                v.wasserstein2();
                v.mmd();
            });
        });
    }
}
