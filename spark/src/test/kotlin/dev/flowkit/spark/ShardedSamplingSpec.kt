package dev.flowkit.spark

import dev.flowkit.dsl.experiment
import dev.flowkit.runtime.Flowkit
import dev.flowkit.runtime.output.Npy
import dev.flowkit.runtime.run.RunOptions
import dev.flowkit.runtime.sweep.SweepRunner
import dev.flowkit.spec.Dataset
import io.kotest.core.spec.style.FunSpec
import io.kotest.engine.spec.tempdir
import io.kotest.matchers.collections.shouldNotContain
import io.kotest.matchers.doubles.plusOrMinus
import io.kotest.matchers.ints.shouldBeGreaterThanOrEqual
import io.kotest.matchers.shouldBe
import java.nio.file.Files

/**
 * A large draw split into shards on two executors equals the same draw on one machine, number for number; the
 * manifest reads back as a dataset, and the mean and covariance combined across executors equal the direct ones.
 */
class ShardedSamplingSpec : FunSpec({

    test("25 000 points in three shards on local-cluster[2,1,1024] equal TrainedModel.sample(25 000) and read back as a dataset") {
        val dir = tempdir().toPath()
        val runDir = dir.resolve("run")
        Flowkit.create().run(experiment("shards") {
            seed = 4
            data { moons() }
            network { mlp(hidden = listOf(16, 16)) }
            train { steps = 30; batchSize = 128; checkpointEvery = 0 }
            sample { euler(steps = 5); count = 100 }
        }, RunOptions.to(runDir))
        val out = dir.resolve("drawn")
        val result = LoopbackCluster.localCluster(dir, executors = 2).use { context ->
            ShardedSampling.sample(context, runDir, ShardedSampling.Request.of(25_000, 9).withShardRows(10_000), out) { _, _ -> }
        }
        result.shards() shouldBe 3
        result.processes().size shouldBeGreaterThanOrEqual 2
        result.processes() shouldNotContain SweepRunner.PROCESS

        val direct = Flowkit.load(runDir).use { it.sample(25_000, 9) }
        val sharded = Npy.read(result.samples())
        sharded.size shouldBe 25_000
        sharded.indices.forEach { i -> sharded[i].toList() shouldBe direct[i].toList() }

        // the moments merged across executors against a direct two-pass computation
        for (k in 0..1) {
            val mean = direct.sumOf { it[k].toDouble() } / direct.size
            result.mean()[k] shouldBe (mean plusOrMinus 1e-9)
            for (l in 0..1) {
                val meanL = direct.sumOf { it[l].toDouble() } / direct.size
                val cov = direct.sumOf { (it[k] - mean) * (it[l] - meanL) } / (direct.size - 1)
                result.covariance()[k][l] shouldBe (cov plusOrMinus 1e-9)
            }
        }

        val back = experiment("back") { data { dataset(file = result.samples().toString()) } }.data as Dataset
        back.dim shouldBe 2
        back.trainingRows + back.heldOutRows shouldBe 25_000L
        Files.delete(out.resolve("samples-00001.npy"))
        val error = runCatching { Npy.read(result.samples()) }.exceptionOrNull()
        error?.message shouldBe "${result.samples()}: shard 1 (samples-00001.npy): no such file"
    }
})
