package dev.flowkit.runtime.distributions;

import dev.flowkit.runtime.graph.RandomKey;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** A distribution over R^dim that can draw samples inside a graph; a labelled one also draws class labels. */
public interface Distribution {
    int dim();

    /** [count, dim] samples, a deterministic function of [key]. */
    Operand<TFloat32> sample(Ops tf, Operand<TInt32> count, RandomKey key);

    /**
     * [count] draws kept out of training, for evaluation: from a finite sample its held-out rows (without
     * replacement, so count must not exceed them); otherwise fresh draws, as {@link #sample}.
     */
    default Operand<TFloat32> sampleHeldOut(Ops tf, Operand<TInt32> count, RandomKey key) {
        return sample(tf, count, key);
    }

    /**
     * What bits per dimension add to −log p(x)/(dim ln 2) of the continuous density: for quantized data,
     * log2 of the discrete bins per unit length (bits − log2(high − low)); 0 for continuous data.
     */
    /** How the points were made, for metrics.json's "data" section (e.g. a simulation's seconds, MALA's acceptance); empty by default. */
    default java.util.Map<String, Double> provenance() {
        return java.util.Map.of();
    }

    default double bitsPerDimOffset() {
        return 0;
    }

    /** log p(x) as a column [n, 1], for distributions with a closed-form density (sources of likelihoods). */
    default Operand<TFloat32> logDensity(Ops tf, Operand<TFloat32> x) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no closed-form density");
    }

    /** Number of classes its draws carry (0: unlabelled). */
    default int classes() {
        return 0;
    }

    /** The classes' probabilities p(y), y = 0 … classes() − 1 (empty when unlabelled). */
    default double[] classWeights() {
        return new double[0];
    }

    /** [count] class labels drawn with the classes' probabilities. */
    default Operand<TInt32> sampleLabels(Ops tf, Operand<TInt32> count, RandomKey key) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no class labels");
    }

    /** [count] draws with their labels: the labels from key.derive(2), the points given them from key. */
    default Labelled sampleLabelled(Ops tf, Operand<TInt32> count, RandomKey key) {
        Operand<TInt32> labels = sampleLabels(tf, count, key.derive(2));
        return new Labelled(sampleGiven(tf, labels, key), labels);
    }

    /** [count] held-out draws with their labels (see {@link #sampleHeldOut}); fresh labelled draws unless the data is finite. */
    default Labelled sampleHeldOutLabelled(Ops tf, Operand<TInt32> count, RandomKey key) {
        return sampleLabelled(tf, count, key);
    }

    /** Points [n, dim] and their class labels [n]. */
    record Labelled(Operand<TFloat32> points, Operand<TInt32> labels) {}

    /** One draw per label [n] from that class's conditional distribution: [n, dim]. */
    default Operand<TFloat32> sampleGiven(Ops tf, Operand<TInt32> labels, RandomKey key) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no class labels");
    }
}
