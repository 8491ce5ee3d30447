package dev.flowkit.runtime

import dev.flowkit.runtime.distributions.GaussianMixtureDistribution
import dev.flowkit.runtime.graph.RandomKey
import dev.flowkit.runtime.paths.GaussianMixtureMarginal
import dev.flowkit.runtime.paths.GaussianPath
import dev.flowkit.runtime.samplers.DpmSolverSampler
import dev.flowkit.runtime.samplers.EdmHeunSampler
import dev.flowkit.runtime.samplers.EulerSolver
import dev.flowkit.runtime.samplers.FixedStepSolver
import dev.flowkit.runtime.samplers.HeunSolver
import dev.flowkit.runtime.samplers.SamplingInput
import dev.flowkit.runtime.samplers.TimeGrid
import dev.flowkit.runtime.schedules.Cosine
import dev.flowkit.runtime.schedules.ExponentialVe
import dev.flowkit.runtime.schedules.Linear
import dev.flowkit.runtime.schedules.Schedule
import dev.flowkit.runtime.schedules.VarianceExploding
import dev.flowkit.runtime.schedules.VariancePreserving
import dev.flowkit.spec.Gaussian
import dev.flowkit.spec.SpecException
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.datatest.withData
import io.kotest.matchers.comparables.shouldBeGreaterThan
import io.kotest.matchers.comparables.shouldBeLessThan
import io.kotest.matchers.doubles.plusOrMinus
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import kotlin.math.abs
import kotlin.math.ln
import kotlin.math.pow
import kotlin.math.sqrt

/**
 * Time grids against their closed forms, and the few-step samplers (EDM's Heun on the Karras grid, DPM-Solver++(2M))
 * with the exact Gaussian(-mixture) field, no training: measured orders, and the mixture reached at low NFE.
 */
