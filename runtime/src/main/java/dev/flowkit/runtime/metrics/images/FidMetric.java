package dev.flowkit.runtime.metrics.images;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowkit.runtime.distributions.DatasetDistribution;
import dev.flowkit.runtime.metrics.Evaluation;
import dev.flowkit.runtime.metrics.Metric;
import dev.flowkit.runtime.output.ConsoleProgress;
import dev.flowkit.runtime.run.Checkpoints;
import dev.flowkit.runtime.run.TrainingListener;
import dev.flowkit.spec.Dataset;
import dev.flowkit.spec.DistributionSpec;
import dev.flowkit.spec.Fid;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LeNet-FID, KID and classifier accuracies (see {@link Fid}). The classifier is trained once per data set and kept in
 * `.flowkit-cache/` beside the data file, keyed by a hash of the data and label bytes, the split and the classifier
 * settings; later runs load it. Close the metric to release the classifier's graph.
 */
public final class FidMetric implements Metric, AutoCloseable {
    private static final String VERSION = "lenet-2"; // part of the cache key: bump when the classifier's variables change
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Fid spec;
    private ImageClassifier classifier;
    private double heldOutAccuracy;

    public FidMetric(Fid spec) {
        this.spec = spec;
    }

    @Override
    public void prepare(DistributionSpec data, TrainingListener listener) throws IOException {
        if (classifier != null) return;
        if (!(data instanceof Dataset dataset) || dataset.getImageShape() == null) {
            throw new IllegalArgumentException("fid needs image data from dataset(file)");
        }
        String labels = spec.getLabels() != null ? spec.getLabels() : dataset.getLabels();
        if (labels == null) throw new IllegalArgumentException("fid needs the labels of the data's rows (fid(labels = …))");
        Dataset labelled = dataset.copy(dataset.getFile(), dataset.getHeldOut(), dataset.getQuantization(), labels);
        Path cache = cacheFolder(labelled);
        ImageClassifier built = new ImageClassifier(new DatasetDistribution(labelled), dataset.getImageShape(), 0,
                spec.getBatchSize(), spec.getClassifierSteps());
        try {
            Path state = cache.resolve("classifier.json");
            if (Files.exists(state)) {
                built.restore(cache.resolve("variables"));
                heldOutAccuracy = JSON.readTree(state.toFile()).get("heldOutAccuracy").asDouble();
                listener.status("fid: LeNet classifier from " + cache + " (held-out accuracy " + String.format(java.util.Locale.ROOT, "%.4f", heldOutAccuracy) + ")");
            } else {
                listener.status("fid: training the LeNet classifier on the labelled training images (" + spec.getClassifierSteps() + " steps)");
                built.train(spec.getClassifierSteps(), listener instanceof ConsoleProgress ? new ConsoleProgress("classifier", System.err) : TrainingListener.SILENT);
                heldOutAccuracy = built.heldOutAccuracy();
                listener.status("fid: classifier held-out accuracy " + String.format(java.util.Locale.ROOT, "%.4f", heldOutAccuracy) + ", cached in " + cache);
                store(built, cache);
            }
        } catch (IOException | RuntimeException e) {
            built.close();
            throw e;
        }
        classifier = built;
    }

    @Override
    public Map<String, Double> compute(float[][] samples, float[][] data) {
        return compute(new Evaluation(samples, null, data, null, null));
    }

    @Override
    public Map<String, Double> compute(Evaluation e) {
        if (classifier == null) throw new IllegalStateException("fid: prepare() was not called");
        float[][] a = classifier.features(e.samples());
        float[][] b = classifier.features(e.data());
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("fid", FrechetDistance.between(FrechetDistance.Gaussian.fit(a), FrechetDistance.Gaussian.fit(b)));
        values.put("kid", KernelDistance.between(a, b));
        values.put("classifierAccuracy", heldOutAccuracy);
        if (e.sampleLabels() != null) {
            int[] guessed = classifier.predict(e.samples());
            int right = 0;
            for (int i = 0; i < guessed.length; i++) if (guessed[i] == e.sampleLabels()[i]) right++;
            values.put("sampleAccuracy", right / (double) guessed.length);
        }
        return values;
    }

    /** The trained classifier (after prepare), e.g. for class accuracies of samples. */
    public ImageClassifier classifier() {
        return classifier;
    }

    @Override
    public void close() {
        if (classifier != null) classifier.close();
        classifier = null;
    }

    private Path cacheFolder(Dataset data) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (String file : List.of(data.getFile(), data.getLabels())) {
            try (InputStream in = new DigestInputStream(Files.newInputStream(Path.of(file)), digest)) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
            }
        }
        String settings = VERSION + " " + data.getHeldOut() + " " + data.getQuantization() + " " + spec.getClassifierSteps() + " " + spec.getBatchSize();
        digest.update(settings.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        String key = HexFormat.of().formatHex(digest.digest()).substring(0, 16);
        Path parent = Path.of(data.getFile()).toAbsolutePath().getParent();
        return parent.resolve(".flowkit-cache").resolve("lenet-" + key);
    }

    /** Variables and classifier.json written to a temporary folder, then renamed into place. */
    private void store(ImageClassifier built, Path cache) throws IOException {
        Files.createDirectories(cache.getParent());
        Path temp = Files.createTempDirectory(cache.getParent(), ".lenet-");
        built.save(temp.resolve("variables"));
        ObjectNode node = JSON.createObjectNode();
        node.put("heldOutAccuracy", heldOutAccuracy);
        node.put("steps", spec.getClassifierSteps());
        node.put("batchSize", spec.getBatchSize());
        JSON.writerWithDefaultPrettyPrinter().writeValue(temp.resolve("classifier.json").toFile(), node);
        try {
            Files.move(temp, cache, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) { // another run stored it first: keep theirs
            Checkpoints.deleteTree(temp);
            if (!Files.exists(cache.resolve("classifier.json"))) throw e;
        }
    }

}
