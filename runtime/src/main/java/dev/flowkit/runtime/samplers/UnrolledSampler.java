package dev.flowkit.runtime.samplers;

import dev.flowkit.runtime.graph.FrameLoop;
import dev.flowkit.runtime.graph.RowBlocks;
import dev.flowkit.runtime.graph.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** A sampler with a fixed number of iterations, all in one graph (unrolled, or looped where they are alike): one session call per batch. */
public abstract class UnrolledSampler implements Sampler {
    private boolean loops = true;

    /** Iterations per trajectory. */
    protected abstract int iterations();

    /** Network evaluations per iteration. */
    protected abstract int evaluationsPerIteration();

    /** The state after iteration [i] (0-based; one, or each of a looped range) from the state before it. */
    protected abstract Operand<TFloat32> advance(Ops tf, SamplingInput in, Operand<TFloat32> x, StepIndex i);

    /**
     * Whether iteration [i] is built like its looped neighbours ({@link StepIndex#is} the same for all): a run of such
     * iterations is one loop in the graph ({@link FrameLoop}) instead of a copy per iteration. Methods with special first
     * or last steps say so here; the default loops nothing.
     */
    protected boolean loopable(int i) {
        return false;
    }

    /**
     * Whether alike iterations run as loops (the default); false builds every iteration on its own, one copy of the step
     * per iteration in the graph (the same numbers: the reference that loops are tested and measured against).
     */
    public UnrolledSampler looping(boolean loops) {
        this.loops = loops;
        return this;
    }

    /** The time (or progress in [0, 1]) reached after iteration [i], for recorded trajectories. */
    protected double timeAfter(int i) {
        return (i + 1.0) / iterations();
    }

    public long functionEvaluations() {
        return (long) iterations() * evaluationsPerIteration();
    }

    @Override
    public SamplerProgram compile(Ops tf, SamplingInput in) {
        return trajectory(tf, in);
    }

    /** Unrolled samplers step every row on its own unless a subclass says otherwise. */
    @Override
    public boolean rowsIndependent() {
        return true;
    }

    /** The blocks' trajectories joined: ends along the rows, recorded states along their rows axis. */
    @Override
    public SamplerProgram compile(Ops tf, List<SamplingInput> blocks) {
        if (blocks.size() == 1 || !rowsIndependent()) return Sampler.super.compile(tf, blocks);
        // each block through compile(tf, in), which subclasses extend (a fixed-step solver lays its grid out first)
        List<Program> parts = blocks.stream().map(in -> compile(tf, in)).map(p -> (Program) p).toList();
        Program first = parts.get(0);
        return new Program(RowBlocks.join(tf, parts.stream().map(Program::end).toList(), 0),
                RowBlocks.join(tf, parts.stream().map(Program::stacked).toList(), 1), first.recordedTimes(), first.nfe());
    }

    /**
     * Iteration by iteration: each run of {@link #loopable} iterations as one loop (so a graph of 1 000 steps builds and
     * starts in about the time of one step), the others each built on their own.
     */
    private Program trajectory(Ops tf, SamplingInput in) {
        Operand<TFloat32> x = in.x0();
        List<Operand<TFloat32>> recorded = new ArrayList<>(List.of(tf.expandDims(x, tf.constant(0))));
        List<Double> times = new ArrayList<>(List.of(0.0));
        int n = iterations();
        for (int i = 0; i < n; ) {
            int end = i + 1;
            if (loops && loopable(i)) while (end < n && loopable(end)) end++;
            if (end - i > 1) {
                x = looped(tf, in, x, i, end, recorded, times);
            } else {
                x = advance(tf, in, x, StepIndex.at(i));
                if (recorded(i, in)) {
                    recorded.add(tf.expandDims(x, tf.constant(0)));
                    times.add(timeAfter(i));
                }
            }
            i = end;
        }
        return new Program(x, tf.concat(recorded, tf.constant(0)), times.stream().mapToDouble(Double::doubleValue).toArray(), functionEvaluations());
    }

    /**
     * Iterations from … to − 1 as one loop from [x]; the states it records are added to [recorded] (as one [count, n, dim]
     * block) and their times to [times]. Inside the loop they go into a TensorList (no copy) at their places, the states
     * not recorded to a spare last slot.
     */
    private Operand<TFloat32> looped(Ops tf, SamplingInput in, Operand<TFloat32> x, int from, int to,
                                     List<Operand<TFloat32>> recorded, List<Double> times) {
        int[] slots = new int[to - from]; // iteration j's place in the list
        int count = 0;
        for (int j = from; j < to; j++) {
            if (recorded(j, in)) {
                slots[j - from] = count++;
                times.add(timeAfter(j));
            }
        }
        for (int j = from; j < to; j++) if (!recorded(j, in)) slots[j - from] = count;
        int[] unknownDims = new int[Math.max(x.shape().numDimensions(), 0)];
        java.util.Arrays.fill(unknownDims, -1);
        Operand<TInt32> elementShape = x.shape().isUnknown() ? tf.constant(-1) : tf.constant(unknownDims);
        List<Operand<?>> start = new ArrayList<>(List.of(x));
        if (count > 0) start.add(tf.tensorListReserve(elementShape, tf.constant(count + 1), TFloat32.class));
        List<Operand<?>> after = FrameLoop.repeat(tf, from, to, start, (g, k, state) -> {
            StepIndex step = StepIndex.range(g, k, from, to);
            Operand<TFloat32> next = advance(g, in, floats(state.get(0)), step);
            if (state.size() == 1) return List.of(next);
            return List.of(next, g.tensorListSetItem(state.get(1), step.integer(g, j -> slots[j - from]), next));
        });
        if (count > 0) recorded.add(tf.tensorListGather(after.get(1), tf.range(tf.constant(0), tf.constant(count), tf.constant(1)), elementShape, TFloat32.class));
        return floats(after.get(0));
    }

    /** Whether the state after iteration [i] is recorded. */
    private boolean recorded(int i, SamplingInput in) {
        return (i + 1) % in.recordEvery() == 0 || i + 1 == iterations();
    }

    @SuppressWarnings("unchecked")
    private static Operand<TFloat32> floats(Operand<?> o) {
        return (Operand<TFloat32>) o;
    }

    /** The unrolled trajectory: its end, the recorded states stacked, their times. */
    private record Program(Operand<TFloat32> end, Operand<TFloat32> stacked, double[] recordedTimes, long nfe) implements SamplerProgram {
        @Override
        public SampleRun run(Session session, Consumer<Session.Runner> inputs, boolean withTrajectory) {
            Session.Runner runner = session.runner();
            inputs.accept(runner);
            runner.fetch(end);
            if (withTrajectory) runner.fetch(stacked);
            try (Result r = runner.run()) {
                float[][] samples = Tensors.toMatrix(r.get(0));
                return withTrajectory ? new SampleRun(samples, Tensors.toCube(r.get(1)), recordedTimes.clone(), nfe)
                        : new SampleRun(samples, null, null, nfe);
            }
        }

        @Override
        public Optional<Operand<TFloat32>> samples() {
            return Optional.of(end);
        }
    }
}
