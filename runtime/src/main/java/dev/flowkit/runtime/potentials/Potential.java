package dev.flowkit.runtime.potentials;

import dev.flowkit.runtime.graph.Tensors;
import dev.flowkit.spec.ConstantExpr;
import dev.flowkit.spec.Differences;
import dev.flowkit.spec.Div;
import dev.flowkit.spec.ExprSpec;
import dev.flowkit.spec.MatMul;
import dev.flowkit.spec.Minus;
import dev.flowkit.spec.Plus;
import dev.flowkit.spec.PotentialSpec;
import dev.flowkit.spec.Power;
import dev.flowkit.spec.Sum;
import dev.flowkit.spec.Times;
import dev.flowkit.spec.Values;
import dev.flowkit.spec.X;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A potential V: R^dim → R compiled from its energy expression; its gradient comes from TensorFlow's gradients,
 * never from a hand-written formula (where V = ½ xᵀAx + mild part, from A x and the mild part's gradient). Every
 * built-in potential (quadratic, phi4-chain) is an expression too.
 */
public final class Potential {
    private final int dim;
    private final ExprSpec energy;
    private final double[][] quadraticPart;
    private final ExprSpec mildPart;

    public Potential(PotentialSpec spec) {
        this(spec.getDim(), spec.energy(), matrix(spec.quadraticPart()), spec.quadraticPart() == null ? null : spec.mildPart());
    }

    public Potential(int dim, ExprSpec energy) {
        this(dim, energy, null, null);
    }

    private Potential(int dim, ExprSpec energy, double[][] quadraticPart, ExprSpec mildPart) {
        this.dim = dim;
        this.energy = energy;
        this.quadraticPart = quadraticPart;
        this.mildPart = mildPart;
    }

    /** The stiff quadratic part A of V (see PotentialSpec.quadraticPart), or null. */
    public double[][] quadraticPart() {
        return quadraticPart;
    }

    private static double[][] matrix(List<List<Double>> rows) {
        if (rows == null) return null;
        return rows.stream().map(r -> r.stream().mapToDouble(Double::doubleValue).toArray()).toArray(double[][]::new);
    }

    public int dim() {
        return dim;
    }

    /** V(x) per point: a column [n, 1] for points [n, dim]. */
    public Operand<TFloat32> energy(Ops tf, Operand<TFloat32> x) {
        return perPoint(tf, energy, x);
    }

    /** [expression] as a column [n, 1]: adding zeros of that shape covers expressions that do not depend on x. */
    private Operand<TFloat32> perPoint(Ops tf, ExprSpec expression, Operand<TFloat32> x) {
        Operand<TInt32> rows = tf.gather(tf.shape(x), tf.constant(0), tf.constant(0));
        return tf.math.add(compile(tf, expression, x), tf.zeros(tf.stack(List.of(rows, tf.constant(1))), TFloat32.class));
    }

    /** ∇V(x) per point, [n, dim]: TensorFlow's gradient of Σ_points V, or A x plus that of the mild part where V has one. */
    public Operand<TFloat32> gradient(Ops tf, Operand<TFloat32> x) {
        if (mildPart == null) return differentiate(tf, energy, x);
        return tf.math.add(tf.linalg.matMul(x, tf.constant(Tensors.toFloat(quadraticPart))), differentiate(tf, mildPart, x)); // A symmetric
    }

    /** ∇(V − ½ xᵀAx), what the semi-implicit step treats explicitly (A: {@link #quadraticPart}). */
    public Operand<TFloat32> mildGradient(Ops tf, Operand<TFloat32> x) {
        if (mildPart != null) return differentiate(tf, mildPart, x);
        return tf.math.sub(differentiate(tf, energy, x), tf.linalg.matMul(x, tf.constant(Tensors.toFloat(quadraticPart))));
    }

    private Operand<TFloat32> differentiate(Ops tf, ExprSpec expression, Operand<TFloat32> x) {
        Operand<TFloat32> total = tf.reduceSum(perPoint(tf, expression, x), tf.constant(new int[] {0, 1}), ReduceSum.keepDims(false));
        return tf.gradients(total, List.of(x)).dy(0);
    }

    /** One expression node over x [n, dim]: vectors as [n, length], scalars as [n, 1] or a constant of shape []. */
    private Operand<TFloat32> compile(Ops tf, ExprSpec e, Operand<TFloat32> x) {
        if (e instanceof X) return x;
        if (e instanceof ConstantExpr c) return Tensors.scalar(tf, c.getValue());
        if (e instanceof Values v) return tf.constant(Tensors.toFloat(matrix(List.of(v.getValues()))));
        if (e instanceof Plus p) return tf.math.add(compile(tf, p.getA(), x), compile(tf, p.getB(), x));
        if (e instanceof Minus m) return tf.math.sub(compile(tf, m.getA(), x), compile(tf, m.getB(), x));
        if (e instanceof Times t) return tf.math.mul(compile(tf, t.getA(), x), compile(tf, t.getB(), x));
        if (e instanceof Div d) return tf.math.div(compile(tf, d.getA(), x), compile(tf, d.getB(), x));
        if (e instanceof Power p) {
            Operand<TFloat32> of = compile(tf, p.getOf(), x);
            // whole exponents as products: exact, and finite gradients at 0 and for negative bases
            if (p.getExponent() == 2) return tf.math.square(of);
            if (p.getExponent() == Math.rint(p.getExponent()) && Math.abs(p.getExponent()) <= 8) return integerPower(tf, of, (int) p.getExponent());
            return tf.math.pow(of, Tensors.scalar(tf, p.getExponent()));
        }
        if (e instanceof Sum s) {
            return tf.reduceSum(compile(tf, s.getOf(), x), tf.constant(new int[] {1}), ReduceSum.keepDims(true));
        }
        if (e instanceof Differences d) {
            Operand<TFloat32> of = compile(tf, d.getOf(), x);
            Operand<TFloat32> padded = tf.pad(of, tf.constant(new int[][] {{0, 0}, {1, 1}}), Tensors.scalar(tf, d.getBoundary()));
            Operand<TFloat32> right = tf.slice(padded, tf.constant(new int[] {0, 1}), tf.constant(new int[] {-1, -1}));
            Operand<TFloat32> left = tf.slice(padded, tf.constant(new int[] {0, 0}), tf.stack(List.of(tf.constant(-1),
                    tf.math.sub(tf.gather(tf.shape(padded), tf.constant(1), tf.constant(0)), tf.constant(1)))));
            return tf.math.sub(right, left);
        }
        if (e instanceof MatMul m) {
            Operand<TFloat32> matrix = tf.constant(Tensors.toFloat(matrix(m.getMatrix())));
            return tf.linalg.matMul(compile(tf, m.getOf(), x), matrix, org.tensorflow.op.linalg.MatMul.transposeB(true));
        }
        throw new IllegalArgumentException("no graph for the expression " + e.getClass().getSimpleName()
                + "; expressions are built from x, constant, vector, plus, minus, times, div, power, sum, differences, matmul");
    }

    private static Operand<TFloat32> integerPower(Ops tf, Operand<TFloat32> of, int n) {
        if (n == 0) return tf.fill(tf.shape(of), tf.constant(1f)); // not OnesLike: no gradient for it in the C API
        Operand<TFloat32> result = of;
        for (int i = 1; i < Math.abs(n); i++) result = tf.math.mul(result, of);
        return n > 0 ? result : tf.math.reciprocal(result);
    }
}
