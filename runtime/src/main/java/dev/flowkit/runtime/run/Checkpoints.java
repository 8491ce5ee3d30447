package dev.flowkit.runtime.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowkit.runtime.compiler.CompiledExperiment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Atomic checkpoints in DIR/checkpoint: the TensorFlow variables (network, optimizer state, step,
 * loss window) and state.json (spec, loss history). A new checkpoint is written to a temporary folder,
 * forced to disk and renamed into place; the previous one is kept as checkpoint.previous until then,
 * so an interrupted save (or a crash between the renames) always leaves one complete checkpoint.
 */
public final class Checkpoints {
    static final String FOLDER = "checkpoint";
    private static final String PREVIOUS = "checkpoint.previous";
    private static final String TEMP_PREFIX = ".checkpoint-";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path outDir;

    public Checkpoints(Path outDir) {
        this.outDir = outDir;
    }

    /**
     * What a checkpoint records besides the variables; [trainingSeconds] sums the training time of every run so far;
     * [evaluations] are the model metrics computed during training (train.evaluateEvery).
     */
    public record State(long step, JsonNode spec, List<double[]> losses, double trainingSeconds, List<Evaluated> evaluations) {
        public State(long step, JsonNode spec, List<double[]> losses, double trainingSeconds) {
            this(step, spec, losses, trainingSeconds, List.of());
        }
    }

    /** Metric values at a training step. */
    public record Evaluated(long step, java.util.Map<String, Double> values) {}

    public void save(CompiledExperiment experiment, State state) {
        try {
            removeStaleTemporaries();
            Path temp = Files.createTempDirectory(outDir, TEMP_PREFIX);
            experiment.save(temp.resolve("variables"));
            ObjectNode node = JSON.createObjectNode();
            node.put("step", state.step());
            node.set("spec", state.spec());
            node.put("trainingSeconds", state.trainingSeconds());
            var losses = node.putArray("losses");
            for (double[] p : state.losses()) losses.addArray().add(p[0]).add(p[1]);
            var evaluations = node.putArray("evaluations");
            for (Evaluated e : state.evaluations()) {
                ObjectNode entry = evaluations.addObject().put("step", e.step());
                e.values().forEach(entry::put);
            }
            JSON.writerWithDefaultPrettyPrinter().writeValue(temp.resolve("state.json").toFile(), node);
            syncTree(temp);
            Path current = outDir.resolve(FOLDER);
            Path previous = outDir.resolve(PREVIOUS);
            if (Files.exists(current)) {
                // keep the last good checkpoint as `previous` until the new one is in place
                deleteTree(previous);
                Files.move(current, previous, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(temp, current, StandardCopyOption.ATOMIC_MOVE);
            sync(outDir);
            deleteTree(previous);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the checkpoint in " + outDir, e);
        }
    }

    /** The latest complete checkpoint folder, if any (a crash between the two renames leaves the previous one). */
    public Path latest() {
        Path current = outDir.resolve(FOLDER);
        if (Files.exists(current.resolve("state.json"))) return current;
        Path previous = outDir.resolve(PREVIOUS);
        if (Files.exists(previous.resolve("state.json"))) return previous;
        return null;
    }

    /** Reads what a checkpoint folder records, without touching any variables. */
    public State readState(Path folder) {
        try {
            JsonNode node = JSON.readTree(folder.resolve("state.json").toFile());
            List<double[]> losses = new ArrayList<>();
            for (JsonNode p : node.get("losses")) losses.add(new double[] {p.get(0).asDouble(), p.get(1).asDouble()});
            List<Evaluated> evaluations = new ArrayList<>();
            for (JsonNode e : node.path("evaluations")) {
                java.util.Map<String, Double> values = new java.util.LinkedHashMap<>();
                e.fields().forEachRemaining(f -> { if (!f.getKey().equals("step")) values.put(f.getKey(), f.getValue().asDouble()); });
                evaluations.add(new Evaluated(e.get("step").asLong(), values));
            }
            // trainingSeconds: 0 for checkpoints written before it was recorded
            return new State(node.get("step").asLong(), node.get("spec"), losses, node.path("trainingSeconds").asDouble(0), evaluations);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the checkpoint in " + folder, e);
        }
    }

    /** Loads the checkpoint's variables into [experiment] (whose spec must match; see readState). */
    public void restoreVariables(CompiledExperiment experiment, Path folder) {
        experiment.restore(folder.resolve("variables"));
    }

    /** Temporary folders of a save that was interrupted. */
    private void removeStaleTemporaries() throws IOException {
        try (Stream<Path> entries = Files.list(outDir)) {
            for (Path p : entries.filter(p -> p.getFileName().toString().startsWith(TEMP_PREFIX)).toList()) deleteTree(p);
        }
    }

    /** Forces files and folders of [root] to disk, so that the rename publishes complete data. */
    private static void syncTree(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.toList()) sync(p);
        }
    }

    private static void sync(Path p) throws IOException {
        boolean folder = Files.isDirectory(p);
        try (FileChannel channel = FileChannel.open(p, folder ? StandardOpenOption.READ : StandardOpenOption.WRITE)) {
            channel.force(true);
        } catch (IOException e) {
            if (!folder) throw e; // some file systems cannot sync a folder; the files themselves are synced
        }
    }

    /** Deletes a folder and everything in it (nothing when it does not exist). */
    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
