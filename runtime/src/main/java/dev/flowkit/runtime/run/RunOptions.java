package dev.flowkit.runtime.run;

import dev.flowkit.runtime.compiler.SessionOptions;
import java.nio.file.Path;

/**
 * How to run an experiment: where to write, whether to continue from the checkpoint there, TensorFlow threads, who
 * hears about progress, whether to draw the PNGs, and whether to write TensorBoard event files (on by default).
 */
public record RunOptions(Path outDir, boolean resume, SessionOptions session, TrainingListener listener, boolean plots, boolean tensorBoard) {
    public static RunOptions to(Path outDir) {
        return new RunOptions(outDir, false, SessionOptions.DEFAULT, TrainingListener.SILENT, true, true);
    }

    public RunOptions resuming(boolean resume) {
        return new RunOptions(outDir, resume, session, listener, plots, tensorBoard);
    }

    public RunOptions withSession(SessionOptions session) {
        return new RunOptions(outDir, resume, session, listener, plots, tensorBoard);
    }

    public RunOptions withListener(TrainingListener listener) {
        return new RunOptions(outDir, resume, session, listener, plots, tensorBoard);
    }

    public RunOptions withPlots(boolean plots) {
        return new RunOptions(outDir, resume, session, listener, plots, tensorBoard);
    }

    public RunOptions withTensorBoard(boolean tensorBoard) {
        return new RunOptions(outDir, resume, session, listener, plots, tensorBoard);
    }
}
