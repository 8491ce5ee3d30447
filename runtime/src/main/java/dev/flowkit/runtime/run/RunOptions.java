package dev.flowkit.runtime.run;

import dev.flowkit.runtime.compiler.DataParallel;
import dev.flowkit.runtime.compiler.SessionOptions;
import java.nio.file.Path;

/**
 * How to run an experiment: where to write, whether to continue from the checkpoint there, TensorFlow threads, who
 * hears about progress, whether to draw the PNGs, whether to write TensorBoard event files (on by default), and the
 * part this process plays in data-parallel training (none by default).
 */
public record RunOptions(Path outDir, boolean resume, SessionOptions session, TrainingListener listener, boolean plots, boolean tensorBoard,
                         DataParallel parallel) {
    public static RunOptions to(Path outDir) {
        return new RunOptions(outDir, false, SessionOptions.DEFAULT, TrainingListener.SILENT, true, true, DataParallel.NONE);
    }

    /** As one replica of data-parallel training: the first writes the run's outputs, the others only train. */
    public RunOptions withParallel(DataParallel parallel) {
        return new RunOptions(outDir, resume, session, listener, plots, tensorBoard, parallel);
    }

    public RunOptions resuming(boolean resume) {
        return new RunOptions(outDir, resume, session, listener, plots, tensorBoard, parallel);
    }

    public RunOptions withSession(SessionOptions session) {
        return new RunOptions(outDir, resume, session, listener, plots, tensorBoard, parallel);
    }

    public RunOptions withListener(TrainingListener listener) {
        return new RunOptions(outDir, resume, session, listener, plots, tensorBoard, parallel);
    }

    public RunOptions withPlots(boolean plots) {
        return new RunOptions(outDir, resume, session, listener, plots, tensorBoard, parallel);
    }

    public RunOptions withTensorBoard(boolean tensorBoard) {
        return new RunOptions(outDir, resume, session, listener, plots, tensorBoard, parallel);
    }
}
