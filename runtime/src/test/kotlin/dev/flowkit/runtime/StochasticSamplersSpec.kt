package dev.flowkit.runtime

import dev.flowkit.runtime.distributions.GaussianMixtureDistribution
import dev.flowkit.runtime.paths.GaussianMixtureMarginal
import dev.flowkit.runtime.samplers.ConstantNoise
import dev.flowkit.runtime.samplers.EulerMaruyamaSolver
import dev.flowkit.runtime.samplers.EulerSolver
import dev.flowkit.runtime.samplers.HeunSolver
import dev.flowkit.runtime.samplers.LangevinCorrector
import dev.flowkit.runtime.samplers.LangevinSampler
import dev.flowkit.runtime.samplers.LinearNoise
import dev.flowkit.runtime.samplers.NoiseStdNoise
import dev.flowkit.runtime.samplers.PredictorCorrector
import dev.flowkit.runtime.samplers.ReverseNoise
import dev.flowkit.runtime.samplers.Sampler
import dev.flowkit.runtime.schedules.Cosine
import dev.flowkit.runtime.schedules.ExponentialVe
import dev.flowkit.runtime.schedules.Linear
import dev.flowkit.runtime.schedules.Schedule
import dev.flowkit.runtime.schedules.SubVariancePreserving
import dev.flowkit.runtime.schedules.VarianceExploding
import dev.flowkit.runtime.schedules.VariancePreserving
import dev.flowkit.spec.Gaussian
import io.kotest.core.spec.style.FunSpec
import io.kotest.datatest.withData
import io.kotest.matchers.doubles.plusOrMinus
import io.kotest.matchers.shouldBe
import java.util.Random
import kotlin.math.abs
import kotlin.math.exp
import kotlin.math.ln
import kotlin.math.sqrt

/**
 * Stochastic samplers driven by exact scores (no training): Euler–Maruyama for several σ_t, the reverse SDEs of
 * vp, sub-vp and ve, predictor–corrector, and Langevin dynamics against the closed-form law of its chain; and the
 * forward SDEs of the diffusion schedules against their perturbation kernels.
 */
