package dev.flowkit.runtime.networks;

import dev.flowkit.runtime.graph.NativeKernels;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.TensorFlow;
import org.tensorflow.op.Ops;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TFloat32;

/**
 * A dense layer act(x W + b), act SiLU or none, as one native kernel (`FlowkitDense`) where Flowkit's kernels are
 * loaded: an MLP's layers (sampling, and training from the second layer on) and the U-Net's output taps. Measured on
 * one core for [1000, 64] × [64, 64] with SiLU: ~100 µs where MatMul, BiasAdd and the swish took ~150–180 µs (oneDNN's
 * MatMul alone spends ~10 µs per call on set-up). Its gradient is registered here (the exact divergence of likelihoods
 * differentiates the sampling network): TensorFlow's products and SiLU's derivative by a kernel of its own
 * (`FlowkitSiluGrad`), at z = x W + b kept by the forward kernel in training graphs. Without the kernels: MatMul, the
 * bias and the activation of {@link Activations}. Tested against that composition, values and gradients.
 */
public final class FusedDense {
    private FusedDense() {}

    private static final boolean GRADIENT = NativeKernels.loaded(NativeKernels.DENSE) && registerGradient();

    /** Whether graphs built now get the kernel (else the composition). */
    static boolean isNative() {
        return GRADIENT && NativeKernels.has(NativeKernels.DENSE);
    }

    /** act(x W + bias) for x [n, in], W [in, out] and a bias of out values ([out] or [1, out]); silu false: no activation. */
    public static Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x, Operand<TFloat32> w, Operand<TFloat32> bias, boolean silu) {
        return build(tf, x, w, bias, silu, false, false);
    }

    /**
     * The same in a graph that will be differentiated (training): the kernel also keeps z = x W + b, from which the
     * gradient takes SiLU's derivative (one kernel, `FlowkitSiluGrad`) instead of computing the product again.
     */
    static Operand<TFloat32> forTraining(Ops tf, Operand<TFloat32> x, Operand<TFloat32> w, Operand<TFloat32> bias, boolean silu) {
        return build(tf, x, w, bias, silu, true, silu);
    }

    private static Operand<TFloat32> build(Ops tf, Operand<TFloat32> x, Operand<TFloat32> w, Operand<TFloat32> bias, boolean silu,
                                           boolean training, boolean keepZ) {
        if (!isNative()) {
            Operand<TFloat32> z = tf.math.add(tf.linalg.matMul(x, w), bias);
            return silu ? Activations.apply(tf, z, dev.flowkit.spec.Activation.SILU, training) : z;
        }
        @SuppressWarnings("unchecked") Output<TFloat32> y = (Output<TFloat32>) (Output<?>) tf.scope().opBuilder(NativeKernels.DENSE, "Dense")
                .addInput(x.asOutput()).addInput(w.asOutput()).addInput(bias.asOutput()).setAttr("silu", silu).setAttr("keep_z", keepZ)
                .build().output(0);
        return y;
    }

    /** dz = dy silu'(z) at z = x W + b (kept, or computed again), or dy; dx = dz Wᵀ, dW = xᵀ dz, db = dz summed over rows, in the bias's shape. */
    private static boolean registerGradient() {
        try {
            return TensorFlow.registerCustomGradient(NativeKernels.DENSE, (tf, op, gradients) -> {
                @SuppressWarnings("unchecked") Operand<TFloat32> x = (Operand<TFloat32>) op.input(0);
                @SuppressWarnings("unchecked") Operand<TFloat32> w = (Operand<TFloat32>) op.input(1);
                @SuppressWarnings("unchecked") Operand<TFloat32> bias = (Operand<TFloat32>) op.input(2);
                @SuppressWarnings("unchecked") Operand<TFloat32> dz = (Operand<TFloat32>) gradients.get(0);
                var attributes = ((org.tensorflow.GraphOperation) op).attributes();
                if (attributes.getAttrBool("silu")) {
                    @SuppressWarnings("unchecked") Operand<TFloat32> kept = (Operand<TFloat32>) (Operand<?>) op.output(1);
                    Operand<TFloat32> z = attributes.getAttrBool("keep_z") ? kept : tf.math.add(tf.linalg.matMul(x, w), bias);
                    @SuppressWarnings("unchecked") Output<TFloat32> derivative = (Output<TFloat32>) (Output<?>) tf.scope()
                            .opBuilder(NativeKernels.SILU_GRAD, "SiluGrad").addInput(dz.asOutput()).addInput(z.asOutput()).build().output(0);
                    dz = derivative;
                }
                return List.of(tf.linalg.matMul(dz, w, MatMul.transposeB(true)), tf.linalg.matMul(x, dz, MatMul.transposeA(true)),
                        tf.reshape(tf.reduceSum(dz, tf.constant(0)), tf.shape(bias)));
            });
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }
}
