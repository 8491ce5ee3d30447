package dev.flowkit.runtime.graph;

import org.tensorflow.Operand;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceMax;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Small graph-building and tensor-copying helpers shared by components. */
public final class Tensors {
    private Tensors() {}

    public static Operand<TFloat32> scalar(Ops tf, double value) {
        return tf.constant((float) value);
    }

    /** Shape [count, dim] as an int32 operand, for random ops. */
    public static Operand<TInt32> shape(Ops tf, Operand<TInt32> count, int dim) {
        return tf.stack(java.util.List.of(count, tf.constant(dim)));
    }

    /** Column k of a [n, d] matrix, as [n, 1]. */
    public static Operand<TFloat32> column(Ops tf, Operand<TFloat32> x, int k) {
        return tf.slice(x, tf.constant(new int[] {0, k}), tf.constant(new int[] {-1, 1}));
    }

    /** Copies a [n, d] float tensor into a Java array. */
    /** A double matrix rounded to float32 (for graph constants). */
    public static float[][] toFloat(double[][] m) {
        float[][] out = new float[m.length][];
        for (int i = 0; i < m.length; i++) {
            out[i] = new float[m[i].length];
            for (int j = 0; j < out[i].length; j++) out[i][j] = (float) m[i][j];
        }
        return out;
    }

    public static float[][] toMatrix(Tensor tensor) {
        TFloat32 t = (TFloat32) tensor;
        Shape s = t.shape();
        float[][] out = new float[(int) s.get(0)][(int) s.get(1)];
        StdArrays.copyFrom(t, out);
        return out;
    }

    /** Copies a [r, n, d] float tensor into a Java array. */
    public static float[][][] toCube(Tensor tensor) {
        TFloat32 t = (TFloat32) tensor;
        Shape s = t.shape();
        float[][][] out = new float[(int) s.get(0)][(int) s.get(1)][(int) s.get(2)];
        StdArrays.copyFrom(t, out);
        return out;
    }

    /** A rank-1 int32 tensor as an array. */
    public static int[] toIntArray(Tensor tensor) {
        TInt32 t = (TInt32) tensor;
        int[] out = new int[(int) t.size()];
        for (int i = 0; i < out.length; i++) out[i] = t.getInt(i);
        return out;
    }

    /** log Σ_k exp(v[:, k]) as a column [n, 1], computed stably (TF has no ReduceLogSumExp op). */
    public static Operand<TFloat32> logSumExpColumns(Ops tf, Operand<TFloat32> v) {
        Operand<TFloat32> max = tf.stopGradient(tf.reduceMax(v, tf.constant(new int[] {1}), ReduceMax.keepDims(true)));
        Operand<TFloat32> sum = tf.reduceSum(tf.math.exp(tf.math.sub(v, max)), tf.constant(new int[] {1}), ReduceSum.keepDims(true));
        return tf.math.add(tf.math.log(sum), max);
    }

    /** A [n, d] float32 tensor holding [x]; the caller closes it. */
    public static TFloat32 matrix(float[][] x) {
        return TFloat32.tensorOf(StdArrays.ndCopyOf(x));
    }
}