class StochasticSamplersSpec : FunSpec({

    val mixture = threeModeMixture()

    data class Case(val sampler: Sampler, val schedule: Schedule, val label: String) {
        override fun toString() = label
    }

    context("with the exact velocity and score, stochastic samplers carry the source to the mixture") {
        withData(
            Case(EulerMaruyamaSolver(200, ConstantNoise(1.0)), Linear(), "euler-maruyama(200, σ = 1), linear"),
            Case(EulerMaruyamaSolver(200, LinearNoise(2.0, 0.0)), Cosine(), "euler-maruyama(200, σ from 2 to 0), cosine"),
            Case(EulerMaruyamaSolver(200, NoiseStdNoise(1.5)), Linear(), "euler-maruyama(200, σ = 1.5 β_t), linear"),
            Case(EulerMaruyamaSolver(300, ReverseNoise()), VariancePreserving(0.1, 20.0), "reverse SDE (300), vp"),
            Case(EulerMaruyamaSolver(300, ReverseNoise()), SubVariancePreserving(0.1, 20.0), "reverse SDE (300), sub-vp"),
            Case(EulerMaruyamaSolver(400, ReverseNoise()), VarianceExploding(0.01, 50.0), "reverse SDE (400), ve"),
            Case(EulerMaruyamaSolver(500, ReverseNoise()), ExponentialVe(25.0), "reverse SDE (500), exponential-ve(25)"),
            Case(PredictorCorrector(EulerMaruyamaSolver(150, ReverseNoise()), LangevinCorrector(0.16, 1)),
                VariancePreserving(0.1, 20.0), "pc(reverse SDE (150), langevin(snr 0.16)), vp"),
            Case(PredictorCorrector(HeunSolver(60), LangevinCorrector(0.1, 1)), VarianceExploding(0.01, 50.0),
                "pc(heun(60), langevin(snr 0.1)), ve"),
        ) { c ->
            graph {
                val field = GaussianMixtureMarginal(mixture, c.schedule)
                val start = GaussianMixtureDistribution(Gaussian(2, std = c.schedule.sourceStd()))
                mixture.shouldMatch(runSampler(c.sampler, field, field.path(), start, 4000).samples(), stdTolerance = 0.1)
            }
        }
    }

    test("noiseStd(scale) is σ_t = scale · β_t of the path: scale² (1 − t)² on linear, scale² cos²(πt/2) on cosine") {
        graph {
            val t = constant(arrayOf(floatArrayOf(0.0f), floatArrayOf(0.25f), floatArrayOf(0.9f)))
            val linear = flat(NoiseStdNoise(2.0).squared(tf, GaussianMixtureMarginal(mixture, Linear()).path(), t))
            val cosine = flat(NoiseStdNoise(0.5).squared(tf, GaussianMixtureMarginal(mixture, Cosine()).path(), t))
            listOf(0.0, 0.25, 0.9).forEachIndexed { i, s ->
                linear[i].toDouble() shouldBe (4 * (1 - s) * (1 - s) plusOrMinus 1e-5)
                cosine[i].toDouble() shouldBe (0.25 * Math.cos(Math.PI * s / 2).let { it * it } plusOrMinus 1e-5)
            }
        }
    }

    test("σ = 0 Euler–Maruyama is the Euler ODE solver, step for step") {
        graph {
            val field = GaussianMixtureMarginal(mixture, Linear())
            val start = GaussianMixtureDistribution(Gaussian(2))
            val ode = runSampler(EulerSolver(50), field, field.path(), start, 200).samples()
            val sde = runSampler(EulerMaruyamaSolver(50, ConstantNoise(0.0)), field, field.path(), start, 200).samples()
            ode.indices.forEach { i -> sde[i].toList() shouldBe ode[i].toList() }
        }
    }

    test("Langevin with the exact score of N(μ, s² I) has the closed-form law of its chain: mean μ, variance a² v∞") {
        // x ← a x + (1 − a) μ + √(2ε) ξ with a = 1 − ε/s² has stationary variance v∞ = 2ε / (1 − a²); the last,
        // noise-free step scales it by a². From N(0, I) the transient decays like a^(2n) (here < e^-30).
        val mu = listOf(1.5, -2.0)
        val s = 0.7
        val eps = 0.02
        val steps = 400
        val gaussian = GaussianMixtureDistribution(Gaussian(2, mu, s))
        val n = 10_000
        val samples = graph {
            val field = GaussianMixtureMarginal(gaussian, VariancePreserving(0.1, 20.0))
            runSampler(LangevinSampler(steps, eps, 1.0), field, field.path(), GaussianMixtureDistribution(Gaussian(2)), n).samples()
        }
        val a = 1 - eps / (s * s)
        val variance = a * a * 2 * eps / (1 - a * a)
        for (k in 0..1) {
            val values = samples.map { it[k].toDouble() }
            val mean = values.average()
            mean shouldBe (mu[k] plusOrMinus 4 * sqrt(variance / n))
            val v = values.sumOf { (it - mean) * (it - mean) } / (n - 1)
            v shouldBe (variance plusOrMinus 4 * variance * sqrt(2.0 / n))
        }
        val m0 = samples.map { it[0].toDouble() }.average()
        val m1 = samples.map { it[1].toDouble() }.average()
        val covariance = samples.sumOf { (it[0] - m0) * (it[1] - m1) } / (n - 1)
        covariance shouldBe (0.0 plusOrMinus 4 * variance / sqrt(n.toDouble()))
    }

    context("the forward SDE of each diffusion schedule reproduces its perturbation kernel N(α_t z, β_t²)") {
        // In diffusion time s = 1 − t: dx = f(s) x ds + g(s) dW with f = d ln α / ds = −α̇/α and g² from the schedule.
        // Simulated here (Euler–Maruyama on the JVM, 20 000 paths from N(α_1 z, β_1²)) with the schedule's own
        // coefficients: the simulated mean and std must match α_t z and β_t.
        data class Sde(val schedule: Schedule, val label: String, val g2: (Double) -> Double) {
            override fun toString() = label
        }
        fun linearBeta(s: Double) = 0.1 + s * 19.9
        fun integral(s: Double) = 0.1 * s + 9.95 * s * s
        withData(
            Sde(VariancePreserving(0.1, 20.0), "vp: g² = β(s)") { s -> linearBeta(s) },
            Sde(SubVariancePreserving(0.1, 20.0), "sub-vp: g² = β(s)(1 − e^(−2∫β))") { s -> linearBeta(s) * (1 - exp(-2 * integral(s))) },
            Sde(VarianceExploding(0.01, 50.0), "ve: g² = 2 ln(σmax/σmin) σ(s)²") { s ->
                2 * ln(5000.0) * (0.01 * Math.pow(5000.0, s)).let { it * it } },
            Sde(ExponentialVe(25.0), "exponential-ve: g² = σ^{2s}") { s -> Math.pow(25.0, 2 * s) },
        ) { c ->
            val steps = 2000
            val grid = FloatArray(steps + 1) { j -> (1.0 - j.toDouble() / steps).toFloat() } // t for s = j/steps
            val (coefficients, kernel) = graph {
                val t = tf.constant(grid)
                val v = c.schedule.at(tf, t)
                val g2 = flat(c.schedule.diffusionSquared(tf, t))
                Pair(Triple(flat(v.alpha()), flat(v.alphaDot()), g2), Pair(flat(v.alpha()), flat(v.beta())))
            }
            val (alpha, alphaDot, g2) = coefficients
            // g² against its closed form
            for (j in intArrayOf(0, 500, 1000, 1999)) {
                val s = j.toDouble() / steps
                g2[j].toDouble() shouldBe (c.g2(s) plusOrMinus 1e-4 * (1 + c.g2(s)))
            }
            val z = 1.5
            val paths = 20_000
            val random = Random(3)
            val ds = 1.0 / steps
            val x = DoubleArray(paths) { alpha[0] * z + kernel.second[0] * random.nextGaussian() }
            for (j in 0 until steps) {
                val f = -alphaDot[j] / alpha[j]
                val noise = sqrt(g2[j] * ds)
                for (p in 0 until paths) x[p] += f * x[p] * ds + noise * random.nextGaussian()
                val s = j + 1
                if (s == steps / 4 || s == steps / 2 || s == steps) {
                    val mean = x.average()
                    val std = sqrt(x.sumOf { (it - mean) * (it - mean) } / (paths - 1))
                    val beta = kernel.second[s].toDouble()
                    mean shouldBe (kernel.first[s] * z plusOrMinus 4 * beta / sqrt(paths.toDouble()) + 0.01 * abs(kernel.first[s] * z))
                    std shouldBe (beta plusOrMinus 4 * beta / sqrt(2.0 * paths) + 0.01 * beta)
                }
            }
        }
    }
})
