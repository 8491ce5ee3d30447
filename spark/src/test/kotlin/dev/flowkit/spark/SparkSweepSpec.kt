package dev.flowkit.spark

import dev.flowkit.dsl.sweep
import dev.flowkit.runtime.Flowkit
import dev.flowkit.runtime.compiler.SessionOptions
import dev.flowkit.runtime.sweep.SweepRunner
import dev.flowkit.spec.CosineSchedule
import dev.flowkit.spec.LinearSchedule
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldNotContain
import io.kotest.matchers.ints.shouldBeGreaterThanOrEqual
import io.kotest.matchers.shouldBe
import java.nio.file.Files
import java.util.function.Supplier
import io.kotest.engine.spec.tempdir

/**
 * A sweep run as Spark tasks on `local-cluster[2,1,1024]` (two executor JVMs besides this one) writes the same
 * run folders and results as the same sweep run in turn in this JVM, number for number.
 */
class SparkSweepSpec : FunSpec({

    val plan = SweepRunner.Plan.of("tiny", sweep("tiny") {
        base {
            seed = 3
            data { gaussian(dim = 2, std = 0.5) }
            network { mlp(hidden = listOf(16)) }
            train { steps = 30; batchSize = 64; checkpointEvery = 0 }
            sample { euler(steps = 4); count = 300 }
            evaluate { meanCovError() }
        }
        axis("schedule", LinearSchedule, CosineSchedule) { s -> path { gaussian(schedule = s) } }
        axis("steps", 10, 30) { n -> train { steps = n } }
    })

    /** Runs [plan] on [context]; checks it equals [local] and ran in at least two executor processes, not here. */
    fun checkOnSpark(context: org.apache.spark.api.java.JavaSparkContext, dir: java.nio.file.Path, local: dev.flowkit.runtime.sweep.SweepResults) {
        val processes = mutableListOf<String>()
        val dispatcher = SweepRunner.Dispatcher { runner, p, options ->
            SparkSweep(context).start(runner, p, options).map { outcome ->
                Supplier { outcome.get().also { synchronized(processes) { processes += it.process() } } }
            }
        }
        val spark = SweepRunner(Flowkit.create()).run(plan, SweepRunner.Options.to(dir.resolve("spark")), dispatcher)
        spark.anyFailed() shouldBe false
        spark.rows().map { it.name() } shouldBe local.rows().map { it.name() }
        spark.rows().zip(local.rows()).forEach { (s, l) ->
            s.metrics() shouldBe l.metrics()
            s.coordinates() shouldBe l.coordinates()
        }
        processes.toSet().size shouldBeGreaterThanOrEqual 2
        processes shouldNotContain SweepRunner.PROCESS
        for (row in local.rows()) {
            Files.readAllBytes(dir.resolve("spark/${row.name()}/samples.npy")) shouldBe
                Files.readAllBytes(dir.resolve("local/${row.name()}/samples.npy"))
        }
        Files.exists(dir.resolve("spark/results.md")) shouldBe true
    }

    fun localSweep(dir: java.nio.file.Path) = SweepRunner(Flowkit.create())
        .run(plan, SweepRunner.Options.to(dir.resolve("local")).withSession { SessionOptions(1, 1) })

    test("a sweep on local-cluster[2,1,1024] equals the sweep in one JVM, and its variants ran in both executors") {
        val dir = tempdir().toPath()
        val local = localSweep(dir)
        LoopbackCluster.localCluster(dir, executors = 2).use { checkOnSpark(it, dir, local) }
    }

    test("a sweep on a standalone Master with two Workers (child JVMs on 127.0.0.1) equals the sweep in one JVM") {
        val dir = tempdir().toPath()
        val local = localSweep(dir)
        LoopbackCluster.Standalone(dir, workers = 2).use { cluster -> cluster.connect().use { checkOnSpark(it, dir, local) } }
    }
})
