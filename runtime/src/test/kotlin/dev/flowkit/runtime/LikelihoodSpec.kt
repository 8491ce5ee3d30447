package dev.flowkit.runtime

import dev.flowkit.runtime.distributions.GaussianMixtureDistribution
import dev.flowkit.runtime.likelihood.Divergence
import dev.flowkit.runtime.likelihood.ExactDivergence
import dev.flowkit.runtime.likelihood.HutchinsonDivergence
import dev.flowkit.runtime.likelihood.LikelihoodGraph
import dev.flowkit.runtime.paths.GaussianMixtureMarginal
import dev.flowkit.runtime.samplers.Dopri5Solver
import dev.flowkit.runtime.samplers.Rk4Solver
import dev.flowkit.runtime.samplers.Sampler
import dev.flowkit.runtime.schedules.Cosine
import dev.flowkit.runtime.schedules.Linear
import dev.flowkit.spec.Gaussian
import dev.flowkit.spec.GaussianMixture
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.doubles.plusOrMinus
import io.kotest.matchers.doubles.shouldBeGreaterThan
import io.kotest.matchers.doubles.shouldBeLessThan
import io.kotest.matchers.shouldBe
import java.util.Random
import kotlin.math.PI
import kotlin.math.abs
import kotlin.math.exp
import kotlin.math.ln
import kotlin.math.sqrt

/**
 * Probability-flow log-densities with exact marginal velocities (no training) against the analytic densities of the
 * data: a Gaussian and a Gaussian mixture, exact divergence to solver tolerance, Hutchinson to its Monte-Carlo error.
 */
