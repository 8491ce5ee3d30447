package dev.flowkit.runtime.schedules;

import dev.flowkit.runtime.graph.Tensors;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The linear noise rate shared by VP-type diffusions, on diffusion time s = 1 − t: β(s) = βmin + s (βmax − βmin),
 * whose perturbation kernel has mean coefficient m = e^{−I}, I(s) = ½ ∫₀ˢ β = ½ (βmin s + ½ (βmax − βmin) s²).
 */
record LinearBeta(double min, double max) {

    /** m, β(s), 1 − m² and α̇ = dm/dt = ½ β(s) m at the times t. */
    record Kernel(Operand<TFloat32> mean, Operand<TFloat32> rate, Operand<TFloat32> oneMinusMeanSquared, Operand<TFloat32> meanDot) {}

    Kernel at(Ops tf, Operand<TFloat32> t) {
        Operand<TFloat32> s = tf.math.sub(tf.onesLike(t), t);
        Operand<TFloat32> rate = tf.math.add(Tensors.scalar(tf, min), tf.math.mul(s, Tensors.scalar(tf, max - min)));
        Operand<TFloat32> integral = tf.math.add(tf.math.mul(Tensors.scalar(tf, min), s),
                tf.math.mul(Tensors.scalar(tf, (max - min) / 2), tf.math.square(s)));
        Operand<TFloat32> halfIntegral = tf.math.mul(Tensors.scalar(tf, 0.5), integral);
        Operand<TFloat32> mean = tf.math.exp(tf.math.neg(halfIntegral));
        // 1 − m² = −expm1(−2I): accurate near t = 1 where m is close to 1
        Operand<TFloat32> variance = tf.math.neg(tf.math.expm1(tf.math.mul(Tensors.scalar(tf, -2), halfIntegral)));
        Operand<TFloat32> meanDot = tf.math.mul(tf.math.mul(Tensors.scalar(tf, 0.5), rate), mean);
        return new Kernel(mean, rate, variance, meanDot);
    }
}
