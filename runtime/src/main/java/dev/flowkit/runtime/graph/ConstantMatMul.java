package dev.flowkit.runtime.graph;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * x M for points x [n, rows of M] and a matrix M fixed when the graph is built. A square M whose nonzeros lie on few
 * diagonals (a chain's Laplacian: three of 2 dim − 1) goes to the native banded kernel ({@link NativeKernels}): K
 * multiply-adds per value instead of dim. Any other M, or without the native kernels, is TensorFlow's MatMul. The
 * banded kernel has no gradient: the products taken here are of gradients already (∇V's terms), never differentiated.
 */
public final class ConstantMatMul {
    private ConstantMatMul() {}

    /** The banded kernel is used when its diagonals number at most dim / this (8: an eighth of the dense work or less). */
    private static final int SPARSITY = 8;

    public static Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x, double[][] m) {
        TreeMap<Integer, float[]> band = band(m);
        if (band == null || !NativeKernels.has(NativeKernels.BANDED_MATMUL)) return tf.linalg.matMul(x, tf.constant(Tensors.toFloat(m)));
        return banded(tf, x, band);
    }

    /** x M by the banded kernel, M given as its diagonals (offset i − j → the values M[j + offset][j] by column j). */
    static Operand<TFloat32> banded(Ops tf, Operand<TFloat32> x, TreeMap<Integer, float[]> band) {
        long[] offsets = band.keySet().stream().mapToLong(Integer::longValue).toArray();
        List<float[]> columns = new ArrayList<>(band.values());
        int dim = columns.get(0).length;
        float[] diagonals = new float[offsets.length * dim];
        for (int k = 0; k < offsets.length; k++) System.arraycopy(columns.get(k), 0, diagonals, k * dim, dim);
        @SuppressWarnings("unchecked") Output<TFloat32> y = (Output<TFloat32>) (Output<?>) tf.scope().opBuilder(NativeKernels.BANDED_MATMUL, "BandedMatMul")
                .addInput(x.asOutput()).setAttr("offsets", offsets).setAttr("diagonals", diagonals).build().output(0);
        return y;
    }

    /** The nonzero diagonals of a square [m], or null when it is not square or has more than dim / SPARSITY of them. */
    static TreeMap<Integer, float[]> band(double[][] m) {
        int dim = m.length;
        for (double[] row : m) if (row.length != dim) return null;
        TreeMap<Integer, float[]> band = new TreeMap<>();
        for (int i = 0; i < dim; i++) {
            for (int j = 0; j < dim; j++) {
                if (m[i][j] == 0) continue;
                band.computeIfAbsent(i - j, o -> new float[dim])[j] = (float) m[i][j];
                if (band.size() * SPARSITY > dim) return null;
            }
        }
        return band.isEmpty() ? null : band;
    }
}
