package dev.flowkit.spark

import dev.flowkit.dsl.experiment
import dev.flowkit.runtime.Flowkit
import dev.flowkit.runtime.compiler.DataParallel
import dev.flowkit.runtime.output.Npy
import dev.flowkit.runtime.run.RunOptions
import dev.flowkit.runtime.sweep.SweepRunner
import io.kotest.core.spec.style.FunSpec
import io.kotest.engine.spec.tempdir
import io.kotest.matchers.collections.shouldNotContain
import io.kotest.matchers.doubles.shouldBeLessThan
import io.kotest.matchers.doubles.shouldBeGreaterThan
import io.kotest.matchers.doubles.plusOrMinus
import io.kotest.matchers.shouldBe
import io.kotest.matchers.shouldNotBe
import kotlin.math.abs

/**
 * Two replicas on local-cluster[2,1,1024], averaging gradients by TensorFlow's collective all-reduce, keep identical
 * weights and match one process that computes both sub-batches of every step itself, to float tolerance.
 */
class DataParallelSpec : FunSpec({

    val spec = experiment("replicated") {
        seed = 12
        data { moons() }
        network { mlp(hidden = listOf(32, 32)) }
        train { steps = 25; batchSize = 256; logEvery = 5; checkpointEvery = 0 }
        sample { euler(steps = 10); count = 500 }
        evaluate { meanCovError() }
    }

    fun maxDifference(a: Array<FloatArray>, b: Array<FloatArray>) = a.indices.maxOf { i -> a[i].indices.maxOf { abs(a[i][it] - b[i][it]).toDouble() } }

    test("two replicas stay bit-identical and equal one process trained on both sub-batches") {
        val dir = tempdir().toPath()
        val result = LoopbackCluster.localCluster(dir, executors = 2).use { context ->
            DataParallelTraining.train(context, spec, 2, dir.resolve("replicated"))
        }
        result.digests().size shouldBe 2
        result.digests()[1] shouldBe result.digests()[0]
        result.processes().toSet().size shouldBe 2
        result.processes() shouldNotContain SweepRunner.PROCESS

        val reference = Flowkit.create().run(spec, RunOptions.to(dir.resolve("reference")).withParallel(DataParallel.inOneProcess(2)))
        val replicated = Npy.read(dir.resolve("replicated/samples.npy"))
        val oneProcess = Npy.read(dir.resolve("reference/samples.npy"))
        println("replicas ${result.digests()} in ${result.processes()}; samples against one process: ${maxDifference(replicated, oneProcess)}")
        maxDifference(replicated, oneProcess) shouldBeLessThan 1e-4
        val meanError = reference.metrics()["meanError"]!!
        result.first().metrics()["meanError"]!! shouldBe (meanError plusOrMinus 1e-3 * meanError)
        // the sub-batches matter: one plain batch of 256 trains other weights
        val plain = Flowkit.create().run(spec, RunOptions.to(dir.resolve("plain")))
        println("plain batch against the sub-batches: ${maxDifference(Npy.read(dir.resolve("plain/samples.npy")), oneProcess)}")
        maxDifference(Npy.read(dir.resolve("plain/samples.npy")), oneProcess) shouldBeGreaterThan 1e-3
        plain.parameterDigest() shouldNotBe reference.parameterDigest()
    }
})
