package dev.flowkit.runtime.samplers;

import java.util.function.Consumer;
import org.tensorflow.Session;

/** A compiled sampler. [inputs] feeds what the source draws depend on; the trajectory is copied back only when asked. */
public interface SamplerProgram {
    SampleRun run(Session session, Consumer<Session.Runner> inputs, boolean withTrajectory);
}
