package dev.flowkit.runtime.model;

import dev.flowkit.runtime.graph.RandomKey;
import dev.flowkit.runtime.paths.ProbabilityPath;
import dev.flowkit.spec.Prediction;
import java.util.List;
import java.util.function.Function;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** One network whose output means [predicts]; every other quantity comes from the path's conversions. */
public final class NetworkModel implements TrainableModel {
    private final NetworkFunction function;
    private final Function<RandomKey, NetworkFunction> training;
    private final List<Variable<TFloat32>> variables;
    private final Prediction predicts;
    private final ProbabilityPath path;

    public NetworkModel(NetworkFunction function, List<Variable<TFloat32>> variables, Prediction predicts, ProbabilityPath path) {
        this(function, key -> function, variables, predicts, path);
    }

    /** With [training]: the function the training step uses, given that step's key (for dropout). */
    public NetworkModel(NetworkFunction function, Function<RandomKey, NetworkFunction> training, List<Variable<TFloat32>> variables,
                        Prediction predicts, ProbabilityPath path) {
        this.function = function;
        this.training = training;
        this.variables = List.copyOf(variables);
        this.predicts = predicts;
        this.path = path;
    }

    @Override
    public List<Variable<TFloat32>> variables() {
        return variables;
    }

    @Override
    public TrainableModel forTraining(RandomKey key) {
        return new NetworkModel(training.apply(key), training, variables, predicts, path);
    }

    @Override
    public Model given(Operand<TInt32> labels) {
        return new Model() {
            @Override
            public Operand<TFloat32> predict(Ops tf, Prediction quantity, Operand<TFloat32> x, Operand<TFloat32> t) {
                return path.convert(tf, predicts, quantity, x, function.apply(tf, x, t, labels), t);
            }

            @Override
            public Operand<TFloat32> velocityPlusScore(Ops tf, Operand<TFloat32> x, Operand<TFloat32> t, Operand<TFloat32> c) {
                Operand<TFloat32> output = function.apply(tf, x, t, labels); // one evaluation for both terms
                Operand<TFloat32> velocity = path.convert(tf, predicts, Prediction.VELOCITY, x, output, t);
                Operand<TFloat32> score = path.convert(tf, predicts, Prediction.SCORE, x, output, t);
                return tf.math.add(velocity, tf.math.mul(c, score));
            }
        };
    }
}
