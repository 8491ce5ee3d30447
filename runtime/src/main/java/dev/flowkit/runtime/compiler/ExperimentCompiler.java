package dev.flowkit.runtime.compiler;

import com.google.inject.Inject;
import dev.flowkit.runtime.distributions.DataDescription;
import dev.flowkit.runtime.distributions.Distribution;
import dev.flowkit.runtime.graph.RandomKey;
import dev.flowkit.runtime.graph.RowBlocks;
import dev.flowkit.runtime.networks.Network;
import dev.flowkit.runtime.graph.Tensors;
import dev.flowkit.runtime.metrics.ModelMetric;
import dev.flowkit.runtime.model.Model;
import dev.flowkit.runtime.model.ModelContext;
import dev.flowkit.runtime.model.TrainableModel;
import dev.flowkit.runtime.objectives.Loss;
import dev.flowkit.runtime.objectives.Objective;
import dev.flowkit.runtime.optimizers.Optimizer;
import dev.flowkit.runtime.paths.ProbabilityPath;
import dev.flowkit.runtime.samplers.Sampler;
import dev.flowkit.runtime.optimizers.ExponentialMovingAverage;
import dev.flowkit.spec.Ema;
import dev.flowkit.spec.ExperimentSpec;
import dev.flowkit.spec.MetricSpec;
import dev.flowkit.spec.SpecJson;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Assembles one TensorFlow graph for an experiment from its components: the training step
 * (data and source draws, path, network, loss, gradients, optimizer update, step counter) and the
 * sampling trajectory, sharing the network's variables. Talks to component interfaces only.
 */
public final class ExperimentCompiler {
    /** Where the keys of data-parallel sub-batches start among a step key's derived streams. */
    private static final long SUB_BATCH_KEYS = 1000;
    private final Components components;

    @Inject
    public ExperimentCompiler(Components components) {
        this.components = components;
    }

    public Components components() {
        return components;
    }

    public CompiledExperiment compile(ExperimentSpec given, SessionOptions options) {
        return compile(given, options, DataParallel.NONE);
    }

