package dev.flowkit.runtime.distributions;

import dev.flowkit.runtime.graph.RandomKey;
import dev.flowkit.runtime.graph.Tensors;
import dev.flowkit.spec.MixtureSpec;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
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

    /** Component indices drawn with the weights. */
    @Override
    public Operand<TInt32> sampleLabels(Ops tf, Operand<TInt32> count, RandomKey key) {
        float[][] logits = new float[1][components.size()];
        for (int k = 0; k < components.size(); k++) logits[0][k] = (float) Math.log(components.get(k).getWeight());
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
}
