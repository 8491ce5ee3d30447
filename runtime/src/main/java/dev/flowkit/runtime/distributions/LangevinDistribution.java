package dev.flowkit.runtime.distributions;

import dev.flowkit.runtime.output.Npy;
import dev.flowkit.runtime.potentials.LangevinSimulation;
import dev.flowkit.runtime.potentials.Potential;
import dev.flowkit.spec.LangevinData;
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

    public LangevinDistribution(LangevinData spec, Distribution init) {
        this(spec, simulateOrLoad(spec, init));
    }

    private LangevinDistribution(LangevinData spec, Simulated simulated) {
        super(simulated.rows, spec.getDim(), spec.getReference(), null);
        this.simulationSeconds = simulated.seconds;
    }

    /** Wall seconds the simulation took (0 when read back from data.save). */
    public double simulationSeconds() {
        return simulationSeconds;
    }

    private record Simulated(float[] rows, double seconds) {}

    private static Simulated simulateOrLoad(LangevinData spec, Distribution init) {
        int chains = spec.getSamples() + spec.getReference();
        Path file = spec.getSave() == null ? null : Path.of(spec.getSave());
        Path fingerprint = file == null ? null : Path.of(spec.getSave() + ".json");
        // the simulation's version too: a file from an older way of drawing the chains is simulated again
        String identity = LangevinSimulation.VERSION + " " + spec.copy(spec.getPotential(), spec.getTemperature(), spec.getSamples(),
                spec.getReference(), spec.getDt(), spec.getSteps(), spec.getInit(), spec.getIntegrator(), spec.getSeed(), null);
        try {
            if (file != null && Files.exists(file) && Files.exists(fingerprint) && Files.readString(fingerprint).strip().equals(identity)) {
                Npy.Rows rows = Npy.readRows(file);
                if (rows.rows() == chains && rows.rowSize() == spec.getDim()) return new Simulated(rows.values(), 0);
            }
            long start = System.nanoTime();
            LangevinSimulation simulation = new LangevinSimulation(new Potential(spec.getPotential()), init, spec.getTemperature(),
                    spec.getDt(), spec.getSteps(), spec.getIntegrator(), true);
            float[] rows = simulation.run(chains, spec.getSeed());
            double seconds = (System.nanoTime() - start) / 1e9;
            if (file != null) save(file, fingerprint, identity, rows, spec.getDim());
            return new Simulated(rows, seconds);
        } catch (IOException e) {
            throw new UncheckedIOException("data.save '" + spec.getSave() + "': " + e.getMessage(), e);
        }
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
