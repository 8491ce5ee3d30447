package dev.flowkit.spark;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntConsumer;
import org.apache.spark.SparkJobInfo;
import org.apache.spark.SparkStageInfo;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;

/** Waits for a Spark job, telling [tasksDone] how many of its tasks have finished, twice a second. */
final class SparkProgress {
    private SparkProgress() {}

    static <T> T await(JavaSparkContext context, JavaFutureAction<T> job, IntConsumer tasksDone) {
        try {
            while (true) {
                try {
                    T result = job.get(500, TimeUnit.MILLISECONDS);
                    tasksDone.accept(completed(context, job));
                    return result;
                } catch (TimeoutException e) {
                    tasksDone.accept(completed(context, job));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            job.cancel(true);
            throw new IllegalStateException("interrupted while waiting for the Spark job", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("the Spark job failed: " + cause.getMessage(), cause);
        }
    }

    private static int completed(JavaSparkContext context, JavaFutureAction<?> job) {
        int done = 0;
        List<Integer> ids = job.jobIds();
        for (int id : ids) {
            SparkJobInfo info = context.statusTracker().getJobInfo(id);
            if (info == null) continue;
            for (int stage : info.stageIds()) {
                SparkStageInfo s = context.statusTracker().getStageInfo(stage);
                if (s != null) done += s.numCompletedTasks();
            }
        }
        return done;
    }
}
