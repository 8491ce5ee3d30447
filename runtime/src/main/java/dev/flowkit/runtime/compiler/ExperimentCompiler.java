package dev.flowkit.runtime.compiler;

import com.google.inject.Inject;
import dev.flowkit.runtime.distributions.Distribution;
import dev.flowkit.runtime.graph.RandomKey;
import dev.flowkit.runtime.networks.Network;
import dev.flowkit.runtime.networks.TrainableField;
import dev.flowkit.runtime.objectives.Objective;
import dev.flowkit.runtime.optimizers.Optimizer;
import dev.flowkit.runtime.paths.ProbabilityPath;
import dev.flowkit.runtime.samplers.Sampler;
import dev.flowkit.spec.ExperimentSpec;
import dev.flowkit.spec.SpecJson;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Assembles one TensorFlow graph for an experiment from its components: the training step
 * (data and source draws, path, network, loss, gradients, optimizer update, step counter) and the
 * sampling trajectory, sharing the network's variables. Talks to component interfaces only.
 */
public final class ExperimentCompiler {
    private final Components components;

    @Inject
    public ExperimentCompiler(Components components) {
        this.components = components;
    }

    public Components components() {
        return components;
    }

    public CompiledExperiment compile(ExperimentSpec spec, SessionOptions options) {
        SpecJson.validate(spec);
        Distribution data = components.resolve(spec.getData(), Distribution.class);
        Distribution source = components.resolve(spec.getSourceOrDefault(), Distribution.class);
        ProbabilityPath path = components.resolve(spec.getPath(), ProbabilityPath.class);
        Network network = components.resolve(spec.getNetwork(), Network.class);
        Objective objective = components.resolve(spec.getTrain().getObjective(), Objective.class);
        Optimizer optimizer = components.resolve(spec.getTrain().getOptimizer(), Optimizer.class);
        Sampler sampler = components.resolve(spec.getSample().getSampler(), Sampler.class);

        Graph graph = new Graph();
        try {
            Ops tf = Ops.create(graph);
            long seed = spec.getSeed();
            TrainableField model = network.build(tf.withSubScope("network"), data.dim(), RandomKey.of(tf, seed, Streams.INIT));

            Ops train = tf.withSubScope("train");
            Variable<TInt64> step = tf.withName("step").variable(tf.constant(0L));
            RandomKey stepKey = new RandomKey(train.stack(List.of(train.constant(seed), train.identity(step))));
            var batchSize = train.constant(spec.getTrain().getBatchSize());
            Operand<TFloat32> z = data.sample(train, batchSize, stepKey.derive(1));
            Operand<TFloat32> x0 = source.sample(train, batchSize, stepKey.derive(2));
            Operand<TFloat32> loss = objective.loss(train, z, x0, path, model, stepKey.derive(3));
            Op update = optimizer.minimize(train, loss, model.variables(), step);
            LossWindow lossWindow = new LossWindow(train, loss);

            SamplingGraph sampling = new SamplingGraph(tf.withSubScope("sample"), source, sampler, model, spec.getSample().getRecordEvery());
            RandomDraw dataDraw = new RandomDraw(tf);
            Operand<TFloat32> dataSample = data.sample(tf.withSubScope("data"), dataDraw.count(), dataDraw.key());

            Session session = new Session(graph, options.toConfig());
            try {
                session.initialize();
            } catch (RuntimeException e) {
                session.close();
                throw e;
            }
            return new CompiledExperiment(spec, graph, session, step, update, lossWindow, sampling, dataDraw, dataSample);
        } catch (RuntimeException e) {
            graph.close();
            throw e;
        }
    }
}
