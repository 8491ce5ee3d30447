package dev.flowkit.runtime.distributions;

import dev.flowkit.runtime.output.Npy;
import dev.flowkit.runtime.output.NpyShardWriter;
import dev.flowkit.runtime.potentials.LangevinSimulation;
import dev.flowkit.runtime.potentials.Potential;
import dev.flowkit.spec.LangevinData;
import dev.flowkit.spec.NpyShards;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Samples of a Gibbs measure by Langevin simulation (see {@link LangevinData}): simulated when the component is
 * built, or read back from data.save when that file was written for the same spec.
 */
public final class LangevinDistribution extends FiniteSample {
    private final double simulationSeconds;
    private final java.util.Map<String, Double> provenance;

    public LangevinDistribution(LangevinData spec, Distribution init) {
        this(spec, simulateOrLoad(spec, init));
    }

    private LangevinDistribution(LangevinData spec, Simulated simulated) {
        super(simulated.rows, spec.getDim(), spec.getReference(), null);
        this.simulationSeconds = simulated.seconds;
        this.provenance = new java.util.LinkedHashMap<>();
        provenance.put("simulationSeconds", simulated.seconds);
        if (simulated.seconds == 0) provenance.put("readBack", 1.0); // from data.save: simulated by an earlier run
        if (!Double.isNaN(simulated.acceptance)) provenance.put("acceptance", simulated.acceptance);
        if (!Double.isNaN(simulated.stepSize)) provenance.put("stepSize", simulated.stepSize);
    }

    @Override
    public java.util.Map<String, Double> provenance() {
        return java.util.Collections.unmodifiableMap(provenance);
    }

    /** Wall seconds the simulation took (0 when read back from data.save). */
    public double simulationSeconds() {
        return simulationSeconds;
    }

    /** The chains, the simulation's seconds (0 when read back) and MALA's acceptance and frozen step (NaN otherwise or when read back). */
    private record Simulated(float[] rows, double seconds, double acceptance, double stepSize) {}

    private static Simulated simulateOrLoad(LangevinData spec, Distribution init) {
        int chains = spec.getSamples() + spec.getReference();
        Path file = spec.getSave() == null ? null : Path.of(spec.getSave());
        Path fingerprint = file == null ? null : Path.of(spec.getSave() + ".json");
        // the simulation's version too: a file from an older way of drawing the chains is simulated again
        String identity = identity(spec);
        try {
            if (file != null && Files.exists(file) && savedIdentity(file, fingerprint).equals(identity)) {
                Npy.Rows rows = Npy.readRows(file);
                if (rows.rows() == chains && rows.rowSize() == spec.getDim()) return new Simulated(rows.values(), 0, Double.NaN, Double.NaN);
            }
            long start = System.nanoTime();
            LangevinSimulation simulation = new LangevinSimulation(new Potential(spec.getPotential()), init, spec.getTemperature(),
                    spec.getDt(), spec.getSteps(), spec.getIntegrator(), true);
            float[] rows = simulation.run(chains, spec.getSeed());
            double seconds = (System.nanoTime() - start) / 1e9;
            if (file != null && NpyShards.isManifest(file)) saveShards(file, identity, rows, spec.getDim(), simulation.chunkChains(chains));
            else if (file != null) save(file, fingerprint, identity, rows, spec.getDim());
            return new Simulated(rows, seconds, simulation.acceptanceRate(), simulation.stepSize());
        } catch (IOException e) {
            throw new UncheckedIOException("data.save '" + spec.getSave() + "': " + e.getMessage(), e);
        }
    }

    /**
     * What decides the chains, as text: the spec without its save path, and the simulation's version (a file from an
     * older way of drawing the chains is simulated again).
     */
    public static String identity(LangevinData spec) {
        return LangevinSimulation.VERSION + " " + spec.copy(spec.getPotential(), spec.getTemperature(), spec.getSamples(),
                spec.getReference(), spec.getDt(), spec.getSteps(), spec.getInit(), spec.getIntegrator(), spec.getSeed(), null);
    }

    /** The identity recorded with a saved file: in a manifest's summary, or in the .json beside an .npy ("" when none). */
    private static String savedIdentity(Path file, Path fingerprint) throws IOException {
        if (NpyShards.isManifest(file)) return NpyShardWriter.summary(file).path("identity").asText("");
        return Files.exists(fingerprint) ? Files.readString(fingerprint).strip() : "";
    }

    /** data.save naming a manifest: the chains as shards of whole simulation chunks (as a distributed simulation writes them). */
    private static void saveShards(Path manifest, String identity, float[] rows, int dim, int chunk) throws IOException {
        if (manifest.toAbsolutePath().getParent() != null) Files.createDirectories(manifest.toAbsolutePath().getParent());
        int chains = rows.length / dim;
        java.util.List<Long> sizes = new java.util.ArrayList<>();
        for (int from = 0, k = 0; from < chains; from += chunk, k++) {
            int n = Math.min(chunk, chains - from);
            float[][] part = new float[n][dim];
            for (int i = 0; i < n; i++) System.arraycopy(rows, (from + i) * dim, part[i], 0, dim);
            NpyShardWriter.writeShard(NpyShardWriter.shard(manifest, k), part);
            sizes.add((long) n);
        }
        com.fasterxml.jackson.databind.node.ObjectNode summary = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        summary.put("identity", identity);
        NpyShardWriter.writeManifest(manifest, "<f4", java.util.List.of((long) chains, (long) dim), sizes, summary);
    }

    /** Writes the rows and the spec they came from, each to a temporary file renamed into place. */
    private static void save(Path file, Path fingerprint, String identity, float[] rows, int dim) throws IOException {
        if (file.toAbsolutePath().getParent() != null) Files.createDirectories(file.toAbsolutePath().getParent());
        float[][] matrix = new float[rows.length / dim][dim];
        for (int i = 0; i < matrix.length; i++) System.arraycopy(rows, i * dim, matrix[i], 0, dim);
        Path tmp = Path.of(file + ".tmp");
        Npy.write(tmp, matrix);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Path tmpJson = Path.of(fingerprint + ".tmp");
        Files.writeString(tmpJson, identity + "\n");
        Files.move(tmpJson, fingerprint, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
