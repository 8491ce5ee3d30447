package dev.flowkit.runtime

import dev.flowkit.runtime.distributions.GaussianMixtureDistribution
import dev.flowkit.runtime.model.Model
import dev.flowkit.runtime.samplers.Dopri5Solver
import dev.flowkit.runtime.samplers.MidpointSolver
import dev.flowkit.runtime.samplers.Sampler
import dev.flowkit.runtime.schedules.SubVariancePreserving
import dev.flowkit.runtime.schedules.VarianceExploding
import dev.flowkit.runtime.paths.GaussianMixtureMarginal
import dev.flowkit.runtime.samplers.EulerSolver
import dev.flowkit.runtime.samplers.FixedStepSolver
import dev.flowkit.runtime.samplers.HeunSolver
import dev.flowkit.runtime.samplers.Rk4Solver
import dev.flowkit.runtime.schedules.Cosine
import dev.flowkit.runtime.schedules.Linear
import dev.flowkit.runtime.schedules.Schedule
import dev.flowkit.runtime.schedules.VariancePreserving
import dev.flowkit.spec.Gaussian
import io.kotest.core.spec.style.FunSpec
import io.kotest.datatest.withData
import io.kotest.matchers.comparables.shouldBeLessThan
import io.kotest.matchers.doubles.plusOrMinus
import io.kotest.matchers.shouldBe
import kotlin.math.PI
import kotlin.math.abs
import kotlin.math.exp
import kotlin.math.ln
import kotlin.math.cos
import kotlin.math.sin
import kotlin.math.sqrt

private fun sq(x: Double) = x * x
private fun sq(x: Float) = x.toDouble() * x

/**
 * ODE samplers driven by the exact marginal vector field of Gaussian(-mixture) data, no training:
 * they must reach the data distribution on every schedule, their measured convergence orders must be 1, 2 and 4,
 * and dopri5 must meet its tolerance.
 */
