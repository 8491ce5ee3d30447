package dev.flowkit.runtime.schedules;

import dev.flowkit.runtime.graph.Tensors;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/** α_t and β_t of a Gaussian path and their exact time derivatives, elementwise in t. */
public interface Schedule {
    ScheduleValues at(Ops tf, Operand<TFloat32> t);

    /** β_0: the path starts from N(0, sourceStd² I). */
    default double sourceStd() {
        return 1.0;
    }

    /**
     * g_t², the squared diffusion coefficient of the forward SDE (run in diffusion time s = 1 − t) whose perturbation
     * kernels this schedule gives; only diffusion schedules have one.
     */
    default Operand<TFloat32> diffusionSquared(Ops tf, Operand<TFloat32> t) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " is not a diffusion schedule (vp, sub-vp, ve)");
    }

    /**
     * ln(β_t²/α_t²), the negative log-SNR (ln σ² with σ = β/α), falling from t = 0 to t = 1: ±∞ where α or β is 0
     * (rounding can make cos(π/2) slightly negative, hence the floor at 0).
     */
    default Operand<TFloat32> logNoiseRatio(Ops tf, Operand<TFloat32> t) {
        ScheduleValues v = at(tf, t);
        Operand<TFloat32> zero = Tensors.scalar(tf, 0);
        Operand<TFloat32> logBeta = tf.math.log(tf.math.maximum(v.beta(), zero));
        return tf.math.mul(Tensors.scalar(tf, 2), tf.math.sub(logBeta, tf.math.log(tf.math.maximum(v.alpha(), zero))));
    }

    /** −d/dt ln(β_t²/α_t²) = 2 (α̇/α − β̇/β) ≥ 0; for a diffusion SDE it equals g²/β² (a linear SDE's variance law). */
    default Operand<TFloat32> logNoiseRatioDecay(Ops tf, Operand<TFloat32> t) {
        ScheduleValues v = at(tf, t);
        Operand<TFloat32> rate = tf.math.sub(tf.math.div(v.alphaDot(), v.alpha()), tf.math.div(v.betaDot(), v.beta()));
        return tf.math.mul(Tensors.scalar(tf, 2), rate);
    }

    /**
     * The t with {@link #logNoiseRatio} = [logRatio] (elementwise), for ratios the schedule reaches on [0, 1]. The
     * default bisects in the graph (the ratio is monotone); schedules with a closed-form inverse override it.
     */
    default Operand<TFloat32> timeAtLogNoiseRatio(Ops tf, Operand<TFloat32> logRatio) {
        Operand<TFloat32> low = tf.zerosLike(logRatio);
        Operand<TFloat32> high = tf.onesLike(logRatio);
        Operand<TFloat32> half = Tensors.scalar(tf, 0.5);
        for (int i = 0; i < BISECTION_STEPS; i++) {
            Operand<TFloat32> mid = tf.math.mul(half, tf.math.add(low, high));
            // the ratio falls with t: above the target means the answer lies later
            Operand<TBool> later = tf.math.greater(logNoiseRatio(tf, mid), logRatio);
            low = tf.select(later, mid, low);
            high = tf.select(later, high, mid);
        }
        return tf.math.mul(half, tf.math.add(low, high));
    }

    /** Halvings of [0, 1] in the default inverse: 2⁻²⁴ is below float32's spacing near 1. */
    int BISECTION_STEPS = 24;
}
