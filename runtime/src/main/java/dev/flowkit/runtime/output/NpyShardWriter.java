package dev.flowkit.runtime.output;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowkit.spec.NpyShards;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;

/**
 * Writes one array as .npy shards beside a manifest (see {@link NpyShards}): MANIFEST.json names STEM-00000.npy, … in
 * order, STEM being the manifest's name without .json. Every file goes to a temporary name first and is renamed into
 * place, so a reader never sees half a shard or a manifest naming shards not yet written.
 */
public final class NpyShardWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private NpyShardWriter() {}

    /** The file of shard [index] of [manifest]. */
    public static Path shard(Path manifest, int index) {
        String stem = manifest.getFileName().toString().replaceAll("\\.json$", "");
        return manifest.resolveSibling(String.format(Locale.ROOT, "%s-%05d.npy", stem, index));
    }

    public static void writeShard(Path file, float[][] rows) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Npy.write(tmp, rows);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public static void writeShard(Path file, int[] values) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Npy.write(tmp, values);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The manifest of shards 0 … n − 1 holding [rows] rows each, of [dtype] and [shape]; [summary] (may be null) rides along. */
    public static void writeManifest(Path manifest, String dtype, List<Long> shape, List<Long> rows, ObjectNode summary) throws IOException {
        List<NpyShards.Shard> entries = new java.util.ArrayList<>();
        for (int i = 0; i < rows.size(); i++) entries.add(new NpyShards.Shard(shard(manifest, i).getFileName().toString(), rows.get(i)));
        ObjectNode node = (ObjectNode) JSON.readTree(new NpyShards(NpyShards.FORMAT, dtype, shape, entries, null).encode());
        if (summary != null) node.set("summary", summary);
        Path tmp = manifest.resolveSibling(manifest.getFileName() + ".tmp");
        Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n");
        Files.move(tmp, manifest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The summary a manifest carries (an empty object when it has none). */
    public static ObjectNode summary(Path manifest) throws IOException {
        var node = JSON.readTree(manifest.toFile()).path("summary");
        return node.isObject() ? (ObjectNode) node : JSON.createObjectNode();
    }
}
