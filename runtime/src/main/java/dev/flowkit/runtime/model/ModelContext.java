package dev.flowkit.runtime.model;

import dev.flowkit.runtime.graph.RandomKey;
import dev.flowkit.runtime.paths.ProbabilityPath;
import dev.flowkit.spec.Prediction;

/**
 * What a network needs to become a model: the data dimension, the number of classes (0: unconditional), the quantity
 * its output means, the path (for conversions) and the key of its initial weights.
 */
public record ModelContext(int dim, int classes, Prediction predicts, ProbabilityPath path, RandomKey initKey) {
    public ModelContext with(Prediction other, long salt) {
        return new ModelContext(dim, classes, other, path, initKey.derive(salt));
    }
}
