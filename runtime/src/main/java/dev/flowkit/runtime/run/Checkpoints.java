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
 * forced to disk and renamed into place; the one before it stays as checkpoint.previous, so an interrupted
 * save (or a crash between the renames) always leaves a complete checkpoint, and a checkpoint damaged later
 * (truncated or overwritten files) still has an older one to fall back to.
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
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the checkpoint in " + outDir, e);
        }
    }

    /** A checkpoint folder whose files look intact, and what its state.json records. */
    public record Candidate(Path folder, State state) {}

    /**
     * The checkpoints that look intact, newest first: checkpoint, then checkpoint.previous (a crash between the two
     * renames of a save leaves only the latter). One whose state.json does not read, or whose variables are missing,
     * empty or not a TensorFlow checkpoint, is left out and described to [damaged].
     */
    public List<Candidate> intact(java.util.function.Consumer<String> damaged) {
        List<Candidate> found = new ArrayList<>();
        for (String name : List.of(FOLDER, PREVIOUS)) {
            Path folder = outDir.resolve(name);
            if (!Files.exists(folder.resolve("state.json"))) continue;
            String problem = damage(folder);
            State state = null;
            if (problem == null) {
                try {
                    state = readState(folder);
                } catch (RuntimeException e) {
                    problem = name + "/state.json does not read (" + e.getMessage() + ")";
                }
            }
            if (problem == null) found.add(new Candidate(folder, state));
            else damaged.accept(problem);
        }
        return found;
    }

    /** What is wrong with a checkpoint folder's variable files, or null when they look intact. */
    private static String damage(Path folder) {
        String name = folder.getFileName().toString();
        Path index = folder.resolve("variables.index");
        try {
            if (!Files.exists(index)) return name + "/variables.index is missing";
            long size = Files.size(index);
            // a TensorFlow checkpoint index is an SSTable: a 48-byte footer ending in its magic number
            if (size < 48) return name + "/variables.index is damaged (" + size + " bytes, too short for a TensorFlow checkpoint index)";
            java.nio.ByteBuffer tail = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            try (FileChannel channel = FileChannel.open(index, StandardOpenOption.READ)) {
                channel.read(tail, size - 8);
            }
            if (tail.getLong(0) != SSTABLE_MAGIC) return name + "/variables.index is damaged (it does not end as a TensorFlow checkpoint index does)";
            try (Stream<Path> files = Files.list(folder)) {
                List<Path> data = files.filter(p -> p.getFileName().toString().startsWith("variables.data-")).toList();
                if (data.isEmpty()) return name + "/variables.data-* is missing";
                for (Path d : data) if (Files.size(d) == 0) return name + "/" + d.getFileName() + " is empty";
            }
            return null;
        } catch (IOException e) {
            return name + "/variables.index does not read (" + e.getMessage() + ")";
        }
    }

    private static final long SSTABLE_MAGIC = 0xdb4775248b80fb57L;

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

    /**
     * Loads the variables of the first of [candidates] that TensorFlow can restore, by [restore] (given a checkpoint's
     * variables prefix), telling [warn] about every damaged checkpoint skipped, those found by [intact] ([earlier])
     * included, with what [using] says was done instead ("resumed from", "loaded"); throws naming all of them if none
     * restores.
     */
    public Candidate restoreFirst(java.util.function.Consumer<Path> restore, List<Candidate> candidates, List<String> earlier,
                                  String using, java.util.function.Consumer<String> warn) {
        List<String> problems = new ArrayList<>(earlier);
        for (Candidate c : candidates) {
            try {
                restore.accept(c.folder().resolve("variables"));
                for (String p : problems) warn.accept(p + "; " + using + " " + c.folder().getFileName() + " instead");
                return c;
            } catch (org.tensorflow.exceptions.TensorFlowException e) {
                String first = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
                problems.add(c.folder().getFileName() + "/variables are damaged (TensorFlow: " + first + ")");
            }
        }
        throw noneIntact(problems);
    }

    /** The error when every checkpoint here is damaged, naming each problem. */
    public IllegalArgumentException noneIntact(List<String> problems) {
        return noneIntact(problems, "resume", "; run without --resume to start over");
    }

    /** The same for another use of the checkpoint ([purpose], e.g. "load"), with a [hint] of what to do. */
    public IllegalArgumentException noneIntact(List<String> problems, String purpose, String hint) {
        return new IllegalArgumentException("no intact checkpoint to " + purpose + " in " + outDir + ": " + String.join("; ", problems) + hint);
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
