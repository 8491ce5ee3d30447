package dev.flowkit.runtime.metrics.images;

import dev.flowkit.runtime.compiler.SessionOptions;
import dev.flowkit.runtime.distributions.Distribution;
import dev.flowkit.runtime.distributions.FiniteSample;
import dev.flowkit.runtime.graph.RandomKey;
import dev.flowkit.runtime.graph.Tensors;
import dev.flowkit.runtime.networks.Dense;
import dev.flowkit.runtime.networks.Parameters;
import dev.flowkit.runtime.optimizers.AdamOptimizer;
import dev.flowkit.runtime.run.TrainingListener;
import dev.flowkit.spec.Adam;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * A LeNet-style image classifier in a graph of its own: conv 5×5 (6) → ReLU → max-pool 2 → conv 5×5 (16) → ReLU →
 * max-pool 2 → dense 120 → ReLU → dense 84 → ReLU → dense K (zero-padded convolutions, so any image size works).
 * The 84 activations are the features of image metrics. Trained with Adam on cross-entropy over batches of the
 * labelled training rows (dequantized afresh each step, as the generative model sees them). Close it.
 */
public final class ImageClassifier implements AutoCloseable {
    public static final int FEATURES = 84;
    private final FiniteSample data;
    private final Graph graph;
    private final Session session;
    private final Op update;
    private final Operand<TFloat32> loss;
    private final Placeholder<TFloat32> images;
    private final Operand<TFloat32> features;
    private final Operand<TInt64> predicted;
    private final Operand<TFloat32> heldOutPoints;
    private final Operand<TInt32> heldOutLabels;

