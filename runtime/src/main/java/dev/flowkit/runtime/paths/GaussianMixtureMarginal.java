package dev.flowkit.runtime.paths;

import dev.flowkit.runtime.distributions.GaussianMixtureDistribution;
import dev.flowkit.runtime.graph.Tensors;
import dev.flowkit.runtime.model.Model;
import dev.flowkit.runtime.schedules.Schedule;
import dev.flowkit.runtime.schedules.ScheduleValues;
import dev.flowkit.spec.Prediction;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The exact marginal fields of a Gaussian path when the data is a Gaussian mixture Σ w_k N(μ_k, s_k² I):
 * p_t = Σ w_k N(α_t μ_k, v_k I) with v_k = α_t² s_k² + β_t². Per component, E[z | x] = μ_k + α_t s_k² (x − α_t μ_k)/v_k
 * and E[ε | x] = β_t (x − α_t μ_k)/v_k, so u_t(x) = Σ r_k(x) (α̇_t E[z | x, k] + β̇_t E[ε | x, k]) with posterior
 * responsibilities r_k. Written this way nothing divides by α_t or β_t, so it is finite on all of [0, 1].
 * The noise is −β_t times the score and the data comes by conversion. Used to test samplers and conversions without
 * training.
 */
public final class GaussianMixtureMarginal implements Model {
    private final float[][] means;
    private final float[] stds;
    private final float[] weights;
    private final Schedule schedule;
    private final GaussianPath path;
    private final GaussianMixtureDistribution data;

    public GaussianMixtureMarginal(GaussianMixtureDistribution data, Schedule schedule) {
        this.data = data;
        this.means = data.means();
        this.stds = data.stds();
        this.weights = data.weights();
        this.schedule = schedule;
        this.path = new GaussianPath(schedule);
    }

    /** The Gaussian path these marginals belong to. */
    public GaussianPath path() {
        return path;
    }

    /** u_t(x) and ∇ log p_t(x) = Σ r_k (α_t μ_k − x)/v_k exactly; noise E[ε | x] = −β_t ∇ log p_t; data by conversion. */
    @Override
    public Operand<TFloat32> predict(Ops tf, Prediction quantity, Operand<TFloat32> x, Operand<TFloat32> t) {
        return switch (quantity) {
            case VELOCITY -> combine(tf, x, t, Quantity.VELOCITY);
            case SCORE -> combine(tf, x, t, Quantity.SCORE);
            case NOISE -> tf.math.neg(tf.math.mul(schedule.at(tf, t).beta(), combine(tf, x, t, Quantity.SCORE)));
            case DATA -> path.convert(tf, Prediction.SCORE, Prediction.DATA, x, combine(tf, x, t, Quantity.SCORE), t);
        };
    }

    /** log p_t(x) as a column [n, 1]. */
    public Operand<TFloat32> logDensity(Ops tf, Operand<TFloat32> x, Operand<TFloat32> t) {
        return Tensors.logSumExpColumns(tf, componentLogDensities(tf, x, schedule.at(tf, t)));
    }

    private enum Quantity { VELOCITY, SCORE }

    private Operand<TFloat32> combine(Ops tf, Operand<TFloat32> x, Operand<TFloat32> t, Quantity quantity) {
        ScheduleValues s = schedule.at(tf, t);
        Operand<TFloat32> responsibilities = tf.nn.softmax(componentLogDensities(tf, x, s));
        Operand<TFloat32> total = null;
        for (int k = 0; k < means.length; k++) {
            Operand<TFloat32> variance = variance(tf, s, k);
            Operand<TFloat32> offset = tf.math.sub(x, tf.math.mul(s.alpha(), tf.constant(means[k])));
            Operand<TFloat32> perComponent;
            if (quantity == Quantity.SCORE) {
                perComponent = tf.math.neg(tf.math.div(offset, variance));
            } else {
                Operand<TFloat32> expectedZ = tf.math.add(tf.constant(means[k]),
                        tf.math.div(tf.math.mul(tf.math.mul(s.alpha(), Tensors.scalar(tf, stds[k] * stds[k])), offset), variance));
                Operand<TFloat32> expectedNoise = tf.math.div(tf.math.mul(s.beta(), offset), variance);
                perComponent = tf.math.add(tf.math.mul(s.alphaDot(), expectedZ), tf.math.mul(s.betaDot(), expectedNoise));
            }
            Operand<TFloat32> weighted = tf.math.mul(Tensors.column(tf, responsibilities, k), perComponent);
            total = total == null ? weighted : tf.math.add(total, weighted);
        }
        return total;
    }

    private Operand<TFloat32> variance(Ops tf, ScheduleValues s, int k) {
        return GaussianMixtureDistribution.variance(tf, s.alpha(), s.beta(), stds[k]);
    }

    /** [n, K]: log w_k + log N(x; α_t μ_k, v_k I). */
    private Operand<TFloat32> componentLogDensities(Ops tf, Operand<TFloat32> x, ScheduleValues s) {
        return data.componentLogDensities(tf, x, s.alpha(), s.beta());
    }
}
