package dev.flowkit.runtime.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowkit.runtime.compiler.CompiledExperiment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Atomic checkpoints in DIR/checkpoint: the TensorFlow variables (network, optimizer state, step)
 * and state.json (spec, loss history). A new checkpoint is written to a temporary folder and renamed
 * into place, so an interrupted write never leaves a half checkpoint behind.
 */
public final class Checkpoints {
    static final String FOLDER = "checkpoint";
    private static final String PREVIOUS = "checkpoint.previous";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path outDir;

    public Checkpoints(Path outDir) {
        this.outDir = outDir;
    }

    /** What a checkpoint records besides the variables. */
    public record State(long step, JsonNode spec, List<double[]> losses) {}

    public void save(CompiledExperiment experiment, State state) {
        try {
            Path temp = Files.createTempDirectory(outDir, ".checkpoint-");
            experiment.save(temp.resolve("variables"));
            ObjectNode node = JSON.createObjectNode();
            node.put("step", state.step());
            node.set("spec", state.spec());
            var losses = node.putArray("losses");
            for (double[] p : state.losses()) losses.addArray().add(p[0]).add(p[1]);
            JSON.writerWithDefaultPrettyPrinter().writeValue(temp.resolve("state.json").toFile(), node);
            Path current = outDir.resolve(FOLDER);
            Path previous = outDir.resolve(PREVIOUS);
            deleteTree(previous);
            if (Files.exists(current)) Files.move(current, previous, StandardCopyOption.ATOMIC_MOVE);
            Files.move(temp, current, StandardCopyOption.ATOMIC_MOVE);
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

    public State restore(CompiledExperiment experiment, Path folder) {
        try {
            JsonNode node = JSON.readTree(folder.resolve("state.json").toFile());
            experiment.restore(folder.resolve("variables"));
            List<double[]> losses = new ArrayList<>();
            for (JsonNode p : node.get("losses")) losses.add(new double[] {p.get(0).asDouble(), p.get(1).asDouble()});
            return new State(node.get("step").asLong(), node.get("spec"), losses);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the checkpoint in " + folder, e);
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
