package dev.flowkit.runtime.samplers;

import org.tensorflow.op.Ops;

/** Carries source draws at t = 0 to data at t = 1 with a model; builds its graph once, then runs per batch. */
public interface Sampler {
    SamplerProgram compile(Ops tf, SamplingInput input);
}
