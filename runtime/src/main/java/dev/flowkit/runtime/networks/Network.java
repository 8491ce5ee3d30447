package dev.flowkit.runtime.networks;

import dev.flowkit.runtime.model.ModelContext;
import dev.flowkit.runtime.model.TrainableModel;
import org.tensorflow.op.Ops;

/**
 * A network architecture: creates its variables once and returns the model they compute. Most networks build a
 * {@link dev.flowkit.runtime.model.NetworkFunction} and wrap it in a {@link dev.flowkit.runtime.model.NetworkModel}.
 */
public interface Network {
    TrainableModel build(Ops tf, ModelContext context);
}
