package dev.flowkit.runtime.distributions;

import dev.flowkit.runtime.graph.RandomKey;
import dev.flowkit.runtime.graph.Tensors;
import dev.flowkit.spec.MixtureSpec;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Σ_k w_k N(μ_k, s_k² I): serves gaussian, gaussian-mixture and circle. */
public final class GaussianMixtureDistribution implements Distribution {
    private final List<MixtureSpec.Component> components;
    private final int dim;
    private final int classes;

    public GaussianMixtureDistribution(MixtureSpec spec) {
        this.components = spec.components();
        this.dim = spec.getDim();
        this.classes = spec.getClasses();
    }

    @Override
    public int classes() {
        return classes;
    }

    public List<MixtureSpec.Component> components() {
        return components;
    }

    @Override
    public int dim() {
        return dim;
    }

    @Override
    public Operand<TFloat32> sample(Ops tf, Operand<TInt32> count, RandomKey key) {
        if (components.size() == 1) {
            MixtureSpec.Component c = components.get(0);
            Operand<TFloat32> noise = key.normal(tf, Tensors.shape(tf, count, dim), 1);
            return tf.math.add(tf.math.mul(noise, Tensors.scalar(tf, c.getStd())), tf.constant(means()[0]));
        }
        return sampleLabelled(tf, count, key).points();
    }

    @Override
    public double[] classWeights() {
        return classes == 0 ? new double[0] : normalizedWeights();
    }

    /** The components' weights, normalized. */
    private double[] normalizedWeights() {
        double total = components.stream().mapToDouble(MixtureSpec.Component::getWeight).sum();
        return components.stream().mapToDouble(c -> c.getWeight() / total).toArray();
    }

    /** Component indices drawn with the weights. */
    @Override
    public Operand<TInt32> sampleLabels(Ops tf, Operand<TInt32> count, RandomKey key) {
        return drawClasses(tf, normalizedWeights(), count, key);
    }

    /** [count] indices k drawn with probabilities proportional to [weights]. */
    static Operand<TInt32> drawClasses(Ops tf, double[] weights, Operand<TInt32> count, RandomKey key) {
        float[][] logits = new float[1][weights.length];
        for (int k = 0; k < weights.length; k++) logits[0][k] = (float) Math.log(weights[k]);
        Operand<?> picks = tf.random.statelessMultinomial(tf.constant(logits), count, key.operand(tf));
        return tf.dtypes.cast(tf.reshape(picks, tf.constant(new int[] {-1})), TInt32.class);
    }

    @Override
    public Operand<TFloat32> sampleGiven(Ops tf, Operand<TInt32> labels, RandomKey key) {
        return shift(tf, labels, key.normal(tf, Tensors.shape(tf, tf.size(labels), dim), 1));
    }

    /** μ_k + s_k ξ for the components [index]. */
    private Operand<TFloat32> shift(Ops tf, Operand<TInt32> index, Operand<TFloat32> noise) {
        Operand<TFloat32> mu = tf.gather(tf.constant(means()), index, tf.constant(0));
        Operand<TFloat32> std = tf.reshape(tf.gather(tf.constant(stds()), index, tf.constant(0)), tf.constant(new int[] {-1, 1}));
        return tf.math.add(mu, tf.math.mul(std, noise));
    }

    public float[][] means() {
        float[][] m = new float[components.size()][dim];
        for (int k = 0; k < m.length; k++) {
            List<Double> mean = components.get(k).getMean();
            for (int j = 0; j < dim; j++) m[k][j] = mean.get(j).floatValue();
        }
        return m;
    }

    public float[] stds() {
        float[] s = new float[components.size()];
        for (int k = 0; k < s.length; k++) s[k] = (float) components.get(k).getStd();
        return s;
    }

    public float[] weights() {
        float[] w = new float[components.size()];
        for (int k = 0; k < w.length; k++) w[k] = (float) components.get(k).getWeight();
        return w;
    }

    /** log p(x) as a column [n, 1]. */
    @Override
    public Operand<TFloat32> logDensity(Ops tf, Operand<TFloat32> x) {
        Operand<TFloat32> one = Tensors.scalar(tf, 1);
        return Tensors.logSumExpColumns(tf, componentLogDensities(tf, x, one, tf.zerosLike(one)));
    }

    /**
     * [n, K]: log w_k + log N(x; α μ_k, (α² s_k² + β²) I), the components of the law of α Z + β ε for Z from this
     * mixture and ε ~ N(0, I) (α = 1, β = 0: the mixture itself).
     */
    public Operand<TFloat32> componentLogDensities(Ops tf, Operand<TFloat32> x, Operand<TFloat32> alpha, Operand<TFloat32> beta) {
        float[][] means = means();
        float[] stds = stds();
        float[] weights = weights();
        List<Operand<TFloat32>> columns = new java.util.ArrayList<>();
        for (int k = 0; k < means.length; k++) {
            Operand<TFloat32> variance = variance(tf, alpha, beta, stds[k]);
            Operand<TFloat32> offset = tf.math.sub(x, tf.math.mul(alpha, tf.constant(means[k])));
            Operand<TFloat32> squared = tf.reduceSum(tf.math.square(offset), tf.constant(new int[] {1}), ReduceSum.keepDims(true));
            Operand<TFloat32> logNormal = tf.math.sub(
                    tf.math.neg(tf.math.div(squared, tf.math.mul(Tensors.scalar(tf, 2), variance))),
                    tf.math.mul(Tensors.scalar(tf, dim / 2.0), tf.math.log(tf.math.mul(Tensors.scalar(tf, 2 * Math.PI), variance))));
            columns.add(tf.math.add(logNormal, Tensors.scalar(tf, Math.log(weights[k]))));
        }
        return columns.size() == 1 ? columns.get(0) : tf.concat(columns, tf.constant(1));
    }

    /** α² s² + β². */
    public static Operand<TFloat32> variance(Ops tf, Operand<TFloat32> alpha, Operand<TFloat32> beta, float std) {
        return tf.math.add(tf.math.mul(tf.math.square(alpha), Tensors.scalar(tf, std * std)), tf.math.square(beta));
    }
}
