package dev.flowkit.runtime.schedules;

import dev.flowkit.runtime.graph.Tensors;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The linear noise rate of VP-type diffusions on diffusion time s = 1 − t: β(s) = βmin + s (βmax − βmin),
 * and the exponent of its mean coefficient, I(s) = ½ ∫₀ˢ β = ½ (βmin s + ½ (βmax − βmin) s²), so that m = e^{−I}.
 */
record LinearBeta(double min, double max) {
    Operand<TFloat32> diffusionTime(Ops tf, Operand<TFloat32> t) {
        return tf.math.sub(tf.onesLike(t), t);
    }

    Operand<TFloat32> rate(Ops tf, Operand<TFloat32> s) {
        return tf.math.add(Tensors.scalar(tf, min), tf.math.mul(s, Tensors.scalar(tf, max - min)));
    }

    Operand<TFloat32> halfIntegral(Ops tf, Operand<TFloat32> s) {
        Operand<TFloat32> integral = tf.math.add(tf.math.mul(Tensors.scalar(tf, min), s),
                tf.math.mul(Tensors.scalar(tf, (max - min) / 2), tf.math.square(s)));
        return tf.math.mul(Tensors.scalar(tf, 0.5), integral);
    }

    /** 1 − m² = −expm1(−2I), accurate for small s where m is close to 1. */
    Operand<TFloat32> oneMinusMeanSquared(Ops tf, Operand<TFloat32> halfIntegral) {
        return tf.math.neg(tf.math.expm1(tf.math.mul(Tensors.scalar(tf, -2), halfIntegral)));
    }
}