    /** The same as one part of data-parallel training (see {@link DataParallel}). */
    public CompiledExperiment compile(ExperimentSpec given, SessionOptions options, DataParallel parallel) {
        SpecJson.validate(given);
        ExperimentSpec spec = given.withDefaults();
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
            int classes = data.classes();
            ModelContext context = new ModelContext(data.dim(), classes, spec.getPrediction(), path, RandomKey.of(tf, seed, Streams.INIT),
                    spec.getData().getImageShape());
            TrainableModel model = network.build(tf.withSubScope("network"), context);

            Ops train = tf.withSubScope("train");
            Variable<TInt64> step = tf.withName("step").variable(tf.constant(0L));
            RandomKey stepKey = new RandomKey(train.stack(List.of(train.constant(seed), train.identity(step))));
            var batchSize = train.constant(parallel.subBatch(spec.getTrain().getBatchSize()));
            List<Loss> losses = new ArrayList<>();
            for (int part : parallel.parts()) {
                // one batch is today's key; sub-batch r of several has a key of its own
                RandomKey key = parallel.replicas() == 1 ? stepKey : stepKey.derive(SUB_BATCH_KEYS + part);
                Operand<TFloat32> x0 = source.sample(train, batchSize, key.derive(2));
                Operand<TFloat32> z;
                Operand<TInt32> labels = null;
                if (classes > 0) {
                    Distribution.Labelled batch = data.sampleLabelled(train, batchSize, key.derive(1));
                    z = batch.points();
                    labels = dropLabels(train, batch.labels(), classes, spec.getTrain().getLabelDropout(), key.derive(4));
                } else {
                    z = data.sample(train, batchSize, key.derive(1));
                }
                // the objective's rows side by side (RowBlocks), its batch mean from the blocks' means weighted by their rows
                int rows = parallel.subBatch(spec.getTrain().getBatchSize());
                List<RowBlocks.Block> blocks = RowBlocks.split(train, rows, options.interOpThreads());
                List<Loss> blockLosses = new ArrayList<>();
                for (RowBlocks.Block block : blocks) {
                    Model trained = model.forTraining(block.of(key.derive(5))).given(labels == null ? null : block.of(train, labels));
                    Loss blockLoss = objective.differentiable(train, block.of(train, z), block.of(train, x0), path, trained, block.of(key.derive(3)));
                    blockLosses.add(blocks.size() == 1 ? blockLoss : blockLoss.times(train, train.math.div(
                            train.dtypes.cast(block.rows(), TFloat32.class), Tensors.scalar(train, rows))));
                }
                losses.add(Loss.sum(train, blockLosses));
            }
            Loss differentiable = losses.size() == 1 ? losses.get(0) : Loss.sum(train, losses).times(train, Tensors.scalar(train, 1.0 / losses.size()));
            Operand<TFloat32> loss = differentiable.value();
            Op update = optimizer.minimize(train, differentiable, model.variables(), step, spec.getTrain().getSteps(), parallel.reducer());
            Operand<TFloat32> learningRate = optimizer.learningRate(train, step, spec.getTrain().getSteps());
            LossWindow lossWindow = new LossWindow(train, loss);
            // what samples and evaluations use: the weights, or their moving average (a second copy of the network,
            // built from the same init key, so it starts equal to the weights)
            TrainableModel evaluated = model;
            Ema ema = spec.getTrain().getEma();
            if (ema != null) {
                evaluated = network.build(tf.withSubScope("ema"), context);
                update = ExponentialMovingAverage.after(train, update, evaluated.variables(), model.variables(), ema.getDecay());
            }

            List<SamplingGraph> sampling = new ArrayList<>();
            List<Double> scales = spec.getGuidanceScales();
            for (double w : scales.isEmpty() ? List.of(Double.NaN) : scales) {
                sampling.add(new SamplingGraph(tf.withSubScope("sample" + sampling.size()), source, data, path, sampler, evaluated, w,
                        spec.getSample(), SamplingGraph.chunkRows(spec.getData().getImageShape() != null), options.interOpThreads()));
            }
            List<ModelMetric.Compiled> modelMetrics = new ArrayList<>();
            ModelMetric.Parts parts = new ModelMetric.Parts(evaluated.given(null), path, source, data);
            for (MetricSpec m : spec.getEvaluate()) {
                if (components.resolve(m, Object.class) instanceof ModelMetric metric) {
                    modelMetrics.add(metric.compile(tf.withSubScope("metric" + modelMetrics.size()), parts));
                }
            }
            RandomDraw dataDraw = new RandomDraw(tf);
            Ops dataOps = tf.withSubScope("data");
            List<Operand<?>> dataSample = new ArrayList<>();
            List<Operand<?>> heldOutSample = new ArrayList<>();
            if (classes > 0) {
                Distribution.Labelled draws = data.sampleLabelled(dataOps, dataDraw.count(), dataDraw.key());
                dataSample.add(draws.points());
                dataSample.add(draws.labels());
                Distribution.Labelled heldOut = data.sampleHeldOutLabelled(dataOps, dataDraw.count(), dataDraw.key());
                heldOutSample.add(heldOut.points());
                heldOutSample.add(heldOut.labels());
            } else {
                dataSample.add(data.sample(dataOps, dataDraw.count(), dataDraw.key()));
                heldOutSample.add(data.sampleHeldOut(dataOps, dataDraw.count(), dataDraw.key()));
            }

            Session session = parallel.sessions().open(graph, options);
            try {
                session.initialize();
            } catch (RuntimeException e) {
                session.close();
                throw e;
            }
            return new CompiledExperiment(spec, graph, session, step, update, lossWindow, sampling, dataDraw, dataSample, heldOutSample,
                    modelMetrics, model.variables(), DataDescription.of(data, spec.getData().getImageShape()), data.provenance(), learningRate);
        } catch (RuntimeException e) {
            graph.close();
            throw e;
        }
    }

    /** Each label replaced by the null class [classes] with probability [p]. */
    private static Operand<TInt32> dropLabels(Ops tf, Operand<TInt32> labels, int classes, double p, RandomKey key) {
        if (p == 0) return labels;
        Operand<TFloat32> u = key.uniform(tf, tf.shape(labels), 0);
        Operand<TBool> drop = tf.math.less(u, Tensors.scalar(tf, p));
        return tf.select(drop, tf.fill(tf.shape(labels), tf.constant(classes)), labels);
    }
}
