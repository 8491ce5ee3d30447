package dev.flowkit.runtime.run;

/** Hears about a training run; all methods default to doing nothing. */
public interface TrainingListener {
    TrainingListener SILENT = new TrainingListener() {};

    default void started(long fromStep, long totalSteps) {}

    /** Called whenever the loss is read (every train.logEvery steps). */
    default void progress(long step, double loss) {}

    default void finished() {}

    /** Sampling progress: [done] of [total] samples (called after every chunk of a large sample). */
    default void sampled(long done, long total) {}

    /** A long evaluation's progress: [fraction] (0 … 1) of the metric [label] (e.g. likelihood's ODE solve) done. */
    default void evaluating(String label, double fraction) {}

    /** A one-line status message (checkpoint written, sampling, evaluating, …). */
    default void status(String message) {}
}
