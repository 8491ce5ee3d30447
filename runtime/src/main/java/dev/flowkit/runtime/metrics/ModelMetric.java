package dev.flowkit.runtime.metrics;

import dev.flowkit.runtime.distributions.Distribution;
import dev.flowkit.runtime.model.Model;
import dev.flowkit.runtime.paths.ProbabilityPath;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;

/** A metric that needs the trained model itself (not only its samples): it builds its graph fragment at compile time. */
public interface ModelMetric {
    Compiled compile(Ops tf, Parts parts);

    /** The trained model (unconditional), its path and source, and the data distribution. */
    record Parts(Model model, ProbabilityPath path, Distribution source, Distribution data) {
        public int dim() {
            return data.dim();
        }
    }

    /** The compiled metric: values against held-out data; figures into [figures] (null: none). */
    interface Compiled {
        Map<String, Double> compute(Session session, float[][] heldOut, long seed, Path figures, String title) throws IOException;

        /** The same, telling [progress] how far the computation is (0 … 1), for metrics that take long. */
        default Map<String, Double> compute(Session session, float[][] heldOut, long seed, Path figures, String title,
                                            java.util.function.DoubleConsumer progress) throws IOException {
            return compute(session, heldOut, seed, figures, title);
        }

        /** What a progress bar calls it. */
        default String label() {
            return "evaluation";
        }
    }
}