class FewStepSamplersSpec : FunSpec({

    context("grids: t_0 = 0, t_N = 1, and σ = β/α at the inner times follows the closed-form spacing") {
        test("karras on exponential-ve(25): σ_0 = σ(0) = 9.845 (below σmax = 80), N points down to σmin, then the data") {
            val sigma = 25.0
            val n = 10
            val layout = TimeGrid.karras(7.0, 0.002, 80.0).layOut(n, GaussianPath(ExponentialVe(sigma)))
            val t = layout.times()
            layout.jumpsToData() shouldBe true
            t.first() shouldBe 0.0
            t.last() shouldBe 1.0
            fun sigmaAt(time: Double) = sqrt((sigma.pow(2 * (1 - time)) - 1) / (2 * ln(sigma)))
            val hi = sigmaAt(0.0).pow(1 / 7.0)
            val lo = 0.002.pow(1 / 7.0)
            for (i in 0 until n) {
                val expected = (hi + i / (n - 1.0) * (lo - hi)).pow(7.0)
                sigmaAt(t[i]) shouldBe (expected plusOrMinus 2e-3 * expected)
            }
        }
        test("log-snr on the linear path: σ = (1 − t)/t is ∞ at t = 0, so ln σ runs evenly from ln 80 to ln 0.002 at t_0 … t_{N−1}") {
            val n = 8
            val t = TimeGrid.logSnr(0.002, 80.0).layOut(n, GaussianPath(Linear())).times()
            t.first() shouldBe 0.0
            t.last() shouldBe 1.0
            for (i in 1 until n) {
                val logSigma = ln(80.0) + i / (n - 1.0) * (ln(0.002) - ln(80.0))
                ln((1 - t[i]) / t[i]) shouldBe (logSigma plusOrMinus 1e-3 * (1 + abs(logSigma)))
            }
        }
        test("karras on ve(0.01, 50), which stops at σ = 0.01 > σmin: N + 1 points from 50 to 0.01, no jump to σ = 0") {
            val n = 6
            val layout = TimeGrid.karras(7.0, 0.002, 80.0).layOut(n, GaussianPath(VarianceExploding(0.01, 50.0)))
            layout.jumpsToData() shouldBe false
            val t = layout.times()
            val hi = 50.0.pow(1 / 7.0)
            val lo = 0.01.pow(1 / 7.0)
            for (i in 0..n) {
                val expected = (hi + i.toDouble() / n * (lo - hi)).pow(7.0)
                0.01 * 5000.0.pow(1 - t[i]) shouldBe (expected plusOrMinus 2e-3 * expected)
            }
        }
        test("a σ range outside the schedule's is rejected, naming the grid and the schedule's range") {
            val e = shouldThrow<SpecException> { TimeGrid.karras(7.0, 100.0, 200.0).layOut(10, GaussianPath(VarianceExploding(0.01, 50.0))) }
            e.message shouldContain "sample.sampler.grid: karras's σ range [100.0, 200.0] misses this schedule's noise ratios"
            e.message shouldContain "from 50.00 at t = 0 to 0.01000 at t = 1"
        }
    }

    context("measured orders on Gaussian data N(μ, s² I), whose flow is x_1 = μ + s (x_0 − α_0 μ)/sqrt(α_0² s² + β_0²)") {
        val mu = listOf(1.0, -2.0)
        val s = 0.2
        val x0 = arrayOf(floatArrayOf(0.5f, -1.0f), floatArrayOf(-1.5f, 0.3f), floatArrayOf(2.0f, 1.2f), floatArrayOf(0.1f, 0.0f))
        // σmin = 10⁻⁴ keeps the fixed last interval (σmin → 0) below the errors measured
        data class Order(val make: (Int) -> FixedStepSolver, val schedule: Schedule, val steps: List<Int>, val order: Double, val label: String) {
            override fun toString() = label
        }
        withData(
            Order({ EulerSolver(it, TimeGrid.karras(7.0, 1e-4, 80.0)) }, Linear(), listOf(16, 32, 64, 128), 1.0, "euler, karras grid, linear → 1"),
            Order({ HeunSolver(it, TimeGrid.karras(7.0, 1e-4, 80.0)) }, Linear(), listOf(8, 16, 32, 64), 2.0, "heun, karras grid, linear → 2"),
            Order({ EdmHeunSampler(it, TimeGrid.karras(7.0, 1e-4, 80.0)) }, Linear(), listOf(16, 32, 64, 128), 2.0, "edm-heun, karras grid, linear → 2"),
            Order({ EdmHeunSampler(it, TimeGrid.karras(7.0, 1e-2, 80.0)) }, VariancePreserving(0.1, 20.0), listOf(16, 32, 64), 2.0, "edm-heun, karras grid, vp → 2"),
            Order({ DpmSolverSampler(it, TimeGrid.logSnr(1e-4, 80.0)) }, Linear(), listOf(32, 64, 128, 256), 2.0, "dpm-solver++(2M), log-snr, linear → 2"),
        ) { c ->
            graph {
                val field = GaussianMixtureMarginal(GaussianMixtureDistribution(Gaussian(2, mu, s)), c.schedule)
                val ab = dev.flowkit.runtime.schedules.ScheduleProbe.alphaBeta(c.schedule, doubleArrayOf(0.0))
                val a0 = ab[0][0]
                val b0 = ab[1][0]
                fun exact(p: FloatArray, k: Int) = mu[k] + s * (p[k] - a0 * mu[k]) / sqrt(a0 * a0 * s * s + b0 * b0)
                val errors = c.steps.map { n ->
                    val program = c.make(n).compile(tf, SamplingInput(field, field.path(), constant(x0), RandomKey.of(tf, 1, 2), 1000))
                    val end = program.run(rawSession, {}, false).samples()
                    x0.indices.maxOf { i -> (0..1).maxOf { k -> abs(end[i][k] - exact(x0[i], k)) } }
                }
                val orders = errors.zipWithNext { a, b -> ln(a / b) / ln(2.0) }
                println("${c.label}: errors $errors, orders $orders")
                // EDM's Heun on vp converges faster than second order over these step counts (2.3, 2.5)
                orders.forEach { it shouldBe (c.order + 0.1 plusOrMinus 0.45) }
            }
        }
    }

    test("dpm-solver and edm-heun step in σ = β/α and x/α, where linear and cosine paths coincide: the same samples on both") {
        val mixture = threeModeMixture()
        graph {
            val start = GaussianMixtureDistribution(Gaussian(2))
            for (make in listOf({ DpmSolverSampler(12, TimeGrid.logSnr(0.002, 80.0)) }, { EdmHeunSampler(8, TimeGrid.karras(7.0, 0.002, 80.0)) })) {
                val runs = listOf(Linear(), Cosine()).map { GaussianMixtureMarginal(mixture, it) }
                    .map { f -> runSampler(make(), f, f.path(), start, 500).samples() }
                runs[0].indices.maxOf { i -> (0..1).maxOf { k -> abs(runs[0][i][k] - runs[1][i][k]).toDouble() } } shouldBeLessThan 1e-3
            }
            // while Euler in t, the same number of steps, differs between them by far more
            val euler = listOf(Linear(), Cosine()).map { GaussianMixtureMarginal(mixture, it) }.map { f -> runSampler(EulerSolver(12), f, f.path(), start, 500).samples() }
            euler[0].indices.maxOf { i -> (0..1).maxOf { k -> abs(euler[0][i][k] - euler[1][i][k]).toDouble() } } shouldBeGreaterThan 0.05
        }
    }

    context("the three-mode mixture at low NFE on linear, cosine and vp: DPM-Solver++(2M) with 20 evaluations and EDM's Heun with 35") {
        val mixture = threeModeMixture()
        data class Case(val schedule: Schedule, val label: String) {
            override fun toString() = label
        }
        withData(Case(Linear(), "linear"), Case(Cosine(), "cosine"), Case(VariancePreserving(0.1, 20.0), "vp")) { c ->
            graph {
                val field = GaussianMixtureMarginal(mixture, c.schedule)
                val start = GaussianMixtureDistribution(Gaussian(2, std = c.schedule.sourceStd()))
                /** How far the largest mode's mean lands from 4 (its x coordinate). */
                fun modeError(x: Array<FloatArray>) = abs(x.filter { it[0] > 2 }.map { it[0].toDouble() }.average() - 4.0)
                val dpm = runSampler(DpmSolverSampler(20, TimeGrid.logSnr(0.002, 80.0)), field, field.path(), start, 4000)
                dpm.functionEvaluations() shouldBe 20L
                // at 20 evaluations mode stds come out 5–12 % wide (200 Euler steps: within 1.5 %); means and weights hold
                mixture.shouldMatch(dpm.samples(), stdTolerance = 0.15)
                // linear and cosine start at α = 0, where the first step is the Euler limit (one evaluation)
                val edm = runSampler(EdmHeunSampler(18, TimeGrid.karras(7.0, 0.002, 80.0)), field, field.path(), start, 4000)
                edm.functionEvaluations() shouldBe (if (c.schedule is VariancePreserving) 35L else 34L)
                mixture.shouldMatch(edm.samples(), stdTolerance = 0.15)
                val euler = runSampler(EulerSolver(20), field, field.path(), start, 4000)
                println("${c.label}: mode error dpm(20) ${modeError(dpm.samples())}, edm(18) ${modeError(edm.samples())}, euler(20) ${modeError(euler.samples())}")
                modeError(dpm.samples()) shouldBeLessThan modeError(euler.samples()) / 1.5
            }
        }
    }

    context("the stochastic samplers, EDM's churn and SDE-DPM-Solver++(2M): fresh noise at each step, no extra evaluations") {
        /** [stochastic] and its ODE counterpart [ode] at [steps] on [schedule], spending [evaluations]. */
        data class Wrong(val label: String, val schedule: Schedule, val ode: FixedStepSolver, val stochastic: FixedStepSolver, val evaluations: Long) {
            override fun toString() = label
        }
        val karras = TimeGrid.karras(7.0, 0.002, 80.0)
        val logSnr = TimeGrid.logSnr(0.002, 80.0)
        // 72 steps of EDM's Heun: at 18 the discretization alone leaves the spread 6 % (ODE) and 13–15 % (churned) wide
        // (numpy model of the algorithm). On vp the start has α > 0, so the wrong start is not simply discarded.
        withData(
            Wrong("edm-heun churn 40, linear, 72 steps", Linear(), EdmHeunSampler(72, karras),
                EdmHeunSampler(72, karras, EdmHeunSampler.Churn(40.0, 0.0, Double.POSITIVE_INFINITY, 1.0)), 142L),
            Wrong("sde-dpm-solver++(2M), vp, 40 steps", VariancePreserving(0.1, 20.0), DpmSolverSampler(40, logSnr),
                DpmSolverSampler(40, logSnr, true), 40L),
        ) { c ->
            // from N(0, 1.5² I) the ODE ends 1.5 × too wide (its exact map is x ↦ μ + s (x − α_0 μ)/√(α_0² s² + β_0²)); the stochastic steps end at s
            val s = 0.5
            val data = GaussianMixtureMarginal(GaussianMixtureDistribution(Gaussian(2, mean = listOf(2.0, -1.0), std = s)), c.schedule)
            val wide = GaussianMixtureDistribution(Gaussian(2, std = 1.5))
            graph {
                val ode = runSampler(c.ode, data, data.path(), wide, 4000).samples()
                val run = runSampler(c.stochastic, data, data.path(), wide, 4000)
                run.functionEvaluations() shouldBe c.evaluations
                println("${c.label}: std / s: ode ${spread(ode, s)}, stochastic ${spread(run.samples(), s)}")
                spread(ode, s).forEach { it shouldBe (1.5 plusOrMinus 0.06) }
                spread(run.samples(), s).forEach { it shouldBe (1.0 plusOrMinus 0.05) }
                for (d in 0..1) run.samples().map { it[d].toDouble() }.average() shouldBe (listOf(2.0, -1.0)[d] plusOrMinus 0.03)
            }
        }
        data class Case(val schedule: Schedule, val label: String, val sampler: FixedStepSolver) {
            override fun toString() = label
        }
        // churn only inside σ ∈ [0.05, 50] (EDM's S_tmin, S_tmax) reaches the mixture at 36 steps (71 evaluations)
        fun churned() = EdmHeunSampler(36, karras, EdmHeunSampler.Churn(20.0, 0.05, 50.0, 1.0))
        fun sde() = DpmSolverSampler(30, logSnr, true)
        withData(
            Case(Linear(), "edm-heun churn 20, linear", churned()), Case(VariancePreserving(0.1, 20.0), "edm-heun churn 20, vp", churned()),
            Case(Linear(), "sde-dpm-solver++ 30, linear", sde()), Case(Cosine(), "sde-dpm-solver++ 30, cosine", sde()),
            Case(VariancePreserving(0.1, 20.0), "sde-dpm-solver++ 30, vp", sde()),
        ) { c ->
            graph {
                val mixture = threeModeMixture()
                val field = GaussianMixtureMarginal(mixture, c.schedule)
                val start = GaussianMixtureDistribution(Gaussian(2, std = c.schedule.sourceStd()))
                mixture.shouldMatch(runSampler(c.sampler, field, field.path(), start, 4000).samples(), stdTolerance = 0.15)
            }
        }
    }

    context("with guidance: for classes N(μ_y, s² I) and ∅ = N(μ_∅, s² I) every quantity is affine in the mean, so the guided field is exactly that of N((1 − w) μ_∅ + w μ_y, s² I)") {
        data class Case(val schedule: Schedule, val label: String) {
            override fun toString() = label
        }
        withData(Case(Linear(), "linear"), Case(VariancePreserving(0.1, 20.0), "vp")) { c ->
            graph {
                val s = 0.5
                fun gaussian(x: Double, y: Double) = GaussianMixtureMarginal(
                    GaussianMixtureDistribution(Gaussian(2, mean = listOf(x, y), std = s)), c.schedule)
                val labelled = gaussian(2.0, 1.0)
                val unlabelled = gaussian(0.0, -1.0)
                val start = GaussianMixtureDistribution(Gaussian(2, std = c.schedule.sourceStd()))
                for (w in listOf(2.0, 4.0)) {
                    val guided = dev.flowkit.runtime.model.GuidedModel(labelled, unlabelled, w)
                    val target = listOf((1 - w) * 0.0 + w * 2.0, (1 - w) * -1.0 + w * 1.0)
                    for (sampler in listOf(DpmSolverSampler(20, TimeGrid.logSnr(0.002, 80.0)), EdmHeunSampler(18, TimeGrid.karras(7.0, 0.002, 80.0)))) {
                        val x = runSampler(sampler, guided, labelled.path(), start, 4000).samples()
                        for (d in 0 until 2) {
                            val values = x.map { it[d].toDouble() }
                            val mean = values.average()
                            val std = sqrt(values.sumOf { (it - mean) * (it - mean) } / (values.size - 1))
                            mean shouldBe (target[d] plusOrMinus 4 * s / sqrt(4000.0) + 0.02)
                            std shouldBe (s plusOrMinus 0.1 * s)
                        }
                    }
                }
            }
        }
    }
})

/** Each coordinate's sample standard deviation over [s]. */
private fun spread(x: Array<FloatArray>, s: Double) = (0 until x[0].size).map { d ->
    val v = x.map { it[d].toDouble() }
    val m = v.average()
    sqrt(v.sumOf { (it - m) * (it - m) } / (v.size - 1)) / s
}
