package dev.flowkit.runtime.serving;

import dev.flowkit.runtime.graph.Tensors;
import dev.flowkit.runtime.samplers.SamplerProgram;
import java.util.concurrent.locks.ReadWriteLock;
import org.tensorflow.Session;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.PlaceholderWithDefault;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * A sampler compiled on fed inputs: source draws [n, dim], a seed (and stream, by default the samples') for the
 * sampler's own noise, and for labelled models the labels [n] and (when guided) the scale w. These are also the inputs of an exported model's `sample` signature.
 */
public record FedSampling(Placeholder<TFloat32> noise, Placeholder<TInt64> seed, PlaceholderWithDefault<TInt64> stream,
                          Placeholder<TInt32> labels, Placeholder<TFloat32> guidance, SamplerProgram program) {

    float[][] run(Session session, ReadWriteLock lock, float[][] x0, int[] classes, double w, long seedValue, long streamValue) {
        lock.readLock().lock();
        try {
            if (program.samples().isPresent()) return runOnce(session, x0, classes, w, seedValue, streamValue);
            synchronized (this) { // a host-stepped sampler keeps its state in graph variables between calls
                return runOnce(session, x0, classes, w, seedValue, streamValue);
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    private float[][] runOnce(Session session, float[][] x0, int[] classes, double w, long seedValue, long streamValue) {
        try (TFloat32 n = Tensors.matrix(x0); TInt64 s = TInt64.scalarOf(seedValue); TInt64 k = TInt64.scalarOf(streamValue);
             TInt32 l = labels == null ? null : TInt32.vectorOf(classes); TFloat32 g = guidance == null ? null : TFloat32.scalarOf((float) w)) {
            return program.run(session, runner -> {
                runner.feed(noise, n).feed(seed, s).feed(stream, k);
                if (l != null) runner.feed(labels, l);
                if (g != null) runner.feed(guidance, g);
            }, false).samples();
        }
    }
}
