package dev.flowkit.runtime

import dev.flowkit.runtime.distributions.CheckerboardDistribution
import dev.flowkit.runtime.distributions.CirclesDistribution
import dev.flowkit.runtime.distributions.Distribution
import dev.flowkit.runtime.distributions.GaussianMixtureDistribution
import dev.flowkit.runtime.distributions.MoonsDistribution
import dev.flowkit.runtime.distributions.UniformDistribution
import dev.flowkit.runtime.graph.RandomKey
import dev.flowkit.runtime.metrics.MeanCovErrorMetric
import dev.flowkit.spec.Checkerboard
import dev.flowkit.spec.Circle
import dev.flowkit.spec.Circles
import dev.flowkit.spec.GaussianMixture
import dev.flowkit.spec.Moons
import dev.flowkit.spec.Uniform
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.doubles.plusOrMinus
import io.kotest.matchers.doubles.shouldBeLessThan
import io.kotest.matchers.shouldBe
import kotlin.math.PI
import kotlin.math.abs
import kotlin.math.floor
import kotlin.math.sqrt

/** In-graph samplers against the closed-form moments and supports of their distributions. */
class DistributionsSpec : FunSpec({
    val n = 20_000

    fun GraphHarness.draw(d: Distribution, seed: Long = 3, stream: Long = 0) =
        matrix(d.sample(tf, tf.constant(n), RandomKey.of(tf, seed, stream)))

    /** Asserts sample mean and covariance match [mean] and [cov] within [sigmas] standard errors. */
    fun momentsMatch(x: Array<FloatArray>, mean: DoubleArray, cov: Array<DoubleArray>, sigmas: Double = 4.5) {
        val m = MeanCovErrorMetric.mean(x)
        val c = MeanCovErrorMetric.covariance(x, m)
        for (i in mean.indices) {
            m[i] shouldBe (mean[i] plusOrMinus sigmas * sqrt(cov[i][i] / x.size))
            for (j in mean.indices) {
                // var of a sample covariance entry ≈ (σ_ii σ_jj + σ_ij²)/n for near-Gaussian data; doubled for safety
                val se = sqrt(2 * (cov[i][i] * cov[j][j] + cov[i][j] * cov[i][j]) / x.size)
                c[i][j] shouldBe (cov[i][j] plusOrMinus sigmas * se)
            }
        }
    }

    test("gaussian mixture: mean Σ w μ and covariance Σ w (s² I + μμᵀ) − m mᵀ") {
        val spec = GaussianMixture(listOf(listOf(4.0, 1.0), listOf(-3.0, 2.0)), listOf(0.3, 0.6), listOf(0.6, 0.4))
        graph {
            val x = draw(GaussianMixtureDistribution(spec))
            val w = listOf(0.6, 0.4)
            val mu = spec.means
            val s = spec.stds
            val mean = DoubleArray(2) { k -> w[0] * mu[0][k] + w[1] * mu[1][k] }
            val cov = Array(2) { i -> DoubleArray(2) { j ->
                (0..1).sumOf { c -> w[c] * ((if (i == j) s[c] * s[c] else 0.0) + mu[c][i] * mu[c][j]) } - mean[i] * mean[j]
            } }
            momentsMatch(x, mean, cov)
        }
    }

    test("circle: 8 equal modes on the circle, mean 0, covariance (r²/2 + s²) I") {
        graph {
            val x = draw(GaussianMixtureDistribution(Circle(8, 4.0, 0.5)))
            val v = 16.0 / 2 + 0.25
            momentsMatch(x, doubleArrayOf(0.0, 0.0), arrayOf(doubleArrayOf(v, 0.0), doubleArrayOf(0.0, v)))
        }
    }

    test("uniform: mean (low + high)/2, variance (high − low)²/12, independent coordinates") {
        graph {
            val x = draw(UniformDistribution(Uniform(3, -1.0, 2.0)))
            x.all { p -> p.all { it >= -1f && it < 2f } } shouldBe true
            momentsMatch(x, DoubleArray(3) { 0.5 }, Array(3) { i -> DoubleArray(3) { j -> if (i == j) 0.75 else 0.0 } })
        }
    }

    test("moons: centred, covariance in closed form, every point near one of the arcs") {
        val noise = 0.05
        val scale = 2.0
        graph {
            val x = draw(MoonsDistribution(Moons(noise, scale)))
            // upper arc (cos θ, sin θ), lower (1 − cos θ, ½ − sin θ), θ ~ U[0, π], each w.p. ½:
            // E x = ½, E x² = 1, E y = ¼, E y² = ½(½) + ½(¾ − 2/π)
            val varX = 1.0 - 0.25 + noise * noise
            val varY = 0.5 * 0.5 + 0.5 * (0.75 - 2 / PI) - 0.0625 + noise * noise
            // E[xy]: upper E[cos θ sin θ] = 0; lower E[(1 − cos θ)(½ − sin θ)] = ½ − 2/π − 0 + 0 = ½ − 2/π
            val exy = 0.5 * (0.5 - 2 / PI)
            val cov = arrayOf(doubleArrayOf(varX, exy - 0.5 * 0.25), doubleArrayOf(exy - 0.5 * 0.25, varY))
            val scaled = Array(2) { i -> DoubleArray(2) { j -> cov[i][j] * scale * scale } }
            momentsMatch(x, doubleArrayOf(0.0, 0.0), scaled)
            // every point lies within 5σ of one of the two arcs
            for (p in x) {
                val u = p[0] / scale + 0.5
                val v = p[1] / scale + 0.25
                val upper = abs(sqrt(u * u + v * v) - 1).takeIf { v > -5 * noise } ?: 9.0
                val lower = abs(sqrt((u - 1) * (u - 1) + (v - 0.5) * (v - 0.5)) - 1).takeIf { v < 0.5 + 5 * noise } ?: 9.0
                minOf(upper, lower) shouldBeLessThan 5 * noise + 1e-6
            }
        }
    }

    test("circles: half the points on radius scale, half on factor·scale") {
        graph {
            val x = draw(CirclesDistribution(Circles(0.0, 0.4, 2.5)))
            val radii = x.map { sqrt(it[0] * it[0] + it[1] * it[1].toDouble()) }
            radii.all { abs(it - 2.5) < 1e-4 || abs(it - 1.0) < 1e-4 } shouldBe true
            radii.count { abs(it - 2.5) < 1e-4 }.toDouble() / n shouldBe (0.5 plusOrMinus 4 * sqrt(0.25 / n))
            momentsMatch(x, doubleArrayOf(0.0, 0.0), arrayOf(doubleArrayOf((6.25 + 1) / 4, 0.0), doubleArrayOf(0.0, (6.25 + 1) / 4)))
        }
    }

    test("checkerboard: only dark cells, each equally likely, uniform inside") {
        graph {
            val x = draw(CheckerboardDistribution(Checkerboard(4, 8.0)))
            val counts = mutableMapOf<Pair<Int, Int>, Int>()
            for (p in x) {
                val col = floor((p[0] + 4) / 2).toInt()
                val row = floor((p[1] + 4) / 2).toInt()
                (col in 0..3 && row in 0..3) shouldBe true
                ((col + row) % 2) shouldBe 0
                counts.merge(col to row, 1, Int::plus)
            }
            counts.size shouldBe 8
            counts.values.forEach { it.toDouble() / n shouldBe (0.125 plusOrMinus 4 * sqrt(0.125 * 0.875 / n)) }
            // uniform on the 8 dark cells of side 2: moments of the cell centres plus the in-cell variance 2²/12
            val centres = (0..3).flatMap { c -> (0..3).filter { r -> (c + r) % 2 == 0 }.map { r -> (2.0 * c - 3) to (2.0 * r - 3) } }
            val varAxis = centres.map { it.first * it.first }.average() + 4.0 / 12
            val covXY = centres.map { it.first * it.second }.average()
            momentsMatch(x, doubleArrayOf(0.0, 0.0), arrayOf(doubleArrayOf(varAxis, covXY), doubleArrayOf(covXY, varAxis)))
        }
    }

    test("the same key gives the same draws; another stream gives others") {
        graph {
            val d = MoonsDistribution(Moons())
            draw(d, 9, 1).contentDeepEquals(draw(d, 9, 1)) shouldBe true
            draw(d, 9, 1).contentDeepEquals(draw(d, 9, 2)) shouldBe false
        }
    }
})
