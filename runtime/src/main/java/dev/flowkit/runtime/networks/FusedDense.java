package dev.flowkit.runtime.networks;

import dev.flowkit.runtime.graph.NativeKernels;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.TensorFlow;
import org.tensorflow.op.Ops;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TFloat32;

/**
 * A dense layer act(Σ_j x_j W_j + b), act SiLU or none, as one native kernel (`FlowkitDense`) where Flowkit's kernels
 * are loaded: an MLP's layers and the U-Net's output taps. The input comes in parts x_j with their rows W_j of the
 * weights, so a layer on [x | t] or [decoder | encoder] channels needs no concatenation. Measured on one core for
 * [1000, 64] × [64, 64] with SiLU: ~100 µs where MatMul, BiasAdd and the swish took ~150–180 µs (oneDNN's MatMul alone
 * spends ~10 µs per call on set-up).
 *
 * <p>Its gradient is registered here. Where the forward kernel kept z = x W + b (training) or there is no
 * activation, all of it is one kernel (`FlowkitDenseGrad`: dz = dy silu'(z), dx_j, dW_j and db), instead of SiLU's
 * derivative, two products and a sum per part. A sampling layer with SiLU (differentiated by the exact divergence of
 * likelihoods, which needs dx only) takes z again from TensorFlow's product and the derivative from `FlowkitSiluGrad`,
 * so that nothing computes weight gradients no one reads. Without the kernels: MatMul, the bias and the activation of
 * {@link Activations}. Tested against that composition, values and gradients.
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
        return build(tf, List.of(x), List.of(w), bias, silu, false);
    }

    /** act(Σ_j x_j W_j + bias) for parts x_j [n, in_j] and W_j [in_j, out]. */
    public static Operand<TFloat32> apply(Ops tf, List<Operand<TFloat32>> xs, List<Operand<TFloat32>> ws, Operand<TFloat32> bias, boolean silu) {
        return build(tf, xs, ws, bias, silu, false);
    }

    /**
     * The same in a graph that will be differentiated for its parameters (training): the kernel also keeps
     * z = Σ x_j W_j + b, from which the gradient kernel takes SiLU's derivative instead of computing the product again.
     */
    static Operand<TFloat32> forTraining(Ops tf, List<Operand<TFloat32>> xs, List<Operand<TFloat32>> ws, Operand<TFloat32> bias, boolean silu) {
        return build(tf, xs, ws, bias, silu, true);
    }

    private static Operand<TFloat32> build(Ops tf, List<Operand<TFloat32>> xs, List<Operand<TFloat32>> ws, Operand<TFloat32> bias,
                                           boolean silu, boolean training) {
        if (xs.size() != ws.size() || xs.isEmpty()) {
            throw new IllegalArgumentException("a dense layer needs one weight matrix per input part, got " + xs.size() + " parts and " + ws.size() + " matrices");
        }
        if (!isNative()) {
            Operand<TFloat32> z = tf.math.add(product(tf, xs, ws), bias);
            return silu ? Activations.apply(tf, z, dev.flowkit.spec.Activation.SILU, training) : z;
        }
        @SuppressWarnings("unchecked") Output<TFloat32> y = (Output<TFloat32>) (Output<?>) tf.scope().opBuilder(NativeKernels.DENSE, "Dense")
                .addInputList(outputs(xs)).addInputList(outputs(ws)).addInput(bias.asOutput())
                .setAttr("silu", silu).setAttr("keep_z", training && silu)
                .build().output(0);
        return y;
    }

    /** Σ_j x_j W_j by TensorFlow's MatMul: the composition the kernel replaces. */
    static Operand<TFloat32> product(Ops tf, List<Operand<TFloat32>> xs, List<Operand<TFloat32>> ws) {
        Operand<TFloat32> sum = tf.linalg.matMul(xs.get(0), ws.get(0));
        for (int j = 1; j < xs.size(); j++) sum = tf.math.add(sum, tf.linalg.matMul(xs.get(j), ws.get(j)));
        return sum;
    }

    private static Output<?>[] outputs(List<? extends Operand<?>> operands) {
        return operands.stream().map(Operand::asOutput).toArray(Output<?>[]::new);
    }

    @SuppressWarnings("unchecked")
    private static List<Operand<TFloat32>> floats(Output<?>[] outputs) {
        List<Operand<TFloat32>> list = new ArrayList<>();
        for (Output<?> o : outputs) list.add((Operand<TFloat32>) o);
        return list;
    }

    /** Gradients for x_0 … x_{N−1}, W_0 … W_{N−1} and the bias, in the order of the op's inputs. */
    private static boolean registerGradient() {
        try {
            return TensorFlow.registerCustomGradient(NativeKernels.DENSE, (tf, op, gradients) -> {
                GraphOperation dense = (GraphOperation) op;
                int parts = dense.inputListLength("x");
                List<Operand<TFloat32>> xs = floats(dense.inputList(0, parts));
                List<Operand<TFloat32>> ws = floats(dense.inputList(parts, parts));
                @SuppressWarnings("unchecked") Operand<TFloat32> bias = (Operand<TFloat32>) op.input(2 * parts);
                @SuppressWarnings("unchecked") Operand<TFloat32> dy = (Operand<TFloat32>) gradients.get(0);
                var attributes = dense.attributes();
                boolean silu = attributes.getAttrBool("silu");
                if (!silu || attributes.getAttrBool("keep_z")) {
                    GraphOperation grad = (GraphOperation) tf.scope().opBuilder(NativeKernels.DENSE_GRAD, "DenseGrad")
                            .addInput(dy.asOutput()).addInput(op.output(1)).addInputList(outputs(xs)).addInputList(outputs(ws))
                            .addInput(bias.asOutput()).setAttr("silu", silu).build();
                    return new ArrayList<Operand<?>>(List.of(grad.outputList(0, 2 * parts + 1)));
                }
                Operand<TFloat32> z = tf.math.add(product(tf, xs, ws), bias);
                @SuppressWarnings("unchecked") Operand<TFloat32> dz = (Operand<TFloat32>) (Operand<?>) tf.scope()
                        .opBuilder(NativeKernels.SILU_GRAD, "SiluGrad").addInput(dy.asOutput()).addInput(z.asOutput()).build().output(0);
                List<Operand<?>> all = new ArrayList<>();
                for (Operand<TFloat32> w : ws) all.add(tf.linalg.matMul(dz, w, MatMul.transposeB(true)));
                for (Operand<TFloat32> x : xs) all.add(tf.linalg.matMul(x, dz, MatMul.transposeA(true)));
                all.add(tf.reshape(tf.reduceSum(dz, tf.constant(0)), tf.shape(bias)));
                return all;
            });
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }
}
