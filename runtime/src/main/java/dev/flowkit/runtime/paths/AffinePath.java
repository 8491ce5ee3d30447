package dev.flowkit.runtime.paths;

import dev.flowkit.runtime.graph.Tensors;
import dev.flowkit.runtime.schedules.Schedule;
import dev.flowkit.runtime.schedules.ScheduleValues;
import dev.flowkit.spec.Prediction;
import java.util.function.Supplier;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * x_t = α_t z + β_t n for a source draw n of any distribution; dx_t = α̇_t z + β̇_t n. With the linear schedule this
 * is the interpolation path (1 − t) x_0 + t z.
 *
 * <p>Conversions: the marginal velocity, noise E[n | x] and data E[z | x] determine each other, because
 * x = α ẑ + β n̂ and u = α̇ ẑ + β̇ n̂ for the same pair (ẑ, n̂). Every conversion recovers the pair from the given
 * quantity with one division, then forms the wanted one with at most one more:
 * from velocity ẑ = (β u − β̇ x)/D, n̂ = (α̇ x − α u)/D with D = α̇ β − α β̇ (> 0 on every built-in schedule);
 * from noise ẑ = (x − β n̂)/α; from data n̂ = (x − α ẑ)/β. These divisors vanish only at the ends (α_0 = 0,
 * β_1 = 0), where the quantity asked for does not exist; they are floored at {@link #MIN_COEFFICIENT}
 * (D at 10⁻⁶), so conversions stay finite on all of [0, 1].
 */
public class AffinePath implements ProbabilityPath {
    /** Floor for α_t and β_t where a conversion divides by them. */
    public static final double MIN_COEFFICIENT = 1e-3;
    private static final double MIN_DETERMINANT = 1e-6;
    private final Schedule schedule;

    public AffinePath(Schedule schedule) {
        this.schedule = schedule;
    }

    public Schedule schedule() {
        return schedule;
    }

    @Override
    public PathSample sample(Ops tf, Operand<TFloat32> x0, Operand<TFloat32> z, Operand<TFloat32> t) {
        return combine(tf, x0, z, t, x0);
    }

    protected final PathSample combine(Ops tf, Operand<TFloat32> x0, Operand<TFloat32> z, Operand<TFloat32> t, Operand<TFloat32> noise) {
        ScheduleValues s = schedule.at(tf, t);
        Operand<TFloat32> xt = tf.math.add(tf.math.mul(s.alpha(), z), tf.math.mul(s.beta(), noise));
        Operand<TFloat32> dxt = tf.math.add(tf.math.mul(s.alphaDot(), z), tf.math.mul(s.betaDot(), noise));
        return new PathSample(x0, z, t, xt, dxt, noise);
    }

    /** Whether the noise is a standard Gaussian, so that the score is −E[ε | x]/β_t. */
    protected boolean hasScore() {
        return false;
    }

    @Override
    public Operand<TFloat32> convert(Ops tf, Prediction from, Prediction to, Operand<TFloat32> x, Operand<TFloat32> value,
                                     Operand<TFloat32> t) {
        if (from == to) return value;
        if (!hasScore() && (from == Prediction.SCORE || to == Prediction.SCORE)) {
            throw new UnsupportedOperationException("this path has no closed-form score; use a gaussian path");
        }
        ScheduleValues s = schedule.at(tf, t);
        Operand<TFloat32> alpha = floor(tf, s.alpha(), MIN_COEFFICIENT);
        Operand<TFloat32> beta = floor(tf, s.beta(), MIN_COEFFICIENT);
        Pair pair = switch (from) {
            case VELOCITY -> {
                Operand<TFloat32> det = floor(tf, tf.math.sub(tf.math.mul(s.alphaDot(), s.beta()), tf.math.mul(s.alpha(), s.betaDot())),
                        MIN_DETERMINANT);
                yield new Pair(
                        () -> tf.math.div(tf.math.sub(tf.math.mul(s.beta(), value), tf.math.mul(s.betaDot(), x)), det),
                        () -> tf.math.div(tf.math.sub(tf.math.mul(s.alphaDot(), x), tf.math.mul(s.alpha(), value)), det));
            }
            case DATA -> new Pair(() -> value, () -> tf.math.div(tf.math.sub(x, tf.math.mul(s.alpha(), value)), beta));
            case NOISE -> new Pair(() -> tf.math.div(tf.math.sub(x, tf.math.mul(s.beta(), value)), alpha), () -> value);
            case SCORE -> { // n̂ = −β s, ẑ = (x + β² s)/α
                yield new Pair(() -> tf.math.div(tf.math.add(x, tf.math.mul(tf.math.square(s.beta()), value)), alpha),
                        () -> tf.math.neg(tf.math.mul(s.beta(), value)));
            }
        };
        return switch (to) {
            case VELOCITY -> tf.math.add(tf.math.mul(s.alphaDot(), pair.data().get()), tf.math.mul(s.betaDot(), pair.noise().get()));
            case DATA -> pair.data().get();
            case NOISE -> pair.noise().get();
            case SCORE -> tf.math.neg(tf.math.div(pair.noise().get(), beta));
        };
    }

    /** (E[z | x], E[n | x]), each built only if asked for. */
    private record Pair(Supplier<Operand<TFloat32>> data, Supplier<Operand<TFloat32>> noise) {}

    private static Operand<TFloat32> floor(Ops tf, Operand<TFloat32> v, double min) {
        return tf.math.maximum(v, Tensors.scalar(tf, min));
    }
}
