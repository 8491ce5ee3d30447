package dev.flowkit.runtime.networks;

import dev.flowkit.runtime.graph.RandomKey;
import org.tensorflow.op.Ops;

/** A network architecture: creates its variables once and returns the trainable function of (x, t). */
public interface Network {
    TrainableField build(Ops tf, int dim, RandomKey initKey);
}
