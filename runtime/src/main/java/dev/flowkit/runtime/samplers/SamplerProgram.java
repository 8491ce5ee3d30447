package dev.flowkit.runtime.samplers;

import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.DoubleConsumer;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;

/** A compiled sampler. [inputs] feeds what the source draws depend on; the trajectory is copied back only when asked. */
public interface SamplerProgram {
    SampleRun run(Session session, Consumer<Session.Runner> inputs, boolean withTrajectory);

    /**
     * The same, telling [progress] the fraction of the time interval solved so far (0 … 1) as the solve goes; a
     * solve in one graph execution reports only its end.
     */
    default SampleRun run(Session session, Consumer<Session.Runner> inputs, boolean withTrajectory, DoubleConsumer progress) {
        SampleRun run = run(session, inputs, withTrajectory);
        progress.accept(1.0);
        return run;
    }

    /**
     * The final samples as one operand of the graph, computed from its inputs in one execution (what an exported
     * model's signature returns); empty for samplers that step from the host (dopri5).
     */
    default Optional<Operand<TFloat32>> samples() {
        return Optional.empty();
    }
}
