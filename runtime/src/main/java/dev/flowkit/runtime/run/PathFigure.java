package dev.flowkit.runtime.run;

import dev.flowkit.runtime.compiler.Components;
import dev.flowkit.runtime.compiler.Streams;
import dev.flowkit.runtime.distributions.Distribution;
import dev.flowkit.runtime.graph.RandomKey;
import dev.flowkit.runtime.graph.Tensors;
import dev.flowkit.runtime.output.Plots;
import dev.flowkit.runtime.paths.ProbabilityPath;
import dev.flowkit.spec.ExperimentSpec;
import dev.flowkit.spec.SpecJson;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Draws of an experiment's probability path at several times, without training: the conditional path
 * p_t(x | z) for one data point z, and the marginal p_t(x) = E_z p_t(x | z). All drawn in one graph run.
 */
public final class PathFigure {
    /** Draws at [times]: conditional[i] and marginal[i] are [count][dim] samples at times[i]; z is the fixed data point. */
    public record Draws(double[] times, float[] z, List<float[][]> conditional, List<float[][]> marginal) {}

    private final Components components;

    public PathFigure(Components components) {
        this.components = components;
    }

    public Draws draw(ExperimentSpec spec, double[] times, int count) {
        SpecJson.validate(spec);
        Distribution data = components.resolve(spec.getData(), Distribution.class);
        Distribution source = components.resolve(spec.getSourceOrDefault(), Distribution.class);
        ProbabilityPath path = components.resolve(spec.getPath(), ProbabilityPath.class);
        try (Graph graph = new Graph(); Session session = new Session(graph)) {
            Ops tf = Ops.create(graph);
            RandomKey key = RandomKey.of(tf, spec.getSeed(), Streams.EVAL_DATA);
            Operand<TFloat32> z = data.sample(tf, tf.constant(count), key.derive(1));
            Operand<TFloat32> x0 = source.sample(tf, tf.constant(count), key.derive(2));
            // one data point: the conditional path starts from every source draw towards it
            Operand<TFloat32> first = tf.slice(z, tf.constant(new int[] {0, 0}), tf.constant(new int[] {1, -1}));
            List<Operand<TFloat32>> outputs = new ArrayList<>(List.of(first));
            for (double t : times) {
                Operand<TFloat32> time = Tensors.scalar(tf, t);
                outputs.add(path.sampleConditional(tf, x0, first, time));
                outputs.add(path.sampleMarginal(tf, x0, z, time));
            }
            Session.Runner runner = session.runner();
            outputs.forEach(runner::fetch);
            try (Result r = runner.run()) {
                List<float[][]> conditional = new ArrayList<>();
                List<float[][]> marginal = new ArrayList<>();
                for (int i = 0; i < times.length; i++) {
                    conditional.add(Tensors.toMatrix(r.get(1 + 2 * i)));
                    marginal.add(Tensors.toMatrix(r.get(2 + 2 * i)));
                }
                return new Draws(times.clone(), Tensors.toMatrix(r.get(0))[0], conditional, marginal);
            }
        }
    }

    /** Writes a 2 × times grid: conditional path (top) and marginal path (bottom). */
    public void write(ExperimentSpec spec, Path file, double[] times, int count) throws IOException {
        Draws draws = draw(spec, times, count);
        Plots.pathGrid(file, spec.getName(), draws.times(), draws.z(), draws.conditional(), draws.marginal());
    }
}
