package dev.flowkit.runtime.optimizers;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Builds the in-graph update that moves [variables] against the gradient of [loss] and increments [step]; the run
 * has [totalSteps] steps (for learning-rate schedules).
 */
public interface Optimizer {
    default Op minimize(Ops tf, Operand<TFloat32> loss, List<Variable<TFloat32>> variables, Variable<TInt64> step, long totalSteps) {
        return minimize(tf, loss, variables, step, totalSteps, (ops, gradients) -> gradients);
    }

    /** The same with the gradients passed through [reducer] first (data-parallel training: the mean over replicas). */
    Op minimize(Ops tf, Operand<TFloat32> loss, List<Variable<TFloat32>> variables, Variable<TInt64> step, long totalSteps,
                dev.flowkit.runtime.compiler.DataParallel.GradientReducer reducer);

    /** The learning rate the update uses at the 0-based [step] of [totalSteps] (for logs such as TensorBoard's). */
    Operand<TFloat32> learningRate(Ops tf, Operand<TInt64> step, long totalSteps);
}
