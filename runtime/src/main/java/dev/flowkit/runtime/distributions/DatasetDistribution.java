package dev.flowkit.runtime.distributions;

import dev.flowkit.runtime.output.Npy;
import dev.flowkit.spec.Dataset;
import dev.flowkit.spec.Quantization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** The rows of a .npy file (see {@link Dataset}); quantized files must hold integer levels within their bits. */
public final class DatasetDistribution extends FiniteSample {
    public DatasetDistribution(Dataset spec) {
        this(spec, read(spec));
    }

    private DatasetDistribution(Dataset spec, Npy.Rows rows) {
        super(rows.values(), spec.labelArray(), rows.rowSize(), (int) spec.getHeldOutRows(), spec.getQuantization());
    }

    private static Npy.Rows read(Dataset spec) {
        Npy.Rows rows;
        try {
            rows = Npy.readRows(Path.of(spec.getFile()));
        } catch (IOException e) {
            throw new UncheckedIOException("dataset '" + spec.getFile() + "': " + e.getMessage(), e);
        }
        Quantization q = spec.getQuantization();
        float[] v = rows.values();
        for (int i = 0; i < v.length; i++) {
            boolean ok = q == null ? Float.isFinite(v[i]) : v[i] >= 0 && v[i] < (1 << q.getBits());
            if (!ok) {
                throw new IllegalArgumentException("dataset '" + spec.getFile() + "': row " + i / rows.rowSize() + " holds " + v[i]
                        + (q == null ? ", not a finite number" : ", outside the " + q.getBits() + "-bit levels 0 … "
                        + ((1 << q.getBits()) - 1) + " of data.quantization; raise bits or rescale the file"));
            }
        }
        return rows;
    }
}
