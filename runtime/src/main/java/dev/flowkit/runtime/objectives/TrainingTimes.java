package dev.flowkit.runtime.objectives;

import dev.flowkit.runtime.graph.RandomKey;
import dev.flowkit.runtime.graph.Tensors;
import dev.flowkit.runtime.paths.GaussianPath;
import dev.flowkit.runtime.paths.ProbabilityPath;
import dev.flowkit.runtime.schedules.Schedule;
import dev.flowkit.spec.TimeSampling;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * How an objective draws its times: a column t and the factor 1/q(t) (relative to U[0, maxTime)) that keeps the
 * objective's expectation unchanged, or null when the draw is uniform.
 */
public interface TrainingTimes {
    record Draw(Operand<TFloat32> t, Operand<TFloat32> reweight) {}

    Draw draw(Ops tf, Operand<TInt32> shape, ProbabilityPath path, RandomKey key, long salt);

    static TrainingTimes of(TimeSampling sampling, double maxTime) {
        return switch (sampling) {
            case UNIFORM -> uniform(maxTime);
            case LOG_SNR -> logSnr(maxTime);
        };
    }

    /** t ~ U[0, maxTime). */
    static TrainingTimes uniform(double maxTime) {
        return (tf, shape, path, key, salt) -> {
            Operand<TFloat32> t = key.uniform(tf, shape, salt);
            return new Draw(maxTime == 1.0 ? t : tf.math.mul(t, Tensors.scalar(tf, maxTime)), null);
        };
    }

    /**
     * L = ln(β²/α²) uniform on [L(maxTime), L(1 − maxTime)], t = L⁻¹: the density of t is q = −L'(t)/Z with
     * Z = L(1 − maxTime) − L(maxTime), so the reweight is Z/(−L'(t)) · 1/maxTime against U[0, maxTime) (the times
     * below 1 − maxTime, which the draw skips, weigh ~(1 − maxTime) of the objective). Gaussian paths only.
     */
    static TrainingTimes logSnr(double maxTime) {
        return (tf, shape, path, key, salt) -> {
            Schedule schedule = gaussian(path).schedule();
            Operand<TFloat32> low = schedule.logNoiseRatio(tf, Tensors.scalar(tf, maxTime));
            Operand<TFloat32> high = schedule.logNoiseRatio(tf, Tensors.scalar(tf, 1 - maxTime));
            Operand<TFloat32> span = tf.math.sub(high, low);
            Operand<TFloat32> logRatio = tf.math.add(low, tf.math.mul(span, key.uniform(tf, shape, salt)));
            Operand<TFloat32> t = tf.stopGradient(schedule.timeAtLogNoiseRatio(tf, logRatio));
            Operand<TFloat32> reweight = tf.math.div(tf.math.div(span, Tensors.scalar(tf, maxTime)), schedule.logNoiseRatioDecay(tf, t));
            return new Draw(t, tf.stopGradient(reweight));
        };
    }

    private static GaussianPath gaussian(ProbabilityPath path) {
        if (path instanceof GaussianPath g) return g;
        throw new UnsupportedOperationException("timeSampling log-snr needs a gaussian path (its schedule gives the noise ratio β/α)");
    }
}
