package dev.flowkit.runtime.samplers;

import java.util.List;
import org.tensorflow.op.Ops;

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
}
