package dev.flowkit.runtime.networks.unet;

import dev.flowkit.runtime.networks.Dense;
import dev.flowkit.runtime.networks.Parameters;

import dev.flowkit.runtime.graph.Tensors;
import dev.flowkit.runtime.networks.Activations;
import dev.flowkit.spec.Activation;
import dev.flowkit.spec.TimeFeatures;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * e = act(Dense(features(t)) + class row): features are sin/cos of 2π t w for fixed w ~ N(0, scale²) (random Fourier
 * features) or the transformer's sinusoids of 1000 t; for labelled data a learned row per class is added, row K being
 * the null class ∅ (used when no label is given). [m, width] with m = 1 for a scalar t.
 */
final class TimeEmbedding {
    private final Operand<TFloat32> frequencies; // [1, width/2], cycles per unit of t
    private final Dense projection;
    private final Variable<TFloat32> classes;
    private final int classCount;
    private final Activation activation;

    TimeEmbedding(Ops tf, Parameters p, int width, TimeFeatures features, double scale, int classCount, Activation activation) {
        int half = width / 2;
        if (features == TimeFeatures.FOURIER) {
            this.frequencies = tf.reshape(p.fixedNormal("time.fourier", scale, half), tf.constant(new int[] {1, half}));
        } else {
            float[] f = new float[half];
            for (int i = 0; i < half; i++) f[i] = (float) (1000 * Math.exp(-Math.log(10000) * i / half) / (2 * Math.PI));
            this.frequencies = tf.constant(new float[][] {f});
        }
        this.projection = new Dense(p, "time.dense", width, width);
        this.classes = classCount == 0 ? null : p.uniform("time.classes", width, classCount + 1, width);
        this.classCount = classCount;
        this.activation = activation;
    }

    Operand<TFloat32> apply(Ops tf, Operand<TFloat32> t, Operand<TInt32> labels, boolean training) {
        Operand<TFloat32> phase = tf.math.mul(tf.math.mul(tf.reshape(t, tf.constant(new int[] {-1, 1})), frequencies),
                Tensors.scalar(tf, 2 * Math.PI));
        Operand<TFloat32> e = projection.apply(tf, tf.concat(List.of(tf.math.sin(phase), tf.math.cos(phase)), tf.constant(1)));
        if (classes != null) {
            Operand<TInt32> rows = labels == null ? tf.constant(new int[] {classCount}) : labels;
            e = tf.math.add(e, tf.gather(classes, rows, tf.constant(0)));
        }
        return Activations.apply(tf, e, activation, training);
    }
}
