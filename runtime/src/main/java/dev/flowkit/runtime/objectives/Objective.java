package dev.flowkit.runtime.objectives;

import dev.flowkit.runtime.graph.RandomKey;
import dev.flowkit.runtime.model.Model;
import dev.flowkit.runtime.paths.ProbabilityPath;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** A training loss on one batch: data draws z, source draws x0, the path and the model being trained. */
public interface Objective {
    Operand<TFloat32> loss(Ops tf, Operand<TFloat32> z, Operand<TFloat32> x0, ProbabilityPath path, Model model, RandomKey key);

    /** The loss with where its gradient starts (training differentiates this): by default the loss itself. */
    default Loss differentiable(Ops tf, Operand<TFloat32> z, Operand<TFloat32> x0, ProbabilityPath path, Model model, RandomKey key) {
        return Loss.of(tf, loss(tf, z, x0, path, model, key));
    }
}
