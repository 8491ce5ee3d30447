package dev.flowkit.spark

import java.io.File
import java.nio.file.Files
import java.nio.file.Path
import org.apache.spark.SparkConf
import org.apache.spark.api.java.JavaSparkContext

/** Spark clusters on 127.0.0.1 for tests, from the Maven jars on this JVM's class path. */
object LoopbackCluster {
    /**
     * `local-cluster[executors, 1, 1024]`: executors in JVMs of their own that inherit this class path
     * (`spark.testing`, with a stand-in Spark home holding an empty jars/ folder).
     */
    fun localCluster(dir: Path, executors: Int): JavaSparkContext {
        // read as system properties by the in-process Master and Workers that start the executors
        System.setProperty("spark.testing", "true")
        System.setProperty("spark.test.home", sparkHome(dir).toString())
        val conf = SparkConf().setMaster("local-cluster[$executors,1,1024]")
            .set("spark.executor.extraClassPath", absoluteClassPath())
        return FlowkitSpark.connect(conf, "flowkit-test")
    }

    /** A folder that looks enough like a Spark distribution for Spark's launchers. */
    fun sparkHome(dir: Path): Path {
        val home = dir.resolve("spark-home")
        Files.createDirectories(home.resolve("jars"))
        Files.createDirectories(home.resolve("launcher/target/scala-2.13"))
        return home
    }

    fun absoluteClassPath(): String = System.getProperty("java.class.path").split(File.pathSeparator)
        .joinToString(File.pathSeparator) { File(it).absolutePath }
}
