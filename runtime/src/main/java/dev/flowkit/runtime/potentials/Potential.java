package dev.flowkit.runtime.potentials;

import dev.flowkit.runtime.graph.ConstantMatMul;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A potential V: R^dim → R compiled from its energy expression; its gradient comes from differentiating that expression
 * (ExpressionGradient), never from a hand-written formula (where V = ½ xᵀAx + mild part, from A x and the mild part's
 * gradient). Every built-in potential (quadratic, phi4-chain) is an expression too.
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

    static double[][] matrix(List<List<Double>> rows) {
        if (rows == null) return null;
        return rows.stream().map(r -> r.stream().mapToDouble(Double::doubleValue).toArray()).toArray(double[][]::new);
    }

    public int dim() {
        return dim;
    }

    /** V(x) per point: a column [n, 1] for points [n, dim]. */
    public Operand<TFloat32> energy(Ops tf, Operand<TFloat32> x) {
        Operand<TFloat32> v = compile(tf, energy, x, new HashMap<>());
        if (ExpressionGradient.dependsOnX(energy)) return v;
        // a constant: adding zeros of the column's shape gives it a row per point
        Operand<TInt32> rows = tf.gather(tf.shape(x), tf.constant(0), tf.constant(0));
        return tf.math.add(v, tf.zeros(tf.stack(List.of(rows, tf.constant(1))), TFloat32.class));
    }

    /** ∇V(x) per point, [n, dim] (A x plus the mild part's gradient where V has one). */
    public Operand<TFloat32> gradient(Ops tf, Operand<TFloat32> x) {
        return sum(tf, gradientTerms(tf, x, 1));
    }

    /** ∇(V − ½ xᵀAx), what the semi-implicit step treats explicitly (A: {@link #quadraticPart}). */
    public Operand<TFloat32> mildGradient(Ops tf, Operand<TFloat32> x) {
        return sum(tf, mildGradientTerms(tf, x, 1));
    }

    /**
     * [n, dim] tensors whose sum is [scale] · ∇V(x): the scale folded into the constants (no op of its own), the terms
     * left apart so that a caller adding them to more (an Euler step) adds all in one op.
     */
    public List<Operand<TFloat32>> gradientTerms(Ops tf, Operand<TFloat32> x, double scale) {
        return mildPart == null ? terms(tf, x, energy, scale, 0) : terms(tf, x, mildPart, scale, scale);
    }

    /** As {@link #gradientTerms} for ∇(V − ½ xᵀAx). */
    public List<Operand<TFloat32>> mildGradientTerms(Ops tf, Operand<TFloat32> x, double scale) {
        return mildPart != null ? terms(tf, x, mildPart, scale, 0) : terms(tf, x, energy, scale, -scale);
    }

    /** The sum of [n, dim] terms, one op. */
    public static Operand<TFloat32> sum(Ops tf, List<Operand<TFloat32>> terms) {
        return terms.size() == 1 ? terms.get(0) : tf.math.addN(terms);
    }

    /**
     * [scale] · ∇ Σ_points [expression] plus [quadratic] · A x (A x left out when 0), as [n, dim] terms: the
     * expression's gradient from its own tree (ExpressionGradient), terms that only broadcast to [n, dim] added to a
     * full one.
     */
    private List<Operand<TFloat32>> terms(Ops tf, Operand<TFloat32> x, ExprSpec expression, double scale, double quadratic) {
        Map<ExprSpec, Operand<TFloat32>> values = new HashMap<>();
        List<Operand<TFloat32>> full = new ArrayList<>();
        Operand<TFloat32> partial = null;
        for (ExpressionGradient.Adjoint a : ExpressionGradient.terms(tf, dim, expression, scale, e -> compile(tf, e, x, values))) {
            if (a.full(dim)) full.add(a.materialize(tf));
            else partial = partial == null ? a.materialize(tf) : tf.math.add(partial, a.materialize(tf));
        }
        if (quadratic != 0) full.add(ConstantMatMul.apply(tf, x, scaled(quadraticPart, quadratic))); // A symmetric
        if (partial != null) {
            if (full.isEmpty()) full.add(tf.broadcastTo(partial, tf.shape(x)));
            else full.set(full.size() - 1, tf.math.add(full.get(full.size() - 1), partial));
        }
        if (full.isEmpty()) full.add(tf.zerosLike(x));
        return full;
    }

    private static double[][] scaled(double[][] m, double c) {
        double[][] out = new double[m.length][];
        for (int i = 0; i < m.length; i++) {
            out[i] = m[i].clone();
            for (int j = 0; j < out[i].length; j++) out[i][j] *= c;
        }
        return out;
    }

    /** The value of [e] over x, each distinct subexpression computed once per [memo]. */
    private Operand<TFloat32> compile(Ops tf, ExprSpec e, Operand<TFloat32> x, Map<ExprSpec, Operand<TFloat32>> memo) {
        Operand<TFloat32> known = memo.get(e);
        if (known != null) return known;
        Operand<TFloat32> value = node(tf, e, sub -> compile(tf, sub, x, memo), x);
        memo.put(e, value);
        return value;
    }

    /** One expression node over x [n, dim]: vectors as [n, length], scalars as [n, 1] or a constant of shape []. */
    private Operand<TFloat32> node(Ops tf, ExprSpec e, java.util.function.Function<ExprSpec, Operand<TFloat32>> compile, Operand<TFloat32> x) {
        if (e instanceof X) return x;
        if (e instanceof ConstantExpr c) return Tensors.scalar(tf, c.getValue());
        if (e instanceof Values v) return tf.constant(Tensors.toFloat(matrix(List.of(v.getValues()))));
        if (e instanceof Plus p) return tf.math.add(compile.apply(p.getA()), compile.apply(p.getB()));
        if (e instanceof Minus m) return tf.math.sub(compile.apply(m.getA()), compile.apply(m.getB()));
        if (e instanceof Times t) return tf.math.mul(compile.apply(t.getA()), compile.apply(t.getB()));
        if (e instanceof Div d) return tf.math.div(compile.apply(d.getA()), compile.apply(d.getB()));
        if (e instanceof Power p) {
            Operand<TFloat32> of = compile.apply(p.getOf());
            // whole exponents as products: exact, and finite gradients at 0 and for negative bases
            if (p.getExponent() == 2) return tf.math.square(of);
            if (p.getExponent() == Math.rint(p.getExponent()) && Math.abs(p.getExponent()) <= INTEGER_POWERS) return integerPower(tf, of, (int) p.getExponent());
            return tf.math.pow(of, Tensors.scalar(tf, p.getExponent()));
        }
        if (e instanceof Sum s) {
            return tf.reduceSum(compile.apply(s.getOf()), tf.constant(new int[] {1}), ReduceSum.keepDims(true));
        }
        if (e instanceof Differences d) {
            Operand<TFloat32> of = compile.apply(d.getOf());
            Operand<TFloat32> padded = tf.pad(of, tf.constant(new int[][] {{0, 0}, {1, 1}}), Tensors.scalar(tf, d.getBoundary()));
            Operand<TFloat32> right = tf.slice(padded, tf.constant(new int[] {0, 1}), tf.constant(new int[] {-1, -1}));
            Operand<TFloat32> left = tf.slice(padded, tf.constant(new int[] {0, 0}), tf.stack(List.of(tf.constant(-1),
                    tf.math.sub(tf.gather(tf.shape(padded), tf.constant(1), tf.constant(0)), tf.constant(1)))));
            return tf.math.sub(right, left);
        }
        if (e instanceof MatMul m) {
            Operand<TFloat32> matrix = tf.constant(Tensors.toFloat(matrix(m.getMatrix())));
            return tf.linalg.matMul(compile.apply(m.getOf()), matrix, org.tensorflow.op.linalg.MatMul.transposeB(true));
        }
        throw new IllegalArgumentException("no graph for the expression " + e.getClass().getSimpleName()
                + "; expressions are built from x, constant, vector, plus, minus, times, div, power, sum, differences, matmul");
    }

    /** Whole exponents up to this are products. */
    static final int INTEGER_POWERS = 8;

    static Operand<TFloat32> integerPower(Ops tf, Operand<TFloat32> of, int n) {
        if (n == 0) return tf.fill(tf.shape(of), tf.constant(1f)); // not OnesLike: no gradient for it in the C API
        Operand<TFloat32> result = of;
        for (int i = 1; i < Math.abs(n); i++) result = tf.math.mul(result, of);
        return n > 0 ? result : tf.math.reciprocal(result);
    }
}
