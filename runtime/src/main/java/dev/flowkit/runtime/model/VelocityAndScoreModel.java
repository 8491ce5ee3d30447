package dev.flowkit.runtime.model;

import dev.flowkit.spec.Prediction;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Two networks in one model: the velocity from one, the score (and noise, data) from the other. */
public final class VelocityAndScoreModel implements TrainableModel {
    private final TrainableModel velocity;
    private final TrainableModel score;

    public VelocityAndScoreModel(TrainableModel velocity, TrainableModel score) {
        this.velocity = velocity;
        this.score = score;
    }

    @Override
    public List<Variable<TFloat32>> variables() {
        List<Variable<TFloat32>> all = new ArrayList<>(velocity.variables());
        all.addAll(score.variables());
        return all;
    }

    @Override
    public TrainableModel forTraining(dev.flowkit.runtime.graph.RandomKey key) {
        return new VelocityAndScoreModel(velocity.forTraining(key.derive(1)), score.forTraining(key.derive(2)));
    }

    @Override
    public Model given(Operand<TInt32> labels) {
        Model v = velocity.given(labels);
        Model s = score.given(labels);
        return (Ops tf, Prediction quantity, Operand<TFloat32> x, Operand<TFloat32> t) ->
                (quantity == Prediction.VELOCITY ? v : s).predict(tf, quantity, x, t);
    }
}
