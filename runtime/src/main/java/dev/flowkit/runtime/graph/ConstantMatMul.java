package dev.flowkit.runtime.graph;

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

    /** M's nonzero diagonals as the kernel's attrs: offset o_k = i − j, diagonals[k dim + j] = M[j + o_k][j]. */
    private record Band(long[] offsets, float[] diagonals) {}

    public static Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x, double[][] m) {
        Band band = NativeKernels.has(NativeKernels.BANDED_MATMUL) ? band(m) : null;
        if (band == null) return tf.linalg.matMul(x, tf.constant(Tensors.toFloat(m)));
        @SuppressWarnings("unchecked") Output<TFloat32> y = (Output<TFloat32>) (Output<?>) tf.scope().opBuilder(NativeKernels.BANDED_MATMUL, "BandedMatMul")
                .addInput(x.asOutput()).setAttr("offsets", band.offsets()).setAttr("diagonals", band.diagonals()).build().output(0);
        return y;
    }

    /** The nonzero diagonals of a square [m], or null when it is not square or has more than dim / SPARSITY of them. */
    private static Band band(double[][] m) {
        int dim = m.length;
        for (double[] row : m) if (row.length != dim) return null;
        TreeMap<Integer, float[]> diagonals = new TreeMap<>();
        for (int i = 0; i < dim; i++) {
            for (int j = 0; j < dim; j++) {
                if (m[i][j] == 0) continue;
                diagonals.computeIfAbsent(i - j, o -> new float[dim])[j] = (float) m[i][j];
                if (diagonals.size() * SPARSITY > dim) return null;
            }
        }
        if (diagonals.isEmpty()) return null;
        float[] flat = new float[diagonals.size() * dim];
        int k = 0;
        for (float[] diagonal : diagonals.values()) System.arraycopy(diagonal, 0, flat, dim * k++, dim);
        return new Band(diagonals.keySet().stream().mapToLong(Integer::longValue).toArray(), flat);
    }
}
