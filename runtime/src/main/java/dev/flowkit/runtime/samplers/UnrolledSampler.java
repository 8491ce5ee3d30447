package dev.flowkit.runtime.samplers;

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

/** A sampler with a fixed number of iterations, all unrolled into the graph: one session call per batch. */
public abstract class UnrolledSampler implements Sampler {

    /** Iterations per trajectory. */
    protected abstract int iterations();

    /** Network evaluations per iteration. */
    protected abstract int evaluationsPerIteration();

    /** The state after iteration [i] (0-based) from the state before it. */
    protected abstract Operand<TFloat32> advance(Ops tf, SamplingInput in, Operand<TFloat32> x, int i);

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

    private Program trajectory(Ops tf, SamplingInput in) {
        Operand<TFloat32> x = in.x0();
        List<Operand<TFloat32>> recorded = new ArrayList<>(List.of(x));
        List<Double> times = new ArrayList<>(List.of(0.0));
        int n = iterations();
        for (int i = 0; i < n; i++) {
            x = advance(tf, in, x, i);
            if ((i + 1) % in.recordEvery() == 0 || i + 1 == n) {
                recorded.add(x);
                times.add(timeAfter(i));
            }
        }
        return new Program(x, tf.stack(recorded), times.stream().mapToDouble(Double::doubleValue).toArray(), functionEvaluations());
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
