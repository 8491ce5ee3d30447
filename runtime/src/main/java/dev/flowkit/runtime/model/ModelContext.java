package dev.flowkit.runtime.model;

import dev.flowkit.runtime.graph.RandomKey;
import dev.flowkit.runtime.paths.ProbabilityPath;
import dev.flowkit.spec.Prediction;
import java.util.List;

/**
 * What a network needs to become a model: the data dimension, the number of classes (0: unconditional), the quantity
 * its output means, the path (for conversions), the key of its initial weights, and [height, width, channels] when
 * each point is an image (null otherwise).
 */
public record ModelContext(int dim, int classes, Prediction predicts, ProbabilityPath path, RandomKey initKey, List<Integer> imageShape) {
    /** For vector data. */
    public ModelContext(int dim, int classes, Prediction predicts, ProbabilityPath path, RandomKey initKey) {
        this(dim, classes, predicts, path, initKey, null);
    }

    public ModelContext with(Prediction other, long salt) {
        return new ModelContext(dim, classes, other, path, initKey.derive(salt), imageShape);
    }
}
