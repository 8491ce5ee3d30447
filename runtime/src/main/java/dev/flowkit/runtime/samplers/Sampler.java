package dev.flowkit.runtime.samplers;

import dev.flowkit.runtime.graph.RandomKey;
import dev.flowkit.runtime.graph.RowBlocks;
import dev.flowkit.runtime.model.Model;
import dev.flowkit.runtime.paths.ProbabilityPath;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Carries source draws at t = 0 to data at t = 1 with a model; builds its graph once, then runs per batch. */
public interface Sampler {
    SamplerProgram compile(Ops tf, SamplingInput input);

    /**
     * Whether each row's trajectory depends on its own row alone (no batch statistics, no step size chosen for the
     * batch), so that a batch can be sampled as row blocks side by side ({@link #compile(Ops, List)}).
     */
    default boolean rowsIndependent() {
        return false;
    }

    /** One program over [blocks], the inputs of one batch's row blocks in order; several only if {@link #rowsIndependent}. */
    default SamplerProgram compile(Ops tf, List<SamplingInput> blocks) {
        if (blocks.size() == 1) return compile(tf, blocks.get(0));
        throw new UnsupportedOperationException(getClass().getSimpleName() + " couples the rows of a batch: it samples a batch whole");
    }

    /**
     * The batch [x0] (with [labels], or null) as [blocks] row blocks side by side when {@link #rowsIndependent}, else
     * whole: each block gets its rows of x0, the model [modelFor] gives for its rows of the labels (null without
     * labels), and [noise] narrowed to its rows, so the numbers are those of the whole batch.
     */
    default SamplerProgram compileInRowBlocks(Ops tf, int blocks, Operand<TFloat32> x0, Operand<TInt32> labels,
                                              Function<Operand<TInt32>, Model> modelFor, ProbabilityPath path, RandomKey noise, int recordEvery) {
        List<SamplingInput> inputs = new ArrayList<>();
        for (RowBlocks.Block block : RowBlocks.split(tf, RowBlocks.rows(tf, x0), rowsIndependent() ? blocks : 1)) {
            Model model = modelFor.apply(labels == null ? null : block.of(tf, labels));
            inputs.add(new SamplingInput(model, path, block.of(tf, x0), block.of(noise), recordEvery));
        }
        return compile(tf, inputs);
    }
}
