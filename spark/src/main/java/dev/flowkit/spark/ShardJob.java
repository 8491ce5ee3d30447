package dev.flowkit.spark;

import java.io.Serializable;
import java.util.List;
import java.util.function.BiConsumer;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.storage.StorageLevel;

/**
 * One Spark job of one task per shard, all at once, with progress per finished shard: the tasks' reports in shard
 * order and the moments of every row, merged across executors by treeAggregate.
 */
final class ShardJob {
    private ShardJob() {}

    /** What a shard's task reports: at least its rows' moments and the process that made them. */
    interface Report extends Serializable {
        Moments moments();

        String process();
    }

    record Done<R>(List<R> reports, Moments total, List<String> processes) {}

    static <S extends Serializable, R extends Report> Done<R> run(JavaSparkContext context, String description, List<S> shards,
                                                                  Function<S, R> task, int dim, BiConsumer<Integer, Integer> progress) {
        context.setJobDescription(description);
        JavaRDD<R> reports = context.parallelize(shards, shards.size()).map(task).persist(StorageLevel.MEMORY_ONLY());
        try {
            List<R> done = SparkProgress.await(context, reports.collectAsync(), finished -> progress.accept(finished, shards.size()));
            Moments total = reports.map(Report::moments).treeAggregate(new Moments(dim), Moments::merge, Moments::merge);
            return new Done<>(done, total, done.stream().map(Report::process).distinct().toList());
        } finally {
            reports.unpersist(false);
        }
    }
}