    /** [image] is [height, width, channels]; [data] must be labelled; [seed] keys the weights and batches. */
    public ImageClassifier(FiniteSample data, List<Integer> image, long seed, int batchSize, int steps) {
        if (data.classes() < 2) throw new IllegalArgumentException("an image classifier needs labelled data with at least 2 classes");
        this.data = data;
        this.graph = new Graph();
        try {
            Ops tf = Ops.create(graph);
            Parameters p = new Parameters(tf, RandomKey.of(tf, seed, -1));
            int h = image.get(0);
            int w = image.get(1);
            int c = image.get(2);
            int h2 = (h + 3) / 4;
            int w2 = (w + 3) / 4;
            Variable<TFloat32> f1 = p.uniform("conv1", 25 * c, 5, 5, c, 6);
            Variable<TFloat32> b1 = p.zeros("conv1.b", 6);
            Variable<TFloat32> f2 = p.uniform("conv2", 25 * 6, 5, 5, 6, 16);
            Variable<TFloat32> b2 = p.zeros("conv2.b", 16);
            int flat = h2 * w2 * 16;
            int[] widths = {flat, 120, FEATURES, data.classes()};
            List<Dense> dense = new ArrayList<>();
            for (int i = 0; i + 1 < widths.length; i++) dense.add(new Dense(p, "dense" + i, widths[i], widths[i + 1]));
            Network net = new Network(h, w, c, flat, f1, b1, f2, b2, dense);

            Variable<TInt64> step = tf.withName("step").variable(tf.constant(0L));
            RandomKey key = new RandomKey(tf.stack(List.of(tf.constant(seed), tf.identity(step))));
            Distribution.Labelled batch = data.sampleLabelled(tf, tf.constant(batchSize), key);
            Operand<TFloat32> logits = net.logits(tf, net.features(tf, batch.points()));
            Operand<TFloat32> oneHot = tf.oneHot(batch.labels(), tf.constant(data.classes()), tf.constant(1f), tf.constant(0f));
            this.loss = tf.math.neg(tf.math.mean(tf.reduceSum(tf.math.mul(oneHot, tf.nn.logSoftmax(logits)), tf.constant(1),
                    ReduceSum.keepDims(false)), tf.constant(0)));
            this.update = new AdamOptimizer(new Adam(1e-3, List.of(0.9, 0.999), 1e-8, null, dev.flowkit.spec.Decay.COSINE))
                    .minimize(tf, loss, p.trainable(), step, steps);

            this.images = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, (long) h * w * c)));
            this.features = net.features(tf, images);
            this.predicted = tf.math.argMax(net.logits(tf, features), tf.constant(1), TInt64.class);
            Distribution.Labelled heldOut = data.sampleHeldOutLabelled(tf, tf.constant(data.heldOutRows()), RandomKey.of(tf, seed, -2));
            this.heldOutPoints = heldOut.points();
            this.heldOutLabels = heldOut.labels();
            this.session = new Session(graph, new SessionOptions(Runtime.getRuntime().availableProcessors(), 1).toConfig());
            session.initialize();
        } catch (RuntimeException e) {
            graph.close();
            throw e;
        }
    }

    /** Trains for [steps] steps, reporting the loss to [listener] every 100. */
    public void train(int steps, TrainingListener listener) {
        listener.started(0, steps);
        for (int i = 0; i < steps; i++) {
            boolean read = (i + 1) % 100 == 0 || i + 1 == steps;
            Session.Runner runner = session.runner().addTarget(update);
            if (!read) {
                runner.run().close();
                continue;
            }
            try (Result r = runner.fetch(loss).run()) {
                listener.progress(i + 1, ((TFloat32) r.get(0)).getFloat());
            }
        }
        listener.finished();
    }

    /** The share of held-out rows classified as their label. */
    public double heldOutAccuracy() {
        float[][] points;
        int[] labels;
        try (Result r = session.runner().fetch(heldOutPoints).fetch(heldOutLabels).run()) {
            points = Tensors.toMatrix(r.get(0));
            labels = Tensors.toIntArray(r.get(1));
        }
        int[] guessed = predict(points);
        int right = 0;
        for (int i = 0; i < labels.length; i++) if (guessed[i] == labels[i]) right++;
        return right / (double) labels.length;
    }

    /** The 84 features of each image row, in batches of 500. */
    public float[][] features(float[][] rows) {
        float[][] out = new float[rows.length][];
        for (int from = 0; from < rows.length; from += 500) {
            float[][] chunk = Arrays.copyOfRange(rows, from, Math.min(rows.length, from + 500));
            try (TFloat32 fed = Tensors.matrix(chunk); Result r = session.runner().feed(images, fed).fetch(features).run()) {
                float[][] f = Tensors.toMatrix(r.get(0));
                System.arraycopy(f, 0, out, from, f.length);
            }
        }
        return out;
    }

    /** The most probable class of each image row. */
    public int[] predict(float[][] rows) {
        int[] out = new int[rows.length];
        for (int from = 0; from < rows.length; from += 500) {
            float[][] chunk = Arrays.copyOfRange(rows, from, Math.min(rows.length, from + 500));
            try (TFloat32 fed = Tensors.matrix(chunk); Result r = session.runner().feed(images, fed).fetch(predicted).run()) {
                TInt64 classes = (TInt64) r.get(0);
                for (int i = 0; i < chunk.length; i++) out[from + i] = (int) classes.getLong(i);
            }
        }
        return out;
    }

    public void save(Path prefix) {
        session.save(prefix.toString());
    }

    public void restore(Path prefix) {
        session.restore(prefix.toString());
    }

    @Override
    public void close() {
        session.close();
        graph.close();
    }

    /** The layers, applied to image rows [n, h·w·c]. */
    private record Network(int h, int w, int c, int flat, Variable<TFloat32> f1, Variable<TFloat32> b1, Variable<TFloat32> f2,
                           Variable<TFloat32> b2, List<Dense> dense) {
        Operand<TFloat32> features(Ops tf, Operand<TFloat32> rows) {
            Operand<TFloat32> x = tf.reshape(rows, tf.constant(new int[] {-1, h, w, c}));
            x = pool(tf, tf.nn.relu(tf.nn.biasAdd(tf.nn.conv2d(x, f1, List.of(1L, 1L, 1L, 1L), "SAME"), b1)));
            x = pool(tf, tf.nn.relu(tf.nn.biasAdd(tf.nn.conv2d(x, f2, List.of(1L, 1L, 1L, 1L), "SAME"), b2)));
            Operand<TFloat32> v = tf.reshape(x, tf.constant(new int[] {-1, flat}));
            for (int i = 0; i < 2; i++) v = tf.nn.relu(dense.get(i).apply(tf, v));
            return v;
        }

        Operand<TFloat32> logits(Ops tf, Operand<TFloat32> features) {
            return dense.get(2).apply(tf, features);
        }

        private static Operand<TFloat32> pool(Ops tf, Operand<TFloat32> x) {
            return tf.nn.maxPool(x, tf.constant(new int[] {1, 2, 2, 1}), tf.constant(new int[] {1, 2, 2, 1}), "SAME");
        }
    }
}
