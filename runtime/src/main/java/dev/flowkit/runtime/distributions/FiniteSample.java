package dev.flowkit.runtime.distributions;

import dev.flowkit.runtime.graph.RandomKey;
import dev.flowkit.runtime.graph.Tensors;
import dev.flowkit.spec.Quantization;
import java.util.Arrays;
import java.util.Random;
import org.tensorflow.ExecutionEnvironment;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The empirical distribution of a finite sample, held in the graph as two constants: training draws come with
 * replacement from the training rows, held-out draws without replacement from the other rows. Quantized rows
 * (integer levels) are dequantized afresh on every draw: level k becomes low + (high − low)(k + u)/2^bits. Labelled
 * rows keep their class label through the split and every draw.
 */
public class FiniteSample implements Distribution {
    private final Rows training;
    private final Rows heldOut;
    private final int dim;
    private final Quantization quantization;
    private final int classes;

    /**
     * Splits [rows] (row-major, [dim] values each) by a fixed pseudo-random permutation, the same in every run:
     * [heldOutRows] of them are held out. [quantization] null means the rows are points already.
     */
    public FiniteSample(float[] rows, int dim, int heldOutRows, Quantization quantization) {
        this(rows, null, dim, heldOutRows, quantization);
    }

    /** With a class label 0 … K − 1 per row ([labels] null: unlabelled); K is one more than the largest label. */
    public FiniteSample(float[] rows, int[] labels, int dim, int heldOutRows, Quantization quantization) {
        int n = rows.length / dim;
        if (labels != null && labels.length != n) throw new IllegalArgumentException(labels.length + " labels for " + n + " rows");
        if (heldOutRows < 1 || heldOutRows >= n) {
            throw new IllegalArgumentException("a finite sample of " + n + " rows cannot hold out " + heldOutRows);
        }
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        Random random = new Random(0x5EED); // fixed on purpose: the split is part of the data set, not of the run
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        this.heldOut = new Rows(gather(rows, dim, order, 0, heldOutRows), gather(labels, order, 0, heldOutRows), heldOutRows);
        this.training = new Rows(gather(rows, dim, order, heldOutRows, n), gather(labels, order, heldOutRows, n), n - heldOutRows);
        this.dim = dim;
        this.quantization = quantization;
        this.classes = labels == null ? 0 : Arrays.stream(labels).max().orElse(-1) + 1;
    }

    @Override
    public int dim() {
        return dim;
    }

    public int trainingRows() {
        return training.count;
    }

    public int heldOutRows() {
        return heldOut.count;
    }

    @Override
    public Operand<TFloat32> sample(Ops tf, Operand<TInt32> count, RandomKey key) {
        return dequantize(tf, tf.gather(training.constant(tf, dim), trainingIndex(tf, count, key), tf.constant(0)), key);
    }

    @Override
    public Operand<TFloat32> sampleHeldOut(Ops tf, Operand<TInt32> count, RandomKey key) {
        return dequantize(tf, tf.gather(heldOut.constant(tf, dim), heldOutIndex(tf, count, key), tf.constant(0)), key);
    }

    @Override
    public int classes() {
        return classes;
    }

    /** The classes' frequencies among the training rows. */
    @Override
    public double[] classWeights() {
        double[] weights = new double[classes];
        if (classes == 0) return weights;
        for (int label : training.labels) weights[label] += 1.0 / training.count;
        return weights;
    }

    /** The labels of [count] training rows drawn with replacement: the classes with their frequencies in the data. */
    @Override
    public Operand<TInt32> sampleLabels(Ops tf, Operand<TInt32> count, RandomKey key) {
        return tf.gather(training.labelConstant(tf), trainingIndex(tf, count, key), tf.constant(0));
    }

    @Override
    public Labelled sampleLabelled(Ops tf, Operand<TInt32> count, RandomKey key) {
        Operand<TInt32> index = trainingIndex(tf, count, key);
        return new Labelled(dequantize(tf, tf.gather(training.constant(tf, dim), index, tf.constant(0)), key),
                tf.gather(training.labelConstant(tf), index, tf.constant(0)));
    }

    @Override
    public Labelled sampleHeldOutLabelled(Ops tf, Operand<TInt32> count, RandomKey key) {
        Operand<TInt32> index = heldOutIndex(tf, count, key);
        return new Labelled(dequantize(tf, tf.gather(heldOut.constant(tf, dim), index, tf.constant(0)), key),
                tf.gather(heldOut.labelConstant(tf), index, tf.constant(0)));
    }

    private Operand<TInt32> trainingIndex(Ops tf, Operand<TInt32> count, RandomKey key) {
        return tf.random.statelessRandomUniformInt(tf.reshape(count, tf.constant(new int[] {1})),
                key.derive(1).operand(tf), tf.constant(0), tf.constant(training.count));
    }

    /** A random permutation's first [count] entries: the top-k of fresh uniform keys (count must be ≤ the rows). */
    private Operand<TInt32> heldOutIndex(Ops tf, Operand<TInt32> count, RandomKey key) {
        Operand<TFloat32> order = key.uniform(tf, tf.constant(new int[] {heldOut.count}), 1);
        return tf.nn.topK(order, count, TInt32.class).indices();
    }

    @Override
    public double bitsPerDimOffset() {
        return quantization == null ? 0 : quantization.getBitsPerDimOffset();
    }

    private Operand<TFloat32> dequantize(Ops tf, Operand<TFloat32> levels, RandomKey key) {
        if (quantization == null) return levels;
        Operand<TFloat32> u = key.uniform(tf, tf.shape(levels), 2);
        double width = (quantization.getHigh() - quantization.getLow()) / Math.pow(2, quantization.getBits());
        return tf.math.add(tf.math.mul(tf.math.add(levels, u), Tensors.scalar(tf, width)), Tensors.scalar(tf, quantization.getLow()));
    }

    private static int[] gather(int[] labels, int[] order, int from, int to) {
        if (labels == null) return null;
        int[] out = new int[to - from];
        for (int i = from; i < to; i++) out[i - from] = labels[order[i]];
        return out;
    }

    private static float[] gather(float[] rows, int dim, int[] order, int from, int to) {
        float[] out = new float[(to - from) * dim];
        for (int i = from; i < to; i++) System.arraycopy(rows, order[i] * dim, out, (i - from) * dim, dim);
        return out;
    }

    /** Rows (and their labels) kept on the host, made graph constants once per graph (every draw of that graph shares them). */
    private static final class Rows {
        final float[] values;
        final int[] labels;
        final int count;
        private ExecutionEnvironment env;
        private Operand<TFloat32> constant;
        private ExecutionEnvironment labelEnv;
        private Operand<TInt32> labelConstant;

        Rows(float[] values, int[] labels, int count) {
            this.values = values;
            this.labels = labels;
            this.count = count;
        }

        synchronized Operand<TInt32> labelConstant(Ops tf) {
            if (labels == null) throw new UnsupportedOperationException("this data set has no labels");
            ExecutionEnvironment current = tf.scope().env();
            if (labelConstant == null || labelEnv != current) {
                labelEnv = current;
                labelConstant = Ops.create(current).withSubScope("labels").constant(labels);
            }
            return labelConstant;
        }

        synchronized Operand<TFloat32> constant(Ops tf, int dim) {
            ExecutionEnvironment current = tf.scope().env();
            if (constant == null || env != current) {
                env = current;
                // A fresh root scope: free of whatever control dependencies the first caller's scope carries.
                constant = Ops.create(current).withSubScope("rows").constant(Shape.of(count, dim), DataBuffers.of(values, true, false));
            }
            return constant;
        }
    }
}
