package dev.flowkit.runtime

import dev.flowkit.runtime.graph.RandomKey
import dev.flowkit.runtime.objectives.TrainingTimes
import dev.flowkit.runtime.paths.GaussianPath
import dev.flowkit.runtime.schedules.ExponentialVe
import dev.flowkit.runtime.schedules.Linear
import dev.flowkit.runtime.schedules.VariancePreserving
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.doubles.plusOrMinus
import io.kotest.matchers.shouldBe
import kotlin.math.ln
import kotlin.math.pow
import kotlin.math.sqrt

/** Log-SNR time draws: uniform in ln(β²/α²) and reweighted so that expectations equal those under U[0, maxTime). */
class TrainingTimesSpec : FunSpec({
    val n = 200_000

    /** The draws (t, reweight) of [n] log-SNR times on [path]. */
    fun GraphHarness.draws(path: GaussianPath, maxTime: Double): Pair<FloatArray, FloatArray> {
        val d = TrainingTimes.logSnr(maxTime).draw(tf, tf.constant(intArrayOf(n, 1)), path, RandomKey.of(tf, 5, 0), 1)
        return flat(d.t()) to flat(d.reweight())
    }

    test("exponential-ve(25): the likelihood weighting's mean equals (1/m)∫ g² dt, λ · reweight is Z β²/m, and ln β² is uniform") {
        val sigma = 25.0
        val m = 0.99999
        graph {
            val (t, w) = draws(GaussianPath(ExponentialVe(sigma)), m)
            fun variance(time: Double) = (sigma.pow(2 * (1 - time)) - 1) / (2 * ln(sigma))
            fun g2(time: Double) = sigma.pow(2 * (1 - time))
            // ∫_{1−m}^{m} σ^{2(1−t)} dt = [σ^{2s}/(2 ln σ)] from s = 1 − m to s = m
            val exact = (sigma.pow(2 * m) - sigma.pow(2 * (1 - m))) / (2 * ln(sigma)) / m
            val weighted = t.indices.map { i -> g2(t[i].toDouble()) * w[i] }
            val mean = weighted.average()
            val sd = sqrt(weighted.sumOf { (it - mean) * (it - mean) } / n)
            mean shouldBe (exact plusOrMinus 4 * sd / sqrt(n.toDouble()))
            val z = ln(variance(1 - m)) - ln(variance(m))
            // λ/q = g² · Z β²/g²: the loss becomes Z ‖β s_θ + ε‖², noise prediction at log-uniform noise levels
            for (i in 0 until 100) weighted[i] shouldBe (z * variance(t[i].toDouble()) / m plusOrMinus 1e-3 * z * variance(t[i].toDouble()))
            // the draw is uniform in ln β²: a quarter of it lies below the first quarter point
            val quarter = ln(variance(m)) + z / 4
            t.count { ln(variance(it.toDouble())) < quarter }.toDouble() / n shouldBe (0.25 plusOrMinus 0.005)
            // under U[0, 1) only ~0.2 % of the draws would have β < 0.05; here over a third do
            t.count { sqrt(variance(it.toDouble())) < 0.05 }.toDouble() / n shouldBe (0.344 plusOrMinus 0.01)
        }
    }

    test("linear and vp (bisection inverse): the reweighted mean of λ = 1 and of β² equal their integrals over [1 − m, m]") {
        val m = 0.99
        graph {
            val (tl, wl) = draws(GaussianPath(Linear()), m)
            wl.map { it.toDouble() }.average() shouldBe ((2 * m - 1) / m plusOrMinus 0.01)
            // ∫ (1 − t)² dt over [1 − m, m] = (m³ − (1 − m)³)/3
            tl.indices.map { (1 - tl[it]).toDouble().pow(2) * wl[it] }.average() shouldBe
                ((m.pow(3) - (1 - m).pow(3)) / 3 / m plusOrMinus 0.01)
            val (tv, wv) = draws(GaussianPath(VariancePreserving(0.1, 20.0)), m)
            wv.map { it.toDouble() }.average() shouldBe ((2 * m - 1) / m plusOrMinus 0.01)
            tv.min().toDouble() shouldBe ((1 - m) plusOrMinus 1e-4)
            tv.max().toDouble() shouldBe (m plusOrMinus 1e-4)
        }
    }
})
