package dev.flowkit.runtime.compiler;

import dev.flowkit.runtime.distributions.Distribution;
import dev.flowkit.runtime.graph.Tensors;
import dev.flowkit.runtime.model.VectorField;
import dev.flowkit.runtime.samplers.Sampler;
import dev.flowkit.runtime.samplers.Trajectory;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Source draws pushed through a sampler by a vector field: one session call per batch of trajectories. */
public final class SamplingGraph {
    private final RandomDraw draw;
    private final Operand<TFloat32> end;
    private final Operand<TFloat32> recorded;
    private final double[] times;
    private final int functionEvaluations;

    public SamplingGraph(Ops tf, Distribution source, Sampler sampler, VectorField field, int recordEvery) {
        this.draw = new RandomDraw(tf);
        Operand<TFloat32> x0 = source.sample(tf, draw.count(), draw.key());
        Trajectory trajectory = sampler.integrate(tf, field, x0, recordEvery);
        this.end = trajectory.end();
        this.recorded = tf.stack(trajectory.recorded());
        this.times = trajectory.recordedTimes();
        this.functionEvaluations = sampler.functionEvaluations();
    }

    /** Samples only (no trajectory copied back). */
    public float[][] sample(Session session, int count, long seed, long stream) {
        try (Result r = draw.run(session, count, seed, stream, List.of(end))) {
            return Tensors.toMatrix(r.get(0));
        }
    }

    /** Samples with the recorded trajectory. */
    public SampleBatch sampleWithTrajectory(Session session, int count, long seed, long stream) {
        try (Result r = draw.run(session, count, seed, stream, List.of(end, recorded))) {
            return new SampleBatch(Tensors.toMatrix(r.get(0)), Tensors.toCube(r.get(1)), times.clone());
        }
    }

    public int functionEvaluations() {
        return functionEvaluations;
    }

    /** Final samples [n][dim], trajectory [recorded][n][dim] and the recorded times. */
    public record SampleBatch(float[][] samples, float[][][] trajectory, double[] times) {}
}
