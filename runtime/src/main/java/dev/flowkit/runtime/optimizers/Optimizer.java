package dev.flowkit.runtime.optimizers;

import dev.flowkit.runtime.objectives.Loss;
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

    /**
     * The same for a {@link Loss} whose gradient starts at its seeds (what training builds); an optimizer that does not
     * override it differentiates the loss's value, the same gradient with more ops.
     */
    default Op minimize(Ops tf, Loss loss, List<Variable<TFloat32>> variables, Variable<TInt64> step, long totalSteps,
                        dev.flowkit.runtime.compiler.DataParallel.GradientReducer reducer) {
        return minimize(tf, loss.value(), variables, step, totalSteps, reducer);
    }

    /** The learning rate the update uses at the 0-based [step] of [totalSteps] (for logs such as TensorBoard's). */
    Operand<TFloat32> learningRate(Ops tf, Operand<TInt64> step, long totalSteps);
}
