package dev.flowkit.runtime.samplers;

import dev.flowkit.runtime.graph.RandomKey;
import dev.flowkit.runtime.graph.Tensors;
import dev.flowkit.runtime.model.Model;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;

/**
 * Langevin steps at time t with the signal-to-noise step size ε = 2 (snr ‖ξ‖ / ‖∇log p_t‖)², where each norm is per
 * sample and averaged over the batch (as score_sde's corrector does).
 */
public final class LangevinCorrector {
    private final double snr;
    private final int steps;

    public LangevinCorrector(double snr, int steps) {
        this.snr = snr;
        this.steps = steps;
    }

    public int steps() {
        return steps;
    }

    public Operand<TFloat32> correct(Ops tf, Model model, Operand<TFloat32> x, Operand<TFloat32> t, RandomKey key) {
        for (int j = 0; j < steps; j++) {
            Operand<TFloat32> score = model.score(tf, x, t);
            Operand<TFloat32> noise = key.normal(tf, tf.shape(x), j);
            Operand<TFloat32> ratio = tf.math.div(meanNorm(tf, noise), tf.math.maximum(meanNorm(tf, score), Tensors.scalar(tf, 1e-12)));
            Operand<TFloat32> stepSize = tf.math.mul(Tensors.scalar(tf, 2 * snr * snr), tf.math.square(ratio));
            Operand<TFloat32> mean = tf.math.add(x, tf.math.mul(stepSize, score));
            x = tf.math.add(mean, tf.math.mul(tf.math.sqrt(tf.math.mul(Tensors.scalar(tf, 2), stepSize)), noise));
        }
        return x;
    }

    private static Operand<TFloat32> meanNorm(Ops tf, Operand<TFloat32> v) {
        Operand<TFloat32> norms = tf.math.sqrt(tf.reduceSum(tf.math.square(v), tf.constant(new int[] {1}), ReduceSum.keepDims(false)));
        return tf.math.mean(norms, tf.constant(0));
    }
}
