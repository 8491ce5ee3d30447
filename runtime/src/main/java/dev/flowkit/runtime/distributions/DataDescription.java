package dev.flowkit.runtime.distributions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowkit.runtime.graph.RandomKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * What a trained model keeps of its data (a run writes it as data.json beside spec.json): the dimension, the
 * classes and their probabilities, the image shape and the bits-per-dimension offset of quantized data. It stands
 * in for the data where a trained model is used without its data file: it draws class labels but no points.
 */
public final class DataDescription implements Distribution {
    public static final String FILE = "data.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final int dim;
    private final double[] classWeights;
    private final List<Integer> imageShape;
    private final double bitsPerDimOffset;

    public DataDescription(int dim, double[] classWeights, List<Integer> imageShape, double bitsPerDimOffset) {
        this.dim = dim;
        this.classWeights = classWeights.clone();
        this.imageShape = imageShape == null ? null : List.copyOf(imageShape);
        this.bitsPerDimOffset = bitsPerDimOffset;
    }

    /** The description of [data], whose points have [imageShape] (null when they are not images). */
    public static DataDescription of(Distribution data, List<Integer> imageShape) {
        return new DataDescription(data.dim(), data.classWeights(), imageShape, data.bitsPerDimOffset());
    }

    @Override
    public int dim() {
        return dim;
    }

    @Override
    public int classes() {
        return classWeights.length;
    }

    @Override
    public double[] classWeights() {
        return classWeights.clone();
    }

    /** [height, width, channels], or null when the points are not images. */
    public List<Integer> imageShape() {
        return imageShape;
    }

    @Override
    public double bitsPerDimOffset() {
        return bitsPerDimOffset;
    }

    @Override
    public Operand<TInt32> sampleLabels(Ops tf, Operand<TInt32> count, RandomKey key) {
        if (classes() == 0) return Distribution.super.sampleLabels(tf, count, key);
        return GaussianMixtureDistribution.drawClasses(tf, classWeights, count, key);
    }

    @Override
    public Operand<TFloat32> sample(Ops tf, Operand<TInt32> count, RandomKey key) {
        throw new UnsupportedOperationException("a trained model does not carry its data; only its description (" + FILE + ")");
    }

    public void write(Path file) {
        ObjectNode node = JSON.createObjectNode();
        node.put("dim", dim);
        node.put("classes", classes());
        var weights = node.putArray("classWeights");
        for (double w : classWeights) weights.add(w);
        if (imageShape != null) {
            var shape = node.putArray("imageShape");
            imageShape.forEach(shape::add);
        }
        node.put("bitsPerDimOffset", bitsPerDimOffset);
        try {
            JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), node);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file, e);
        }
    }

    /** Reads a description written by {@link #write}; a missing or malformed field is named in the message. */
    public static DataDescription read(Path file) throws IOException {
        JsonNode node = JSON.readTree(file.toFile());
        int dim = required(node, "dim", file).asInt();
        if (dim < 1) throw new IOException(file + ": dim must be > 0, was " + dim);
        double[] weights = new double[node.path("classWeights").size()];
        for (int k = 0; k < weights.length; k++) weights[k] = node.get("classWeights").get(k).asDouble();
        List<Integer> shape = null;
        if (node.has("imageShape")) {
            shape = new ArrayList<>();
            for (JsonNode s : node.get("imageShape")) shape.add(s.asInt());
        }
        return new DataDescription(dim, weights, shape, node.path("bitsPerDimOffset").asDouble(0));
    }

    private static JsonNode required(JsonNode node, String field, Path file) throws IOException {
        if (!node.hasNonNull(field)) throw new IOException(file + ": the field " + field + " is missing");
        return node.get(field);
    }
}
