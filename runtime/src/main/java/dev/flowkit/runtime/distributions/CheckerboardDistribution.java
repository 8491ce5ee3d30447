package dev.flowkit.runtime.distributions;

import dev.flowkit.runtime.graph.RandomKey;
import dev.flowkit.runtime.graph.Tensors;
import dev.flowkit.spec.Checkerboard;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Uniform on the cells (row i, column j) with i + j even of an n×n board over [−size/2, size/2]²:
 * row i ~ U{0..n−1}, column j = 2k + (i mod 2) with k ~ U{0..n/2−1}, then a uniform point in the cell.
 */
public final class CheckerboardDistribution extends PlanarDistribution<Checkerboard> {
    public CheckerboardDistribution(Checkerboard spec) {
        super(spec);
    }

    @Override
    public Operand<TFloat32> sample(Ops tf, Operand<TInt32> count, RandomKey key) {
        int n = spec.getSquares();
        Operand<TInt32> column = Tensors.shape(tf, count, 1);
        Operand<TFloat32> row = tf.math.floor(tf.math.mul(key.uniform(tf, column, 1), Tensors.scalar(tf, n)));
        Operand<TFloat32> k = tf.math.floor(tf.math.mul(key.uniform(tf, column, 2), Tensors.scalar(tf, n / 2)));
        Operand<TFloat32> parity = tf.math.floorMod(row, Tensors.scalar(tf, 2));
        Operand<TFloat32> col = tf.math.add(tf.math.mul(k, Tensors.scalar(tf, 2)), parity);
        Operand<TFloat32> cell = tf.concat(List.of(col, row), tf.constant(1));
        Operand<TFloat32> offset = key.uniform(tf, Tensors.shape(tf, count, 2), 3);
        double cellSize = spec.getSize() / n;
        return tf.math.sub(tf.math.mul(tf.math.add(cell, offset), Tensors.scalar(tf, cellSize)), Tensors.scalar(tf, spec.getSize() / 2));
    }
}