class SamplersSpec : FunSpec({

    val mixture = threeModeMixture()
    val source = GaussianMixtureDistribution(Gaussian(2))

    data class Case(val solver: Sampler, val schedule: Schedule, val label: String) {
        override fun toString() = label
    }

    context("with the exact field every ODE solver carries the source to the mixture: mode weights, means and stds") {
        withData(
            Case(EulerSolver(400), Linear(), "euler(400), linear schedule"),
            Case(HeunSolver(60), Linear(), "heun(60), linear schedule"),
            Case(MidpointSolver(60), Linear(), "midpoint(60), linear schedule"),
            Case(Rk4Solver(25), Linear(), "rk4(25), linear schedule"),
            Case(Dopri5Solver(1e-4, 1e-4, 10_000), Linear(), "dopri5(1e-4), linear schedule"),
            Case(HeunSolver(60), Cosine(), "heun(60), cosine schedule"),
            Case(HeunSolver(100), VariancePreserving(0.1, 20.0), "heun(100), vp schedule"),
            Case(Dopri5Solver(1e-4, 1e-4, 10_000), VariancePreserving(0.1, 20.0), "dopri5(1e-4), vp schedule"),
            Case(HeunSolver(100), SubVariancePreserving(0.1, 20.0), "heun(100), sub-vp schedule"),
            Case(HeunSolver(200), VarianceExploding(0.01, 50.0), "heun(200), ve schedule from N(0, 50² I)"),
        ) { c ->
            graph {
                val field = GaussianMixtureMarginal(mixture, c.schedule)
                val start = GaussianMixtureDistribution(Gaussian(2, std = c.schedule.sourceStd()))
                val run = runSampler(c.solver, field, field.path(), start, 4000)
                if (c.solver is Dopri5Solver) println("${c.label}: ${run.functionEvaluations()} function evaluations")
                mixture.shouldMatch(run.samples())
            }
        }
    }

    context("measured convergence order on problems with known solutions") {
        // (a) Gaussian data N(μ, s² I) on the linear schedule: the exact flow is x_t = α_t μ + sqrt(α_t² s² + β_t²) x_0,
        //     so x_1 = μ + s x_0; the field is nonlinear in t.
        // (b) RK4 is accurate to float32 rounding on (a) within a few steps, so its order is measured on a rotation
        //     with time-dependent speed, u_t(x) = ω(1 + t) J x, whose flow turns x_0 by the angle 1.5 ω.
        val mu = listOf(1.0, -2.0)
        val s = 0.2
        val gaussianField = GaussianMixtureMarginal(GaussianMixtureDistribution(Gaussian(2, mu, s)), Linear())
        val omega = 13.0
        val rotation = Model.ofVelocity { tf, x, t ->
            val speed = tf.math.mul(tf.constant(omega.toFloat()), tf.math.add(tf.constant(1f), t))
            tf.math.mul(speed, tf.linalg.matMul(x, tf.constant(arrayOf(floatArrayOf(0f, 1f), floatArrayOf(-1f, 0f)))))
        }
        val x0 = arrayOf(floatArrayOf(0.5f, -1.0f), floatArrayOf(-1.5f, 0.3f), floatArrayOf(2.0f, 1.2f), floatArrayOf(0.1f, 0.0f))
        fun gaussianExact(p: FloatArray) = doubleArrayOf(mu[0] + s * p[0], mu[1] + s * p[1])
        fun rotationExact(p: FloatArray): DoubleArray {
            val angle = 1.5 * omega
            return doubleArrayOf(cos(angle) * p[0] - sin(angle) * p[1], sin(angle) * p[0] + cos(angle) * p[1])
        }
        data class Order(val make: (Int) -> FixedStepSolver, val field: Model, val exact: (FloatArray) -> DoubleArray,
                         val steps: List<Int>, val order: Double, val label: String) {
            override fun toString() = label
        }
        withData(
            Order(::EulerSolver, gaussianField, ::gaussianExact, listOf(32, 64, 128, 256), 1.0, "euler → 1"),
            Order(::HeunSolver, gaussianField, ::gaussianExact, listOf(16, 32, 64, 128), 2.0, "heun → 2"),
            Order(::MidpointSolver, rotation, ::rotationExact, listOf(64, 128, 256, 512), 2.0, "midpoint → 2"),
            Order(::Rk4Solver, rotation, ::rotationExact, listOf(32, 64, 128), 4.0, "rk4 → 4"),
        ) { c ->
            graph {
                val errors = c.steps.map { n ->
                    val end = runFrom(c.make(n), c.field, x0)
                    x0.indices.maxOf { i -> c.exact(x0[i]).indices.maxOf { k -> abs(end[i][k] - c.exact(x0[i])[k]) } }
                }
                val orders = errors.zipWithNext { a, b -> ln(a / b) / ln(2.0) }
                println("${c.label}: errors $errors, orders $orders")
                orders.forEach { it shouldBe (c.order plusOrMinus 0.25) }
            }
        }
    }

    context("dopri5 meets its tolerance on the rotation problem, and its NFE drops as the tolerance loosens") {
        val omega = 13.0
        val rotation = Model.ofVelocity { tf, x, t ->
            val speed = tf.math.mul(tf.constant(omega.toFloat()), tf.math.add(tf.constant(1f), t))
            tf.math.mul(speed, tf.linalg.matMul(x, tf.constant(arrayOf(floatArrayOf(0f, 1f), floatArrayOf(-1f, 0f)))))
        }
        val x0 = arrayOf(floatArrayOf(0.5f, -1.0f), floatArrayOf(-1.5f, 0.3f), floatArrayOf(2.0f, 1.2f), floatArrayOf(0.1f, 0.0f))
        val angle = 1.5 * omega
        val results = listOf(1e-2, 1e-3, 1e-4, 1e-5).map { tol ->
            graph {
                val run = runFromWithEvaluations(Dopri5Solver(tol, tol, 10_000), rotation, x0)
                val error = x0.indices.maxOf { i ->
                    val p = x0[i]
                    val exact = doubleArrayOf(cos(angle) * p[0] - sin(angle) * p[1], sin(angle) * p[0] + cos(angle) * p[1])
                    // relative to the solution's size, as the tolerance is (|x| ≤ 2.3 here)
                    maxOf(abs(run.first[i][0] - exact[0]), abs(run.first[i][1] - exact[1])) / (1 + sqrt(sq(exact[0]) + sq(exact[1])))
                }
                Triple(tol, error, run.second)
            }
        }
        results.forEach { println("dopri5 rtol = atol = ${it.first}: max relative error ${it.second}, NFE ${it.third}") }
        test("the global error stays within 20 × the tolerance (the solution turns 3 times) and shrinks with it") {
            results.forEach { (tol, error, _) -> error shouldBeLessThan 20 * tol }
            results.zipWithNext { loose, tight -> tight.second shouldBeLessThan loose.second / 5 }
        }
        test("a looser tolerance takes strictly fewer function evaluations") {
            results.zipWithNext { loose, tight -> loose.third shouldBeLessThan tight.third }
        }
    }

    test("exact marginals against independent closed forms: log p_0 = log N(0, I), log p_1 = the mixture, single-Gaussian velocity") {
        graph {
            val points = arrayOf(floatArrayOf(1f, 0.5f), floatArrayOf(-2f, 1.5f), floatArrayOf(0.3f, -2f))
            val field = GaussianMixtureMarginal(mixture, Cosine())
            val atSource = flat(field.logDensity(tf, constant(points), scalar(0.0)))
            val atData = flat(field.logDensity(tf, constant(points), scalar(1.0)))
            val means = mixture.means()
            points.forEachIndexed { i, p ->
                val r2 = p[0] * p[0] + p[1] * p[1].toDouble()
                atSource[i].toDouble() shouldBe (-r2 / 2 - ln(2 * PI) plusOrMinus 1e-4)
                val mixtureDensity = means.indices.sumOf { k ->
                    val s2 = sq(mixture.stds()[k].toDouble())
                    mixture.weights()[k] * exp(-(sq(p[0] - means[k][0]) + sq(p[1] - means[k][1])) / (2 * s2)) / (2 * PI * s2)
                }
                atData[i].toDouble() shouldBe (ln(mixtureDensity) plusOrMinus 1e-3)
            }
            // one Gaussian N(μ, s² I): p_t = N(α μ, σ² I) with σ² = α² s² + β², and u = α̇ μ + (σ̇/σ)(x − α μ)
            val mu = doubleArrayOf(1.0, -2.0)
            val s = 0.7
            val single = GaussianMixtureMarginal(GaussianMixtureDistribution(Gaussian(2, mu.toList(), s)), Cosine())
            for (t in doubleArrayOf(0.0, 0.3, 0.8, 1.0)) {
                val a = sin(PI * t / 2)
                val b = cos(PI * t / 2)
                val aDot = PI / 2 * cos(PI * t / 2)
                val bDot = -PI / 2 * sin(PI * t / 2)
                val sigma = sqrt(a * a * s * s + b * b)
                val sigmaDot = (a * aDot * s * s + b * bDot) / sigma
                val u = matrix(single.velocity(tf, constant(points), scalar(t)))
                points.forEachIndexed { i, p -> for (k in 0..1) {
                    u[i][k].toDouble() shouldBe (aDot * mu[k] + sigmaDot / sigma * (p[k] - a * mu[k]) plusOrMinus 1e-4)
                } }
            }
        }
    }

    test("the exact marginal score of the mixture is the gradient of its exact log-density") {
        graph {
            val field = GaussianMixtureMarginal(mixture, Cosine())
            val points = arrayOf(floatArrayOf(1f, 0.5f), floatArrayOf(-2f, 1.5f), floatArrayOf(0.3f, -2f))
            for (t in doubleArrayOf(0.2, 0.6, 0.9)) {
                val score = matrix(field.score(tf, constant(points), scalar(t)))
                val h = 5e-3
                for (i in points.indices) for (k in 0 until 2) {
                    val up = points.map { it.copyOf() }.toTypedArray().also { it[i][k] += h.toFloat() }
                    val down = points.map { it.copyOf() }.toTypedArray().also { it[i][k] -= h.toFloat() }
                    val fd = (flat(field.logDensity(tf, constant(up), scalar(t)))[i] - flat(field.logDensity(tf, constant(down), scalar(t)))[i]) / (2 * h)
                    score[i][k].toDouble() shouldBe (fd plusOrMinus 2e-2 * (1 + abs(fd)))
                }
            }
        }
    }
})

/** The end states of [solver] integrating [model] from the given points. */
private fun GraphHarness.runFrom(solver: Sampler, model: Model, x0: Array<FloatArray>): Array<FloatArray> =
    runFromWithEvaluations(solver, model, x0).first

private fun GraphHarness.runFromWithEvaluations(solver: Sampler, model: Model, x0: Array<FloatArray>): Pair<Array<FloatArray>, Long> {
    val start = constant(x0)
    val program = solver.compile(tf, dev.flowkit.runtime.samplers.SamplingInput(model, dev.flowkit.runtime.paths.GaussianPath(Linear()),
        start, dev.flowkit.runtime.graph.RandomKey.of(tf, 1, 2), 1000))
    val run = program.run(rawSession, {}, false)
    return run.samples() to run.functionEvaluations()
}

