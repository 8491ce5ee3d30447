package dev.flowkit.runtime.networks;

import dev.flowkit.runtime.model.VectorField;
import java.util.List;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/** A vector field with trainable variables; every call of [velocity] reuses the same variables. */
public interface TrainableField extends VectorField {
    List<Variable<TFloat32>> variables();
}
