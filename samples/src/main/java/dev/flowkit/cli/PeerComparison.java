package dev.flowkit.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The PyTorch references of ../shared/peer run in the same invocation as Flowkit's figures, at each of the given
 * thread counts (the best one counts): every paired figure is printed with the peer's value and the ratio (Flowkit's
 * speed over PyTorch's, so above 1 means Flowkit is faster).
 */
final class PeerComparison {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PYTHON = "/usr/bin/python3";

    /** A Flowkit figure, the peer command giving its counterpart, and which field of which output line holds it. */
    private record Pair(String group, String figure, String script, List<String> args, String benchKey, Integer batch, String field,
                        boolean lowerIsBetter, double scale) {}

    private static final List<Pair> PAIRS = List.of(
            new Pair("mlp", "train_steps_per_s", "fm_2d.py", List.of("--steps", "3000"), null, null, "train_steps_per_s", false, 1),
            new Pair("mlp", "sample_2000x100_euler_ms", "fm_2d.py", List.of("--steps", "3000"), null, null, "sample_time_s", true, 1000),
            new Pair("langevin", "langevin_phi4_d64_euler_site_steps_per_s", "langevin_phi4.py",
                    List.of("--backend", "torch", "--d", "64", "--n", "20000", "--n-steps", "200"), null, null, "site_updates_per_s", false, 1),
            new Pair("unet", "unet_train_images_per_s_batch32", "unet_mnist.py", List.of("--mode", "bench"), "unet_train", 32, "images_per_s", false, 1),
            new Pair("unet", "unet_train_images_per_s_batch128", "unet_mnist.py", List.of("--mode", "bench"), "unet_train", 128, "images_per_s", false, 1),
            new Pair("unet", "unet_em_image_steps_per_s", "unet_mnist.py", List.of("--mode", "bench"), "unet_em_sampling", null, "image_steps_per_s", false, 1));

    private final Path peerDir;
    private final List<Integer> threads;

    PeerComparison(Path peerDir, List<Integer> threads) {
        this.peerDir = peerDir;
        this.threads = threads;
    }

    /** Why the peers cannot run here, or null when they can. */
    String unavailable() {
        if (!Files.isDirectory(peerDir)) return "no peer folder " + peerDir;
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import torch").redirectErrorStream(true).start();
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) return PYTHON + " has no torch (run " + peerDir.resolve("setup.sh") + ")";
        } catch (IOException e) {
            return "no " + PYTHON + " (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
        return null;
    }

    /** Prints a comparison line for every figure of [flowkit] (name → median) that has a peer; returns their ratios. */
    Map<String, Double> compare(Map<String, Double> flowkit, Map<String, String> units) throws Exception {
        Map<String, Double> ratios = new LinkedHashMap<>();
        Map<String, List<JsonNode>> outputs = new LinkedHashMap<>(); // one run per script and thread count
        for (Pair pair : PAIRS) {
            if (!flowkit.containsKey(pair.figure())) continue;
            Double best = null;
            int bestThreads = 0;
            String torch = null;
            for (int t : threads) {
                List<JsonNode> lines = outputs.computeIfAbsent(pair.script() + " " + String.join(" ", pair.args()) + " --threads " + t,
                        key -> run(pair, t));
                for (JsonNode line : lines) {
                    if (pair.benchKey() != null && !pair.benchKey().equals(line.path("bench").asText())) continue;
                    if (pair.batch() != null && line.path("batch").asInt() != pair.batch()) continue;
                    if (!line.has(pair.field())) continue;
                    double v = line.get(pair.field()).asDouble() * pair.scale();
                    if (best == null || (pair.lowerIsBetter() ? v < best : v > best)) {
                        best = v;
                        bestThreads = t;
                        torch = line.path("torch").asText(line.path("torch_version").asText(null));
                    }
                }
            }
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("compare", pair.figure());
            line.put("flowkit", Math.round(flowkit.get(pair.figure()) * 100) / 100.0);
            line.put("unit", units.get(pair.figure()));
            if (best == null) {
                line.put("peer", null);
                line.put("note", "the peer " + pair.script() + " gave no " + pair.field());
            } else {
                line.put("peer", Math.round(best * 100) / 100.0);
                double ratio = Math.round((pair.lowerIsBetter() ? best / flowkit.get(pair.figure()) : flowkit.get(pair.figure()) / best) * 100) / 100.0;
                ratios.put(pair.figure(), ratio);
                line.put("ratio", ratio);
                line.put("peerThreads", bestThreads);
                line.put("peer_script", pair.script());
                if (torch != null) line.put("torch", torch);
            }
            System.out.println(JSON.writeValueAsString(line));
        }
        return ratios;
    }

    /** The JSON lines a peer printed (none when it failed, with its output shown on stderr). */
    private List<JsonNode> run(Pair pair, int t) {
        List<String> command = new ArrayList<>(List.of(PYTHON, peerDir.resolve(pair.script()).toString()));
        command.addAll(pair.args());
        command.addAll(List.of("--threads", String.valueOf(t)));
        System.err.println("peer: " + String.join(" ", command));
        List<JsonNode> lines = new ArrayList<>();
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                System.err.println("peer failed (exit " + p.exitValue() + "):\n" + output);
                return lines;
            }
            for (String l : output.split("\n")) {
                if (!l.startsWith("{")) continue;
                try {
                    lines.add(JSON.readTree(l));
                } catch (IOException e) {
                    // a line that only looks like JSON
                }
            }
        } catch (IOException e) {
            System.err.println("peer did not start: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return lines;
    }
}
