package dev.flowkit.runtime

import dev.flowkit.dsl.PotentialScope
import dev.flowkit.runtime.distributions.GaussianMixtureDistribution
import dev.flowkit.runtime.potentials.LangevinSimulation
import dev.flowkit.runtime.potentials.Potential
import dev.flowkit.spec.Gaussian
import dev.flowkit.spec.LangevinIntegrator
import dev.flowkit.spec.Phi4Chain
import dev.flowkit.spec.Quadratic
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.doubles.plusOrMinus
import io.kotest.matchers.doubles.shouldBeGreaterThan
import io.kotest.matchers.doubles.shouldBeLessThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import java.util.Random
import kotlin.math.abs
import kotlin.math.sqrt

/** Potentials and their Langevin dynamics against closed forms. */
class GibbsSpec : FunSpec({
    val random = Random(3)

    /** V(x) and ∇V(x) of [potential] at the rows of [x], from the graph. */
    fun energyAndGradient(potential: Potential, x: Array<FloatArray>) = graph {
        val points = constant(x)
        matrix(potential.energy(tf, points)).map { it[0].toDouble() } to matrix(potential.gradient(tf, points))
    }

    test("the φ⁴ chain: its gradient equals the closed form λ/h² (2x_j − x_{j−1} − x_{j+1}) − x_j (1 − x_j²)/λ") {
        for (boundary in listOf(0.0, 0.3)) {
            val (d, lambda) = 16 to 0.03
            val spec = Phi4Chain(d, lambda, boundary = boundary)
            val h = 1.0 / (d + 1)
            val x = Array(5) { FloatArray(d) { (1.5 * random.nextGaussian()).toFloat() } }
            val (energy, gradient) = energyAndGradient(Potential(spec), x)
            x.forEachIndexed { n, row ->
                val padded = listOf(boundary) + row.map { it.toDouble() } + listOf(boundary)
                val v = lambda / 2 * (1..d + 1).sumOf { ((padded[it] - padded[it - 1]) / h).let { q -> q * q } } +
                    1 / (4 * lambda) * (1..d).sumOf { (1 - padded[it] * padded[it]).let { q -> q * q } }
                energy[n] shouldBe (v plusOrMinus 1e-4 * abs(v))
                for (j in 1..d) {
                    val xj = padded[j]
                    val expected = lambda / (h * h) * (2 * xj - padded[j - 1] - padded[j + 1]) - xj * (1 - xj * xj) / lambda
                    gradient[n][j - 1].toDouble() shouldBe (expected plusOrMinus 1e-4 * (1 + abs(expected)))
                }
            }
            // the split gradient A x + ∇(mild part) against the gradient of the whole energy expression
            val (_, straight) = energyAndGradient(Potential(d, spec.energy()), x)
            for (n in x.indices) for (j in 0 until d) gradient[n][j].toDouble() shouldBe (straight[n][j].toDouble() plusOrMinus 1e-3 * (1 + abs(straight[n][j].toDouble())))
            // and the semi-implicit step's explicit part is ∇V − A x
            val a = spec.quadraticPart()
            graph {
                val mild = matrix(Potential(spec).mildGradient(tf, constant(x)))
                for (n in x.indices) for (j in 0 until d) {
                    val ax = (0 until d).sumOf { k -> a[j][k] * x[n][k] }
                    mild[n][j].toDouble() shouldBe ((gradient[n][j] - ax) plusOrMinus 1e-3 * (1 + abs(ax)))
                }
            }
        }
    }

    test("a potential written in the expression DSL equals the built-in it spells out") {
        val (d, lambda) = 8 to 0.05
        val h = 1.0 / (d + 1)
        val written = PotentialScope().run {
            lambda / 2 * sum(square(differences(x) / h)) + 1 / (4 * lambda) * sum(square(1.0 - square(x)))
        }
        val x = Array(4) { FloatArray(d) { random.nextGaussian().toFloat() } }
        val (builtIn, gBuiltIn) = energyAndGradient(Potential(Phi4Chain(d, lambda)), x)
        val (mine, gMine) = energyAndGradient(Potential(d, written), x)
        builtIn.indices.forEach { mine[it] shouldBe (builtIn[it] plusOrMinus 1e-4 * abs(builtIn[it])) }
        gBuiltIn.indices.forEach { n -> (0 until d).forEach { gMine[n][it].toDouble() shouldBe (gBuiltIn[n][it].toDouble() plusOrMinus 1e-3) } }
    }

    test("Langevin with a quadratic potential reproduces its Gaussian Gibbs measure, and each chain its exact stationary law") {
        // V = ½ (x − m)ᵀ P (x − m), T = 0.5: Gibbs measure N(m, T P⁻¹). The discrete chains have closed-form
        // stationary laws N(m, T (P ∓ dt P²/2)⁻¹): − for Euler–Maruyama, + for the semi-implicit step (its dt is
        // not limited by P); both tend to the Gibbs measure as dt → 0.
        val p = listOf(listOf(2.0, 0.6, 0.0), listOf(0.6, 1.0, -0.3), listOf(0.0, -0.3, 0.8))
        val m = listOf(1.0, -2.0, 0.5)
        val t = 0.5
        val potential = Potential(Quadratic(p, m))
        val chains = 20_000
        for ((integrator, dt, sign) in listOf(Triple(LangevinIntegrator.EULER, 0.02, -1.0), Triple(LangevinIntegrator.SEMI_IMPLICIT, 0.1, 1.0))) {
            val steps = if (integrator == LangevinIntegrator.EULER) 1500 else 300
            val rows = LangevinSimulation(potential, GaussianMixtureDistribution(Gaussian(3)), t, dt, steps, integrator, false).run(chains, 7)
            val mean = DoubleArray(3) { j -> (0 until chains).sumOf { rows[it * 3 + j].toDouble() } / chains }
            val cov = Array(3) { i -> DoubleArray(3) { j -> (0 until chains).sumOf { (rows[it * 3 + i] - mean[i]) * (rows[it * 3 + j] - mean[j]) } / (chains - 1) } }
            val chainCov = inverse(Array(3) { i -> DoubleArray(3) { j -> (p[i][j] + sign * dt / 2 * (0..2).sumOf { p[i][it] * p[it][j] }) / t } })
            val gibbsCov = inverse(Array(3) { i -> DoubleArray(3) { j -> p[i][j] / t } })
            for (i in 0..2) {
                mean[i] shouldBe (m[i] plusOrMinus 4 * sqrt(chainCov[i][i] / chains))
                for (j in 0..2) {
                    val se = sqrt((chainCov[i][j] * chainCov[i][j] + chainCov[i][i] * chainCov[j][j]) / chains)
                    cov[i][j] shouldBe (chainCov[i][j] plusOrMinus 4 * se)
                    cov[i][j] shouldBe (gibbsCov[i][j] plusOrMinus 4 * se + 0.06 * sqrt(gibbsCov[i][i] * gibbsCov[j][j]))
                }
            }
        }
    }

    test("MALA reproduces the Gibbs measure N(m, T P⁻¹) at a dt where Euler's chain is visibly biased, and reports its acceptance") {
        val p = listOf(listOf(2.0, 0.6, 0.0), listOf(0.6, 1.0, -0.3), listOf(0.0, -0.3, 0.8))
        val m = listOf(1.0, -2.0, 0.5)
        val t = 0.5
        val dt = 0.5
        val chains = 20_000
        val simulation = LangevinSimulation(Potential(Quadratic(p, m)), GaussianMixtureDistribution(Gaussian(3)), t, dt, 300, LangevinIntegrator.MALA, false)
        val rows = simulation.run(chains, 3)
        val mean = DoubleArray(3) { j -> (0 until chains).sumOf { rows[it * 3 + j].toDouble() } / chains }
        val cov = Array(3) { i -> DoubleArray(3) { j -> (0 until chains).sumOf { (rows[it * 3 + i] - mean[i]) * (rows[it * 3 + j] - mean[j]) } / (chains - 1) } }
        val gibbsCov = inverse(Array(3) { i -> DoubleArray(3) { j -> p[i][j] / t } })
        val eulerCov = inverse(Array(3) { i -> DoubleArray(3) { j -> (p[i][j] - dt / 2 * (0..2).sumOf { p[i][it] * p[it][j] }) / t } })
        var eulerOff = 0.0
        for (i in 0..2) {
            mean[i] shouldBe (m[i] plusOrMinus 4 * sqrt(gibbsCov[i][i] / chains))
            for (j in 0..2) {
                val se = sqrt((gibbsCov[i][j] * gibbsCov[i][j] + gibbsCov[i][i] * gibbsCov[j][j]) / chains)
                cov[i][j] shouldBe (gibbsCov[i][j] plusOrMinus 4 * se)
                eulerOff = maxOf(eulerOff, abs(eulerCov[i][j] - gibbsCov[i][j]) / se)
            }
        }
        eulerOff shouldBeGreaterThan 20.0 // Euler's own stationary law at this dt is far outside those bounds
        // the step size tuned during burn-in toward an acceptance of 0.6, then frozen
        simulation.acceptanceRate() shouldBe (0.6 plusOrMinus 0.1)
        simulation.stepSize() shouldBeGreaterThan 0.0
        println("MALA on the quadratic: acceptance ${simulation.acceptanceRate()}, step size ${simulation.stepSize()} from dt = $dt")
    }

    test("MALA on a double well: the mean of x² matches quadrature of the Gibbs density") {
        val energy = dev.flowkit.spec.Power(dev.flowkit.spec.Minus(dev.flowkit.spec.ConstantExpr(1.0), dev.flowkit.spec.Power(dev.flowkit.spec.X, 2.0)), 2.0)
        val t = 0.5
        val chains = 20_000
        // started near typical states: from |x| ≈ 4 the Euler proposal overshoots by dt·|V'| ≈ 24 and such a chain would never move
        val rows = LangevinSimulation(Potential(1, dev.flowkit.spec.Sum(energy)), GaussianMixtureDistribution(Gaussian(1, listOf(), 0.5)), t, 0.1,
            1000, LangevinIntegrator.MALA, false).run(chains, 5)
        val x2 = rows.map { it.toDouble() * it }
        val mean = x2.average()
        val se = sqrt(x2.sumOf { (it - mean) * (it - mean) } / (chains - 1) / chains)
        // Simpson's rule for ∫ x² e^{−V/T} / ∫ e^{−V/T} on [−4, 4], V = (1 − x²)²
        fun integral(f: (Double) -> Double): Double {
            val n = 4000
            val h = 8.0 / n
            return h / 3 * (0..n).sumOf { k -> val x = -4 + k * h; (if (k == 0 || k == n) 1 else if (k % 2 == 1) 4 else 2) * f(x) }
        }
        val weight = { x: Double -> Math.exp(-(1 - x * x) * (1 - x * x) / t) }
        val exact = integral { x -> x * x * weight(x) } / integral(weight)
        mean shouldBe (exact plusOrMinus 4 * se)
    }

    test("MALA refuses a start where V is not finite, and a step size that accepts nothing, naming the field") {
        val infinite = Potential(1, dev.flowkit.spec.Sum(dev.flowkit.spec.Div(dev.flowkit.spec.ConstantExpr(1.0),
            dev.flowkit.spec.Minus(dev.flowkit.spec.X, dev.flowkit.spec.X))))
        shouldThrow<IllegalArgumentException> {
            LangevinSimulation(infinite, GaussianMixtureDistribution(Gaussian(1)), 1.0, 0.01, 20, LangevinIntegrator.MALA, false).run(100, 1)
        }.message shouldContain "data.potential: the energy V is not finite at 100 of 100 starting points"
        val stiff = Potential(Quadratic(listOf(listOf(100.0)), listOf()))
        val e = shouldThrow<IllegalArgumentException> {
            LangevinSimulation(stiff, GaussianMixtureDistribution(Gaussian(1)), 1.0, 10.0, 20, LangevinIntegrator.MALA, false).run(100, 1)
        }
        e.message shouldContain "data.dt: with integrator = mala no proposal was accepted"
        e.message shouldContain "try dt = 1"
    }

    test("an unstable dt stops the simulation with the largest stable dt; half of that runs, and the tamed scheme does not explode") {
        val potential = Potential(Phi4Chain(16, 0.03))
        val init = GaussianMixtureDistribution(Gaussian(16))
        fun simulate(dt: Double, integrator: LangevinIntegrator = LangevinIntegrator.EULER) =
            LangevinSimulation(potential, init, 8.0, dt, 300, integrator, false).run(500, 1)
        val e = shouldThrow<IllegalArgumentException> { simulate(0.05) }
        e.message shouldContain "the Langevin simulation diverged"
        e.message shouldContain "use data.integrator = tamed"
        val suggested = Regex("largest stable dt is about 2/L = ([0-9.eE+-]+)").find(e.message!!)!!.groupValues[1].toDouble()
        // the chain's curvature: 4λ/h² = 35 from the springs plus (3x² − 1)/λ from the wells: 67 at |x| = 1, ~1200 at
        // the |x| ≈ 3.5 that 8000 N(0, 1) starting values reach
        suggested shouldBeGreaterThan 0.001
        suggested shouldBeLessThan 0.05
        simulate(suggested / 2).all { it.isFinite() } shouldBe true
        simulate(0.05, LangevinIntegrator.TAMED).all { it.isFinite() && abs(it) < 10 } shouldBe true
    }
})

/** The inverse of a small matrix by Gauss–Jordan elimination with partial pivoting. */
private fun inverse(a: Array<DoubleArray>): Array<DoubleArray> {
    val n = a.size
    val m = Array(n) { i -> DoubleArray(2 * n) { j -> if (j < n) a[i][j] else if (j - n == i) 1.0 else 0.0 } }
    for (c in 0 until n) {
        val pivot = (c until n).maxBy { abs(m[it][c]) }
        m[c] = m[pivot].also { m[pivot] = m[c] }
        val d = m[c][c]
        for (j in 0 until 2 * n) m[c][j] /= d
        for (r in 0 until n) if (r != c) {
            val f = m[r][c]
            for (j in 0 until 2 * n) m[r][j] -= f * m[c][j]
        }
    }
    return Array(n) { i -> DoubleArray(n) { j -> m[i][j + n] } }
}
