package dev.flowkit.runtime.networks;

import dev.flowkit.runtime.model.ModelContext;
import dev.flowkit.runtime.model.TrainableModel;
import dev.flowkit.runtime.model.VelocityAndScoreModel;
import dev.flowkit.spec.Prediction;
import org.tensorflow.op.Ops;

/** Builds a velocity network and a score network (each predicting its part unless its spec says otherwise). */
public final class VelocityAndScoreNetwork implements Network {
    private final Network velocity;
    private final Prediction velocityPredicts;
    private final Network score;
    private final Prediction scorePredicts;

    public VelocityAndScoreNetwork(Network velocity, Prediction velocityPredicts, Network score, Prediction scorePredicts) {
        this.velocity = velocity;
        this.velocityPredicts = velocityPredicts == null ? Prediction.VELOCITY : velocityPredicts;
        this.score = score;
        this.scorePredicts = scorePredicts == null ? Prediction.SCORE : scorePredicts;
    }

    @Override
    public TrainableModel build(Ops tf, ModelContext context) {
        TrainableModel v = velocity.build(tf.withSubScope("velocity"), context.with(velocityPredicts, 1));
        TrainableModel s = score.build(tf.withSubScope("score"), context.with(scorePredicts, 2));
        return new VelocityAndScoreModel(v, s);
    }
}
