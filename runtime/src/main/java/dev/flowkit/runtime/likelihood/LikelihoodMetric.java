package dev.flowkit.runtime.likelihood;

import dev.flowkit.runtime.compiler.Streams;
import dev.flowkit.runtime.metrics.ModelMetric;
import dev.flowkit.runtime.output.Plots;
import dev.flowkit.runtime.samplers.Sampler;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.io.IOException;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;

/**
 * The mean log-likelihood of held-out data along the probability-flow ODE, in nats and bits per dimension, with the
 * source's log-likelihood of the same points as the baseline; for 2D data also log p on a grid (density.png).
 */
public final class LikelihoodMetric implements ModelMetric {
    private final Sampler solver;
    private final Divergence divergence;
    private final int points;
    private final int grid;
    private final double time;

    public LikelihoodMetric(Sampler solver, Divergence divergence, int points, int grid, double time) {
        this.time = time;
        this.solver = solver;
        this.divergence = divergence;
        this.points = points;
        this.grid = grid;
    }

    @Override
    public Compiled compile(Ops tf, Parts parts) {
        return new CompiledLikelihood(new LikelihoodGraph(tf, parts.model(), parts.path(), parts.source(), solver, divergence, parts.data(), time),
                parts.dim());
    }

    /** The compiled metric; also gives per-point log-densities of any points. */
    public final class CompiledLikelihood implements Compiled {
        private final LikelihoodGraph graph;
        private final int dim;

        CompiledLikelihood(LikelihoodGraph graph, int dim) {
            this.graph = graph;
            this.dim = dim;
        }

        /** log p(x) per point (nats) and bits per dimension under the model, with the solve's NFE. */
        public LikelihoodGraph.LogDensities logDensities(Session session, float[][] x, long seed) {
            return graph.run(session, x, seed, Streams.LIKELIHOOD);
        }

        @Override
        public String label() {
            return "likelihood";
        }

        @Override
        public Map<String, Double> compute(Session session, float[][] heldOut, long seed, Path figures, String title) throws IOException {
            return compute(session, heldOut, seed, figures, title, done -> {});
        }

        /** Progress is the held-out points' solve: the fraction of its time interval done (the 2D density grid after it is quick). */
        @Override
        public Map<String, Double> compute(Session session, float[][] heldOut, long seed, Path figures, String title,
                                           java.util.function.DoubleConsumer progress) throws IOException {
            float[][] x = Arrays.copyOf(heldOut, Math.min(points, heldOut.length));
            LikelihoodGraph.LogDensities model = graph.run(session, x, seed, Streams.LIKELIHOOD, progress);
            double source = Arrays.stream(graph.sourceLogDensities(session, x)).average().orElse(Double.NaN);
            Map<String, Double> values = new LinkedHashMap<>();
            values.put("logLikelihood", model.mean());
            values.put("bitsPerDim", model.meanBitsPerDim());
            values.put("likelihoodNfe", (double) model.functionEvaluations());
            values.put("logLikelihoodSource", source);
            if (figures != null && dim == 2 && grid > 0) {
                double[] box = Plots.box(heldOut);
                float[][] cells = new float[grid * grid][];
                for (int j = 0; j < grid; j++) {
                    for (int i = 0; i < grid; i++) {
                        cells[j * grid + i] = new float[] {(float) (box[0] + (i + 0.5) * (box[1] - box[0]) / grid),
                                (float) (box[2] + (j + 0.5) * (box[3] - box[2]) / grid)};
                    }
                }
                double[] logP = logDensities(session, cells, seed).logDensity();
                Plots.density(figures.resolve("density.png"), title + ": log p(x) by the probability-flow ODE", box, grid, logP);
            }
            return values;
        }
    }
}
