package dev.flowkit.runtime.compiler;

import dev.flowkit.runtime.distributions.Distribution;
import dev.flowkit.runtime.graph.RandomKey;
import dev.flowkit.runtime.graph.Tensors;
import dev.flowkit.runtime.model.GuidedModel;
import dev.flowkit.runtime.model.TrainableModel;
import dev.flowkit.runtime.paths.ProbabilityPath;
import dev.flowkit.runtime.samplers.SampleRun;
import dev.flowkit.runtime.samplers.Sampler;
import dev.flowkit.runtime.samplers.SamplerProgram;
import dev.flowkit.spec.SampleSpec;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Source draws pushed through a sampler by the model. For a conditional model each draw also gets a requested class
 * label (sample.classes in turn, or drawn with the data's class probabilities) and the model is guided with scale w.
 */
public final class SamplingGraph {
    private final RandomDraw draw;
    private final Operand<TInt32> labels;
    private final SamplerProgram program;
    private final double guidance;
    private final int chunkRows;

    /**
     * [guidance] is w for a conditional model, NaN otherwise. A sampler whose rows are independent samples the batch as
     * [blocks] row blocks side by side (RowBlocks; the same numbers as one block).
     */
    public SamplingGraph(Ops tf, Distribution source, Distribution data, ProbabilityPath path, Sampler sampler,
                         TrainableModel model, double guidance, SampleSpec sample, int chunkRows, int blocks) {
        this.chunkRows = chunkRows;
        this.draw = new RandomDraw(tf);
        this.guidance = guidance;
        Operand<TFloat32> x0 = source.sample(tf, draw.count(), draw.key());
        boolean conditional = !Double.isNaN(guidance);
        this.labels = conditional ? requestedLabels(tf, data, sample.getClasses(), draw.count(), draw.key()) : null;
        this.program = sampler.compileInRowBlocks(tf, blocks, x0, labels,
                rows -> conditional ? GuidedModel.of(model, rows, guidance) : model.given(null), path, draw.key().derive(6), sample.getRecordEvery());
    }

    /**
     * The class of each of [count] samples: [classes] in turn, or (when empty) drawn with the data's class probabilities
     * from [key] (the key of the samples' source draws).
     */
    public static Operand<TInt32> requestedLabels(Ops tf, Distribution data, List<Integer> classes, Operand<TInt32> count, RandomKey key) {
        if (classes.isEmpty()) return data.sampleLabels(tf, count, key.derive(5));
        int[] requested = classes.stream().mapToInt(Integer::intValue).toArray();
        Operand<TInt32> turn = tf.math.floorMod(tf.range(tf.constant(0), count, tf.constant(1)), tf.constant(requested.length));
        return tf.gather(tf.constant(requested), turn, tf.constant(0));
    }

    /** w, or NaN for an unconditional model. */
    public double guidance() {
        return guidance;
    }

    /**
     * Rows per graph execution of a large sample: 100 images (about a minute of a U-Net's 500-step sampler on two
     * cores) or 10 000 points.
     */
    public static int chunkRows(boolean images) {
        return images ? 100 : 10_000;
    }

    /**
     * [count] samples: one graph execution per chunk of {@link #chunkRows} rows (chunk k drawn on
     * Streams.chunk(stream, k)), [progress] told the rows done after each; a trajectory records the first chunk only.
     */
    public SampleBatch run(Session session, int count, long seed, long stream, boolean withTrajectory, java.util.function.IntConsumer progress) {
        if (count <= chunkRows) {
            SampleBatch batch = run(session, count, seed, stream, withTrajectory);
            progress.accept(count);
            return batch;
        }
        float[][] samples = new float[count][];
        int[] labels = this.labels == null ? null : new int[count];
        SampleBatch first = null;
        for (int k = 0, from = 0; from < count; k++, from += chunkRows) {
            int n = Math.min(chunkRows, count - from);
            SampleBatch part = run(session, n, seed, Streams.chunk(stream, k), withTrajectory && k == 0);
            if (k == 0) first = part;
            System.arraycopy(part.samples(), 0, samples, from, n);
            if (labels != null) System.arraycopy(part.labels(), 0, labels, from, n);
            progress.accept(from + n);
        }
        return new SampleBatch(samples, first.trajectory(), first.times(), labels, first.functionEvaluations());
    }

    public SampleBatch run(Session session, int count, long seed, long stream, boolean withTrajectory) {
        SampleRun run;
        try (RandomDraw.Feeds feeds = draw.feeds(count, seed, stream)) {
            run = program.run(session, feeds::apply, withTrajectory);
        }
        return new SampleBatch(run.samples(), run.trajectory(), run.times(), labels(session, count, seed, stream), run.functionEvaluations());
    }

    /**
     * One traced execution of [count] samples: where its kernel time goes by op type; empty for samplers that step
     * from the host (dopri5), whose trajectory is not one execution.
     */
    public java.util.Optional<StepProfile> profile(Session session, org.tensorflow.Graph graph, int count, long seed, long stream) {
        java.util.Optional<Operand<TFloat32>> end = program.samples();
        if (end.isEmpty()) return java.util.Optional.empty();
        try (RandomDraw.Feeds feeds = draw.feeds(count, seed, stream)) {
            Session.Runner runner = session.runner().fetch(end.get());
            feeds.apply(runner);
            return java.util.Optional.of(StepProfile.traced(runner, graph));
        }
    }

    private int[] labels(Session session, int count, long seed, long stream) {
        if (labels == null) return null;
        try (Result r = draw.run(session, count, seed, stream, List.of(labels))) {
            return Tensors.toIntArray(r.get(0));
        }
    }

    /**
     * Final samples [n][dim]; trajectory [recorded][n][dim] and its times when asked for (else null); the requested
     * class of each sample (null when unconditional); network evaluations per trajectory.
     */
    public record SampleBatch(float[][] samples, float[][][] trajectory, double[] times, int[] labels, long functionEvaluations) {}
}
