package dev.flowkit.runtime.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.summary.SummaryWriter;
import org.tensorflow.op.summary.WriteImageSummary;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;

/**
 * TensorFlow event files in DIR/tensorboard/, written by TensorFlow's own summary ops in a small graph of their own:
 * scalars (training loss and learning rate per log window, final metrics) and images (samples). `tensorboard
 * --logdir out/` shows every run; a resumed run adds a new event file whose steps continue the old one's.
 */
public final class TensorBoard implements AutoCloseable {
    private final Graph graph = new Graph();
    private final Session session;
    private final Ops tf;
    private final SummaryWriter writer;
    private final Placeholder<TInt64> step;
    private final Placeholder<TString> tag;
    private final Placeholder<TFloat32> value;
    private final Op writeScalar;
    private final Map<Integer, ImageOp> imageOps = new HashMap<>();
    private final Op flush;
    private final Op closeWriter;

    private record ImageOp(Placeholder<TUint8> pixels, Op write) {}

    public TensorBoard(Path runDir) {
        Path logdir = runDir.resolve("tensorboard");
        try {
            Files.createDirectories(logdir);
        } catch (IOException e) {
            throw new UncheckedIOException("could not create " + logdir, e);
        }
        try {
            tf = Ops.create(graph);
            writer = tf.summary.summaryWriter();
            step = tf.placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
            tag = tf.placeholder(TString.class, Placeholder.shape(Shape.scalar()));
            value = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
            writeScalar = tf.summary.writeScalarSummary(writer, step, tag, value);
            flush = tf.summary.flushSummaryWriter(writer);
            closeWriter = tf.summary.closeSummaryWriter(writer);
            Op create = tf.summary.createSummaryFileWriter(writer, tf.constant(logdir.toAbsolutePath().toString()), tf.constant(10),
                    tf.constant(30_000), tf.constant(".flowkit"));
            session = new Session(graph);
            session.runner().addTarget(create).run().close();
        } catch (RuntimeException e) {
            graph.close();
            throw e;
        }
    }

    public synchronized void scalar(String name, long at, double v) {
        try (TInt64 s = TInt64.scalarOf(at); TString t = TString.scalarOf(name); TFloat32 x = TFloat32.scalarOf((float) v)) {
            session.runner().feed(step, s).feed(tag, t).feed(value, x).addTarget(writeScalar).run().close();
        }
    }

    /**
     * Up to [max] images from rows of [height · width · channels] values, [low] shown black and [high] white
     * (values outside clipped).
     */
    public synchronized void images(String name, long at, float[][] rows, int height, int width, int channels, double low, double high, int max) {
        int n = Math.min(max, rows.length);
        if (n == 0) return;
        byte[] bytes = new byte[n * height * width * channels];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < height * width * channels; j++) {
                double unit = (rows[i][j] - low) / (high - low);
                bytes[i * height * width * channels + j] = (byte) Math.round(255 * Math.max(0, Math.min(1, Double.isFinite(unit) ? unit : 0)));
            }
        }
        ImageOp op = imageOps.computeIfAbsent(channels, c -> {
            Placeholder<TUint8> pixels = tf.placeholder(TUint8.class, Placeholder.shape(Shape.of(-1, -1, -1, c)));
            Op write = tf.summary.writeImageSummary(writer, step, tag, pixels, tf.dtypes.cast(tf.zeros(tf.constant(new int[] {c}), TFloat32.class),
                    TUint8.class), WriteImageSummary.maxImages((long) max));
            return new ImageOp(pixels, write);
        });
        try (TInt64 s = TInt64.scalarOf(at); TString t = TString.scalarOf(name);
             TUint8 p = TUint8.tensorOf(Shape.of(n, height, width, channels), DataBuffers.of(bytes, true, false))) {
            session.runner().feed(step, s).feed(tag, t).feed(op.pixels(), p).addTarget(op.write()).run().close();
        }
    }

    public synchronized void flush() {
        session.runner().addTarget(flush).run().close();
    }

    @Override
    public synchronized void close() {
        try {
            session.runner().addTarget(closeWriter).run().close();
        } finally {
            session.close();
            graph.close();
        }
    }
}
