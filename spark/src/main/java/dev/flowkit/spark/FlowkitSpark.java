package dev.flowkit.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.launcher.JavaModuleOptions;

/**
 * The Spark context Flowkit runs its work on. On {@code local[…]} and {@code local-cluster[…]} masters the driver
 * binds to loopback; executors get the module openings Spark needs on Java 17 (spark-submit adds them for the
 * driver). Anything already set in the configuration (spark-defaults, {@code --conf}) wins.
 */
public final class FlowkitSpark {
    private FlowkitSpark() {}

    /** A context on [master] (a Spark master URL: local[*], local-cluster[N,C,M], spark://host:port, yarn, k8s://…). */
    public static JavaSparkContext connect(String master, String appName) {
        return connect(new SparkConf().setMaster(master), appName);
    }

    public static JavaSparkContext connect(SparkConf conf, String appName) {
        conf.setIfMissing("spark.app.name", appName);
        String master = conf.get("spark.master", "local[*]");
        if (master.startsWith("local")) {
            conf.setIfMissing("spark.driver.host", "127.0.0.1");
            conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
        }
        conf.setIfMissing("spark.executor.extraJavaOptions", JavaModuleOptions.defaultModuleOptions());
        conf.setIfMissing("spark.ui.showConsoleProgress", "false");
        JavaSparkContext context = new JavaSparkContext(conf);
        context.setLogLevel("WARN");
        return context;
    }
}
