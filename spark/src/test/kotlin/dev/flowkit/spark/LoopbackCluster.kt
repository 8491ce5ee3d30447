package dev.flowkit.spark

import java.io.File
import java.net.InetSocketAddress
import java.net.ServerSocket
import java.net.Socket
import java.nio.file.Files
import java.nio.file.Path
import org.apache.spark.SparkConf
import org.apache.spark.api.java.JavaSparkContext
import org.apache.spark.launcher.JavaModuleOptions

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

    /** A standalone Master and [workers] Workers (one core, 1 GB each), each a child JVM on 127.0.0.1. */
    class Standalone(dir: Path, workers: Int) : AutoCloseable {
        private val home = sparkHome(dir)
        private val port = freePort()
        val url = "spark://127.0.0.1:$port"
        private val processes = mutableListOf<Process>()

        init {
            try {
                processes += daemon(dir, "master", "org.apache.spark.deploy.master.Master",
                    "--host", "127.0.0.1", "--port", "$port", "--webui-port", "${freePort()}")
                awaitPort(port)
                repeat(workers) { i ->
                    val work = Files.createDirectories(dir.resolve("worker-$i"))
                    processes += daemon(dir, "worker-$i", "org.apache.spark.deploy.worker.Worker", url,
                        "--host", "127.0.0.1", "--cores", "1", "--memory", "1g", "--webui-port", "${freePort()}", "--work-dir", work.toString())
                }
            } catch (e: Exception) {
                close()
                throw e
            }
        }

        fun connect(): JavaSparkContext = FlowkitSpark.connect(SparkConf().setMaster(url)
            .set("spark.executor.extraClassPath", absoluteClassPath())
            .set("spark.executor.memory", "768m")
            .set("spark.driver.host", "127.0.0.1")
            .set("spark.driver.bindAddress", "127.0.0.1"), "flowkit-test")

        private fun daemon(dir: Path, name: String, main: String, vararg args: String): Process {
            val java = Path.of(System.getProperty("java.home"), "bin", "java").toString()
            val command = listOf(java, "-Xmx512m") + JavaModuleOptions.defaultModuleOptionArray() +
                listOf("-cp", absoluteClassPath(), main) + args
            return ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("$name.log").toFile())
                .also { it.environment()["SPARK_HOME"] = home.toString(); it.environment()["SPARK_SCALA_VERSION"] = "2.13"; it.environment()["SPARK_LOCAL_IP"] = "127.0.0.1" }
                .start()
        }

        override fun close() {
            processes.reversed().forEach { it.destroy() }
            processes.forEach { if (!it.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) it.destroyForcibly() }
        }
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

    private fun freePort(): Int = ServerSocket(0).use { it.localPort }

    private fun awaitPort(port: Int) {
        val deadline = System.nanoTime() + 60_000_000_000L
        while (System.nanoTime() < deadline) {
            try {
                Socket().use { it.connect(InetSocketAddress("127.0.0.1", port), 500) }
                return
            } catch (e: java.io.IOException) {
                Thread.sleep(200)
            }
        }
        error("the standalone Master did not open port $port within 60 s")
    }
}
