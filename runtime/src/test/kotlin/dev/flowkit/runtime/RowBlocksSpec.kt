package dev.flowkit.runtime

import dev.flowkit.dsl.experiment
import dev.flowkit.runtime.compiler.SessionOptions
import dev.flowkit.runtime.compiler.Streams
import dev.flowkit.runtime.distributions.GaussianMixtureDistribution
import dev.flowkit.runtime.graph.RandomKey
import dev.flowkit.runtime.graph.RowBlocks
import dev.flowkit.runtime.potentials.LangevinSimulation
import dev.flowkit.runtime.potentials.Potential
import dev.flowkit.spec.Gaussian
import dev.flowkit.spec.LangevinIntegrator
import dev.flowkit.spec.Phi4Chain
import io.kotest.core.spec.style.FunSpec
import io.kotest.datatest.withData
import io.kotest.matchers.doubles.shouldBeLessThan
import io.kotest.matchers.shouldBe
import kotlin.math.abs

/**
 * A batch computed as row blocks side by side must be the batch computed whole: the same random numbers row for row,
 * the same samples and chains, whatever the number of blocks.
 */
class RowBlocksSpec : FunSpec({
    context("a key narrowed to a block draws that block's rows of the whole batch's numbers") {
        withData(nameFn = { "${it.first} ${it.second.toList()}" },
            listOf("uniform", "normal", "box-muller").flatMap { kind -> listOf(intArrayOf(37, 5), intArrayOf(40, 3, 2), intArrayOf(13, 1)).map { kind to it } }) { (kind, shape) ->
            graph {
                val key = RandomKey.of(tf, 11, 3).derive(2)
                fun draw(k: RandomKey, s: org.tensorflow.Operand<org.tensorflow.types.TInt32>) = when (kind) {
                    "uniform" -> k.uniform(tf, s, 1)
                    "normal" -> k.normal(tf, s, 1)
                    else -> k.normalByBoxMuller(tf, s, 1)
                }
                val whole = flat(draw(key, tf.constant(shape)))
                val blocks = RowBlocks.split(tf, tf.constant(shape[0]), 3)
                val parts = blocks.map { block ->
                    val blockShape = tf.concat(listOf(tf.reshape(block.rows(), tf.constant(intArrayOf(1))), tf.constant(shape.drop(1).toIntArray())), tf.constant(0))
                    flat(draw(block.of(key), blockShape))
                }
                parts.sumOf { it.size } shouldBe whole.size
                parts.reduce { a, b -> a + b }.toList() shouldBe whole.toList()
                // and not merely the whole draw again: a block starting later gets other numbers
                (parts[1].toList() == whole.take(parts[1].size)) shouldBe false
            }
        }
    }

    test("row blocks start at multiples of 4 rows, the last ones shorter or empty, every row in one block") {
        graph {
            for ((n, blocks) in listOf(10 to 3, 3 to 2, 16 to 4, 1 to 5)) {
                val split = RowBlocks.split(tf, tf.constant(n), blocks)
                val firsts = split.map { value(tf.dtypes.cast(it.first(), org.tensorflow.types.TFloat32::class.java)).toInt() }
                val rows = split.map { value(tf.dtypes.cast(it.rows(), org.tensorflow.types.TFloat32::class.java)).toInt() }
                rows.sum() shouldBe n
                firsts.indices.filter { rows[it] > 0 }.forEach { (firsts[it] % 4) shouldBe 0 } // an empty block draws nothing
                firsts.indices.drop(1).forEach { i -> firsts[i] shouldBe firsts[i - 1] + rows[i - 1] }
            }
        }
    }

    context("a guided stochastic sampler gives the same samples, trajectory and labels as 1, 2 or 7 blocks") {
        withData(nameFn = { it }, "euler-maruyama", "dpm-solver-sde", "edm-heun-churn", "pc (sampled whole)") { sampler ->
            val spec = experiment("blocks-cfg") {
                seed = 4
                data { circle(modes = 4, radius = 4.0, std = 0.5, labelled = true) }
                network { velocityAndScore(velocity = mlp(hidden = listOf(32)), score = mlp(hidden = listOf(32))) }
                train { flowAndScoreMatching(); steps = 30; batchSize = 128; checkpointEvery = 0 }
                sample {
                    when (sampler) {
                        "euler-maruyama" -> eulerMaruyama(steps = 12)
                        "dpm-solver-sde" -> dpmSolver(steps = 6, stochastic = true)
                        "edm-heun-churn" -> edmHeun(steps = 5, churn = 40.0)
                        else -> pc(predictor = eulerMaruyama(steps = 4), corrector = langevin(snr = 0.1))
                    }
                    count = 101; guidance(2.0)
                }
            }
            val runs = listOf(1, 2, 7).map { blocks ->
                Flowkit.create().compile(spec, SessionOptions(1, blocks)).use { e ->
                    repeat(30) { e.trainStep(false) }
                    e.sample(0, 101, Streams.SAMPLES, true)
                }
            }
            for (other in runs.drop(1)) {
                other.labels().toList() shouldBe runs[0].labels().toList()
                maxDifference(other.samples(), runs[0].samples()) shouldBeLessThan 1e-5
                other.trajectory().size shouldBe runs[0].trajectory().size
                runs[0].trajectory().indices.maxOf { maxDifference(other.trajectory()[it], runs[0].trajectory()[it]) } shouldBeLessThan 1e-5
            }
            // the noise mattered: no two samples alike
            runs[0].samples().map { it.toList() }.distinct().size shouldBe 101
        }
    }

    test("training on row blocks is training on the whole batch: the same losses and the same trained samples") {
        val spec = experiment("blocks-train") {
            seed = 6
            data { circle(modes = 4, radius = 4.0, std = 0.5, labelled = true) }
            network { mlp(hidden = listOf(32, 32)) }
            train { steps = 40; batchSize = 202; checkpointEvery = 0; labelDropout = 0.3 }
            sample { euler(steps = 8); count = 64; guidance(1.5) }
        }
        val runs = listOf(1, 3).map { blocks ->
            Flowkit.create().compile(spec, SessionOptions(1, blocks)).use { e ->
                val losses = (1..40).map { e.trainStep(true) }
                losses to e.sample(0, 64, Streams.SAMPLES, false).samples()
            }
        }
        runs[0].first.zip(runs[1].first).forEach { (a, b) -> abs(a - b) shouldBeLessThan 1e-4 * abs(a) }
        runs[0].first.last() shouldBeLessThan runs[0].first.first() // it trained
        maxDifference(runs[1].second, runs[0].second) shouldBeLessThan 1e-4
    }

    context("Langevin chains in 1 or 3 blocks are the same chains") {
        withData(LangevinIntegrator.entries.toList()) { integrator ->
            val runs = listOf(1, 3).map { blocks ->
                val simulation = LangevinSimulation(Potential(Phi4Chain(16, 0.03, null, 0.0)), GaussianMixtureDistribution(Gaussian(16, listOf(), 0.3)),
                    8.0, 1e-3, 23, integrator, false, SessionOptions.rowBlocks(blocks), LangevinSimulation.CHUNK_VALUES)
                simulation.run(1001, 7) to simulation.acceptanceRate()
            }
            runs[1].first.toList() shouldBe runs[0].first.toList()
            if (integrator == LangevinIntegrator.MALA) runs[1].second shouldBe runs[0].second
        }
    }
})

private fun maxDifference(a: Array<FloatArray>, b: Array<FloatArray>) = a.indices.maxOf { i -> a[i].indices.maxOf { abs(a[i][it] - b[i][it]).toDouble() } }