class LikelihoodSpec : FunSpec({
    val standard = GaussianMixtureDistribution(Gaussian(2))
    val mu = listOf(1.0, -2.0)
    val s = 0.6
    val gaussian = GaussianMixtureDistribution(Gaussian(2, mu, s))
    val mixture = GaussianMixtureDistribution(
        GaussianMixture(means = listOf(listOf(3.0, 1.0), listOf(-2.0, 2.0), listOf(0.5, -2.5)), stds = listOf(0.5, 0.8, 0.6),
            weights = listOf(0.5, 0.3, 0.2))
    )
    val random = Random(5)
    // points around the data, some in the tails
    val points = Array(64) { floatArrayOf((random.nextGaussian() * 2.5).toFloat(), (random.nextGaussian() * 2.5).toFloat()) }

    fun gaussianLog(p: FloatArray) = -((p[0] - mu[0]) * (p[0] - mu[0]) + (p[1] - mu[1]) * (p[1] - mu[1])) / (2 * s * s) - ln(2 * PI * s * s)
    fun mixtureLog(p: FloatArray) = ln(mixture.means().indices.sumOf { k ->
        val v = mixture.stds()[k].toDouble().let { it * it }
        val d2 = (p[0] - mixture.means()[k][0]).toDouble().let { it * it } + (p[1] - mixture.means()[k][1]).toDouble().let { it * it }
        mixture.weights()[k] * exp(-d2 / (2 * v)) / (2 * PI * v)
    })

    fun logDensities(data: GaussianMixtureDistribution, schedule: dev.flowkit.runtime.schedules.Schedule, solver: Sampler,
                     divergence: Divergence, x: Array<FloatArray>, seed: Long = 1): LikelihoodGraph.LogDensities = graph {
        val field = GaussianMixtureMarginal(data, schedule)
        LikelihoodGraph(tf, field, field.path(), standard, solver, divergence, data).run(rawSession, x, seed, 0)
    }

    test("Gaussian data, exact divergence: log p matches log N(x; μ, s² I) with dopri5 and rk4") {
        for (solver in listOf(Dopri5Solver(1e-6, 1e-6, 10_000), Rk4Solver(40))) {
            val result = logDensities(gaussian, Linear(), solver, ExactDivergence(), points)
            println("${solver.javaClass.simpleName}: NFE ${result.functionEvaluations()}")
            points.forEachIndexed { i, p ->
                result.logDensity()[i] shouldBe (gaussianLog(p) plusOrMinus 2e-3 * (1 + abs(gaussianLog(p))))
            }
        }
    }

    test("Gaussian-mixture data on the cosine schedule, exact divergence: log p matches the mixture's log-density") {
        val result = logDensities(mixture, Cosine(), Dopri5Solver(1e-6, 1e-6, 10_000), ExactDivergence(), points)
        println("mixture: NFE ${result.functionEvaluations()}")
        points.forEachIndexed { i, p ->
            result.logDensity()[i] shouldBe (mixtureLog(p) plusOrMinus 5e-3 * (1 + abs(mixtureLog(p))))
        }
    }

    test("Hutchinson is unbiased and its error shrinks like 1/sqrt(probes), with Rademacher and Gaussian probes") {
        val many = Array(400) { points[it % points.size] }
        for (rademacher in listOf(true, false)) {
            val rms = listOf(1, 16).map { probes ->
                val result = logDensities(mixture, Cosine(), Dopri5Solver(1e-4, 1e-4, 10_000), HutchinsonDivergence(probes, rademacher), many, seed = 7)
                val errors = many.indices.map { result.logDensity()[it] - mixtureLog(many[it]) }
                val mean = errors.average()
                val rms = sqrt(errors.sumOf { it * it } / errors.size)
                println("hutchinson(${if (rademacher) "rademacher" else "gaussian"}, $probes probes): mean error $mean, rms $rms")
                mean shouldBe (0.0 plusOrMinus 4 * rms / sqrt(errors.size.toDouble()) + 5e-3) // unbiased
                rms
            }
            // 16× the probes: the error's spread divides by about 4
            (rms[0] / rms[1]) shouldBeGreaterThan 2.5
            (rms[0] / rms[1]) shouldBeLessThan 6.0
        }
    }

    test("8-bit image-shaped data: bits/dim by uniform dequantization match the exact discrete bits of the levels") {
        // Pixels: a Gaussian N(0.1, 0.3²) on [-1, 1] quantized to 256 levels, stored as uint8 [rows, 2, 2, 1]. The model
        // is that Gaussian's exact field, so the discrete levels' exact probability is the Gaussian's mass over each bin.
        val (m, sd, width) = Triple(0.1, 0.3, 2.0 / 256)
        val random = Random(9)
        val levels = DoubleArray(500 * 4) { (((m + sd * random.nextGaussian()) + 1) / width).toInt().coerceIn(0, 255).toDouble() }
        val file = writeNpy(java.nio.file.Files.createTempFile("pixels", ".npy"), "|u1", listOf(500, 2, 2, 1), levels)
        val data = dev.flowkit.runtime.distributions.DatasetDistribution(
            dev.flowkit.spec.Dataset(file.toString(), heldOut = 0.2, quantization = dev.flowkit.spec.Quantization(8, -1.0, 1.0)))
        val result = graph {
            val draw = dev.flowkit.runtime.compiler.RandomDraw(tf)
            val heldOut = draw.run(rawSession, 100, 5, 0, listOf(data.sampleHeldOut(tf, draw.count(), draw.key())))
                .use { dev.flowkit.runtime.graph.Tensors.toMatrix(it.get(0)) }
            val field = GaussianMixtureMarginal(GaussianMixtureDistribution(Gaussian(4, List(4) { m }, sd)), Linear())
            val likelihood = LikelihoodGraph(tf, field, field.path(), GaussianMixtureDistribution(Gaussian(4)), Dopri5Solver(1e-5, 1e-5, 10_000),
                ExactDivergence(), data)
            heldOut to likelihood.run(rawSession, heldOut, 1, 0)
        }
        val (points, densities) = result
        fun binMass(level: Int): Double { // Simpson's rule over the bin: exact to ~1e-12 here
            val a = -1 + level * width
            val h = width / 32
            return (0..32).sumOf { j ->
                val y = a + j * h
                val w = if (j == 0 || j == 32) 1.0 else if (j % 2 == 1) 4.0 else 2.0
                w * exp(-(y - m) * (y - m) / (2 * sd * sd)) / sqrt(2 * PI * sd * sd)
            } * h / 3
        }
        val exact = points.map { p -> -p.sumOf { ln(binMass(((it + 1) / width).toInt())) } / (4 * ln(2.0)) }
        points.indices.forEach { densities.bitsPerDim()[it] shouldBe (exact[it] plusOrMinus 0.1) }
        println("bits/dim: dequantized ${densities.meanBitsPerDim()}, exact discrete ${exact.average()}")
        // about 7.3 bits: a missing offset (7 bits for [-1, 1]) or the [0, 1] offset (8) is far outside this
        densities.meanBitsPerDim() shouldBe (exact.average() plusOrMinus 0.01)
    }
})
