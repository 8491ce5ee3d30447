package dev.flowkit.runtime.model;

import dev.flowkit.runtime.graph.RandomKey;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** A model with trainable variables, possibly class-conditional; every {@link #given} reuses the same variables. */
public interface TrainableModel {
    List<Variable<TFloat32>> variables();

    /** The model for class labels [n] (int32); null means no label (the null class of a conditional model). */
    Model given(Operand<TInt32> labels);

    /** The same model as the training step sees it (e.g. with dropout drawn from [key]); most models are unchanged. */
    default TrainableModel forTraining(RandomKey key) {
        return this;
    }
}
