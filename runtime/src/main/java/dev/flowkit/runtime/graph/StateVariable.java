package dev.flowkit.runtime.graph;

import java.util.concurrent.atomic.AtomicLong;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.VarHandleOp;
import org.tensorflow.types.TFloat32;

/**
 * A resource variable of any shape that keeps a solver's state in the graph between session calls. Resource
 * variables are not VariableV2 ops, so checkpoints leave them out.
 */
public final class StateVariable {
    private static final AtomicLong INSTANCES = new AtomicLong();

    private StateVariable() {}

    /** Resource variables with an empty shared name would all be one resource: each gets a unique one. */
    public static VarHandleOp create(Ops tf, String name) {
        return tf.withName(name).varHandleOp(TFloat32.class, Shape.unknown(),
                VarHandleOp.sharedName("flowkit_" + name + "_" + INSTANCES.incrementAndGet()));
    }
}
