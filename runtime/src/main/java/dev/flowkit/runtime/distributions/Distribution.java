package dev.flowkit.runtime.distributions;

import dev.flowkit.runtime.graph.RandomKey;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** A distribution over R^dim that can draw samples inside a graph. */
public interface Distribution {
    int dim();

    /** [count, dim] samples, a deterministic function of [key]. */
    Operand<TFloat32> sample(Ops tf, Operand<TInt32> count, RandomKey key);
}
