package dev.flowkit.runtime.output;

import dev.flowkit.runtime.run.TrainingListener;
import java.io.PrintStream;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A terminal progress bar (me.tongfei:progressbar) showing step, loss and steps/s; status lines on stderr. */
public final class ConsoleProgress implements TrainingListener {
    private final String task;
    private final PrintStream out;
    private ProgressBar bar;
    private ProgressBar samplingBar;
    private ProgressBar evaluationBar;

    public ConsoleProgress(String task, PrintStream out) {
        this.task = task;
        this.out = out;
    }

    @Override
    public void started(long fromStep, long totalSteps) {
        bar = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(totalSteps)
                .setStyle(ProgressBarStyle.ASCII)
                .setUnit(" steps", 1)
                .showSpeed(new java.text.DecimalFormat("#"))
                .setSpeedUnit(ChronoUnit.SECONDS)
                .setUpdateIntervalMillis(250)
                .startsFrom(fromStep, Duration.ZERO)
                .build();
    }

    @Override
    public void progress(long step, double loss) {
        if (bar == null) return;
        bar.stepTo(step);
        bar.setExtraMessage(String.format(Locale.ROOT, " loss %.4f", loss));
    }

    @Override
    public void finished() {
        if (bar != null) bar.close();
        bar = null;
    }

    /** A bar of its own for a sample large enough to come in chunks. */
    @Override
    public void sampled(long done, long total) {
        if (samplingBar == null) {
            if (done >= total) return; // one chunk: no bar
            samplingBar = new ProgressBarBuilder().setTaskName(task + " sampling").setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                    .setUnit(" samples", 1).setUpdateIntervalMillis(250).build();
        }
        samplingBar.stepTo(done);
        if (done >= total) {
            samplingBar.close();
            samplingBar = null;
        }
    }

    /**
     * During training (a periodic evaluation) the training bar says how far the evaluation is; after it, the
     * evaluation gets a bar of its own, in percent of the metric's work.
     */
    @Override
    public void evaluating(String label, double fraction) {
        if (bar != null) {
            bar.setExtraMessage(String.format(java.util.Locale.ROOT, " evaluating: %s %.0f%%", label, 100 * fraction));
            return;
        }
        if (evaluationBar == null) {
            if (fraction >= 1) return; // done in one go: no bar
            evaluationBar = new ProgressBarBuilder().setTaskName(task + " " + label).setInitialMax(100).setStyle(ProgressBarStyle.ASCII)
                    .setUnit(" %", 1).setUpdateIntervalMillis(500).build();
        }
        evaluationBar.stepTo(Math.round(100 * fraction));
        if (fraction >= 1) {
            evaluationBar.close();
            evaluationBar = null;
        }
    }

    @Override
    public void status(String message) {
        if (bar == null) out.println(message);
        else bar.setExtraMessage(" " + message); // e.g. an evaluation during training: say why the bar waits
    }
}
