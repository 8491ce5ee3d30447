package dev.flowkit.cli;

import dev.flowkit.spark.FlowkitSpark;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Option;

/** --master and --conf: where a command's work runs when it runs on Apache Spark. */
final class ClusterOptions {
    @Option(names = "--master", paramLabel = "URL",
            description = "run on Apache Spark: local[N], spark://HOST:PORT, yarn, k8s://… (default: in this process, without Spark)")
    String master;

    @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "a Spark setting, e.g. spark.executor.memory=4g (repeatable)")
    Map<String, String> conf = new LinkedHashMap<>();

    /** With --master, or under spark-submit (which passes its --master and --conf as spark.* system properties). */
    /** A bar over a distributed job's tasks (shards), its length known once the job is planned. */
    static me.tongfei.progressbar.ProgressBar shardsBar() {
        return new me.tongfei.progressbar.ProgressBarBuilder().setTaskName("shards").setInitialMax(0).setUnit(" shards", 1)
                .setStyle(me.tongfei.progressbar.ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).build();
    }

    /** What moves [bar]: (shards done, shards). */
    static java.util.function.BiConsumer<Integer, Integer> shardsProgress(me.tongfei.progressbar.ProgressBar bar) {
        return (done, total) -> {
            bar.maxHint(total);
            bar.stepTo(done);
        };
    }

    boolean onSpark() {
        return master != null || System.getProperty("spark.master") != null;
    }

    /** A Spark context on --master (else spark-submit's) with the --conf settings; [taskCpus], when given, becomes spark.task.cpus. */
    JavaSparkContext connect(String appName, Integer taskCpus) {
        SparkConf spark = new SparkConf();
        if (master != null) spark.setMaster(master);
        conf.forEach(spark::set);
        if (taskCpus != null) spark.setIfMissing("spark.task.cpus", String.valueOf(taskCpus));
        return FlowkitSpark.connect(spark, appName);
    }
}
