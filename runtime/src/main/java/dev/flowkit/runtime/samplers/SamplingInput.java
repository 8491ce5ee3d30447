package dev.flowkit.runtime.samplers;

import dev.flowkit.runtime.graph.RandomKey;
import dev.flowkit.runtime.model.Model;
import dev.flowkit.runtime.paths.ProbabilityPath;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** What a sampler works on: the model, its path (for g_t), the source draws x0 [n, dim], a noise key, and how often to record. */
public record SamplingInput(Model model, ProbabilityPath path, Operand<TFloat32> x0, RandomKey noise, int recordEvery) {
    public SamplingInput withNoise(RandomKey key) {
        return new SamplingInput(model, path, x0, key, recordEvery);
    }
}
