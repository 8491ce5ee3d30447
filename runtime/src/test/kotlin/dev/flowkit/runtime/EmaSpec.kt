package dev.flowkit.runtime

import dev.flowkit.dsl.experiment
import dev.flowkit.runtime.compiler.Streams
import dev.flowkit.runtime.optimizers.ExponentialMovingAverage
import dev.flowkit.runtime.run.RunOptions
import io.kotest.core.spec.style.FunSpec
import io.kotest.engine.spec.tempdir
import io.kotest.matchers.doubles.plusOrMinus
import io.kotest.matchers.doubles.shouldBeGreaterThan
import io.kotest.matchers.doubles.shouldBeLessThan
import io.kotest.matchers.shouldBe
import org.tensorflow.types.TFloat32
import kotlin.math.abs
import kotlin.math.pow

/** Weight EMA: its closed form on a known sequence of weights, its use for sampling, and bit-exact resume. */
class EmaSpec : FunSpec({
    test("after updates to w_1 … w_K the average is d^K w_0 + (1 − d) Σ_k d^(K−k) w_k") {
        val decay = 0.9
        val sequence = listOf(floatArrayOf(1f, -2f), floatArrayOf(3f, 0.5f), floatArrayOf(-1f, 4f), floatArrayOf(2f, 2f), floatArrayOf(0f, -3f))
        graph {
            val weights = tf.variable(tf.constant(sequence[0]))
            val average = tf.variable(tf.constant(sequence[0]))
            val next = tf.placeholder(TFloat32::class.java)
            val update = tf.assign(weights, next)
            val step = ExponentialMovingAverage.after(tf, update, listOf(average), listOf(weights), decay)
            for (k in 1 until sequence.size) {
                TFloat32.vectorOf(*sequence[k]).use { rawSession.runner().feed(next, it).addTarget(step).run().close() }
            }
            val got = flat(average)
            val steps = sequence.size - 1
            for (j in 0..1) {
                var expected = decay.pow(steps) * sequence[0][j]
                for (k in 1..steps) expected += (1 - decay) * decay.pow(steps - k) * sequence[k][j]
                got[j].toDouble() shouldBe (expected plusOrMinus 1e-6)
            }
        }
    }

    fun moons(steps: Int, decay: Double?) = experiment("ema-moons") {
        seed = 5
        data { moons() }
        network { mlp(hidden = listOf(32, 32)) }
        train { this.steps = steps; batchSize = 256; logEvery = 10; checkpointEvery = 0; decay?.let { ema(decay = it) } }
        sample { euler(steps = 20); count = 300 }
        evaluate { meanCovError() }
    }

    fun maxDifference(a: Array<FloatArray>, b: Array<FloatArray>) = a.indices.maxOf { i -> a[i].indices.maxOf { abs(a[i][it] - b[i][it]).toDouble() } }

    test("sampling uses the average: a tiny decay follows the weights, a decay near 1 stays at the initial network") {
        val flowkit = Flowkit.create()
        val plain = flowkit.compile(moons(200, null)).use { e -> repeat(200) { e.trainStep(false) }; e.sample(300, Streams.SAMPLES) }
        val untrained = flowkit.compile(moons(200, null)).use { e -> e.sample(300, Streams.SAMPLES) }
        val follows = flowkit.compile(moons(200, 1e-6)).use { e -> repeat(200) { e.trainStep(false) }; e.sample(300, Streams.SAMPLES) }
        val frozen = flowkit.compile(moons(200, 1 - 1e-7)).use { e -> repeat(200) { e.trainStep(false) }; e.sample(300, Streams.SAMPLES) }
        val between = flowkit.compile(moons(200, 0.98)).use { e -> repeat(200) { e.trainStep(false) }; e.sample(300, Streams.SAMPLES) }
        maxDifference(plain, untrained) shouldBeGreaterThan 0.5 // training moved the samples
        maxDifference(follows, plain) shouldBeLessThan 1e-3
        maxDifference(frozen, untrained) shouldBeLessThan 1e-3
        maxDifference(between, plain) shouldBeGreaterThan 1e-3
        maxDifference(between, untrained) shouldBeGreaterThan 1e-3
    }

    test("a run with EMA resumed from its checkpoint equals the straight run bit for bit") {
        val flowkit = Flowkit.create()
        val straight = flowkit.run(moons(80, 0.95), RunOptions.to(tempdir().toPath()).withPlots(false))
        val split = tempdir().toPath()
        flowkit.run(moons(40, 0.95), RunOptions.to(split).withPlots(false))
        val resumed = flowkit.run(moons(80, 0.95), RunOptions.to(split).withPlots(false).resuming(true))
        resumed.samples().contentDeepEquals(straight.samples()) shouldBe true
    }
})
