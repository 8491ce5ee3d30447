package dev.flowkit.runtime.objectives;

import dev.flowkit.runtime.graph.RandomKey;
import dev.flowkit.runtime.model.Model;
import dev.flowkit.runtime.paths.ProbabilityPath;
import dev.flowkit.spec.Weighting;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Flow matching on the model's velocity plus score matching on its score, on one data batch (own t draws each). */
public final class FlowAndScoreMatchingLoss implements Objective {
    private final Objective flow = new FlowMatchingLoss();
    private final Objective score;

    public FlowAndScoreMatchingLoss(Weighting weighting) {
        this.score = new ScoreMatchingLoss(weighting, 0.999);
    }

    @Override
    public Operand<TFloat32> loss(Ops tf, Operand<TFloat32> z, Operand<TFloat32> x0, ProbabilityPath path, Model model, RandomKey key) {
        return differentiable(tf, z, x0, path, model, key).value();
    }

    @Override
    public Loss differentiable(Ops tf, Operand<TFloat32> z, Operand<TFloat32> x0, ProbabilityPath path, Model model, RandomKey key) {
        return Loss.sum(tf, List.of(flow.differentiable(tf, z, x0, path, model, key), score.differentiable(tf, z, x0, path, model, key.derive(2))));
    }
}
