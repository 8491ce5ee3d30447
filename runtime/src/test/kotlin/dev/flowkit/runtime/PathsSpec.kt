package dev.flowkit.runtime

import dev.flowkit.runtime.paths.GaussianPath
import dev.flowkit.runtime.schedules.Cosine
import dev.flowkit.runtime.schedules.ExponentialVe
import dev.flowkit.runtime.schedules.Linear
import dev.flowkit.runtime.schedules.Polynomial
import dev.flowkit.runtime.schedules.Schedule
import dev.flowkit.runtime.schedules.SquareRoot
import dev.flowkit.runtime.schedules.SubVariancePreserving
import dev.flowkit.runtime.schedules.VarianceExploding
import dev.flowkit.runtime.schedules.VariancePreserving
import io.kotest.core.spec.style.FunSpec
import io.kotest.datatest.withData
import io.kotest.matchers.doubles.plusOrMinus
import io.kotest.matchers.shouldBe
import kotlin.math.PI
import kotlin.math.cos
import kotlin.math.exp
import kotlin.math.sin
import kotlin.math.sqrt

/** Schedules and Gaussian paths against their closed forms and finite differences of the path itself. */
class PathsSpec : FunSpec({

    /** [endTolerance]: how far α_0 and β_1 may be from 0 (VP-type schedules reach them only in the limit). */
    data class Case(val name: String, val schedule: Schedule, val alpha: (Double) -> Double, val beta: (Double) -> Double,
                    val endTolerance: Double = 1e-6, val alpha0: Double = 0.0, val beta0: Double = 1.0, val beta1: Double = 0.0) {
        override fun toString() = name
    }

    // VP-type: s = 1 − t, m = exp(−½ (βmin s + ½ (βmax − βmin) s²))
    fun vpMean(t: Double, lo: Double = 0.1, hi: Double = 20.0) = (1 - t).let { s -> exp(-0.5 * (lo * s + 0.5 * (hi - lo) * s * s)) }

    val cases = listOf(
        Case("linear", Linear(), { it }, { 1 - it }),
        Case("cosine", Cosine(), { sin(PI * it / 2) }, { cos(PI * it / 2) }),
        Case("sqrt", SquareRoot(), { it }, { sqrt(1 - it) }),
        Case("polynomial(2)", Polynomial(2.0), { it * it }, { 1 - it * it }),
        Case("polynomial(3.5)", Polynomial(3.5), { Math.pow(it, 3.5) }, { 1 - Math.pow(it, 3.5) }),
        Case("vp(0.1, 20)", VariancePreserving(0.1, 20.0), { vpMean(it) }, { sqrt(1 - vpMean(it) * vpMean(it)) }, 1e-2),
        Case("sub-vp(0.1, 20)", SubVariancePreserving(0.1, 20.0), { vpMean(it) }, { 1 - vpMean(it) * vpMean(it) }, 1e-2),
        Case("vp(1, 5)", VariancePreserving(1.0, 5.0), { vpMean(it, 1.0, 5.0) }, { sqrt(1 - vpMean(it, 1.0, 5.0).let { m -> m * m }) }, 0.25),
        // VE: α ≡ 1 and β_t = σmin (σmax/σmin)^(1 − t), from σmax at t = 0 to σmin at t = 1
        Case("ve(0.01, 50)", VarianceExploding(0.01, 50.0), { 1.0 }, { 0.01 * Math.pow(5000.0, 1 - it) }, 1e-6, 1.0, 50.0, 0.01),
        // the score-SDE tutorial's dx = σ^s dW: α ≡ 1, β_t² = (σ^{2s} − 1)/(2 ln σ), from ≈ 9.845 at t = 0 to 0 at t = 1
        Case("exponential-ve(25)", ExponentialVe(25.0), { 1.0 }, { sqrt((Math.pow(25.0, 2 * (1 - it)) - 1) / (2 * kotlin.math.ln(25.0))) },
            1e-6, 1.0, sqrt(624 / (2 * kotlin.math.ln(25.0))), 0.0),
    )
    val times = doubleArrayOf(0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.95)

    context("α, β match the closed form, with α_0 = 0, α_1 = 1, β_0 = 1, β_1 = 0 (ve: α ≡ 1, β from σmax to σmin)") {
        withData(cases) { c ->
            graph {
                val t = tf.constant(floatArrayOf(0f, *times.map { it.toFloat() }.toFloatArray(), 1f))
                val v = c.schedule.at(tf, t)
                val alpha = flat(v.alpha())
                val beta = flat(v.beta())
                alpha.first().toDouble() shouldBe (c.alpha0 plusOrMinus c.endTolerance)
                alpha.last().toDouble() shouldBe (1.0 plusOrMinus 1e-6)
                beta.first().toDouble() shouldBe (c.beta0 plusOrMinus c.endTolerance * c.beta0)
                beta.last().toDouble() shouldBe (c.beta1 plusOrMinus 1e-6)
                alpha.first().toDouble() shouldBe (c.alpha(0.0) plusOrMinus 1e-6)
                times.forEachIndexed { i, s ->
                    alpha[i + 1].toDouble() shouldBe (c.alpha(s) plusOrMinus 1e-6)
                    beta[i + 1].toDouble() shouldBe (c.beta(s) plusOrMinus 1e-6 * (1 + c.beta(s)))
                }
            }
        }
    }

    context("α̇, β̇ equal central finite differences of the closed-form α, β") {
        withData(cases) { c ->
            graph {
                val v = c.schedule.at(tf, tf.constant(times.map { it.toFloat() }.toFloatArray()))
                val alphaDot = flat(v.alphaDot())
                val betaDot = flat(v.betaDot())
                val h = 1e-5
                times.forEachIndexed { i, s ->
                    val fdBeta = (c.beta(s + h) - c.beta(s - h)) / (2 * h)
                    alphaDot[i].toDouble() shouldBe ((c.alpha(s + h) - c.alpha(s - h)) / (2 * h) plusOrMinus 1e-4)
                    betaDot[i].toDouble() shouldBe (fdBeta plusOrMinus 1e-4 * (1 + kotlin.math.abs(fdBeta)))
                }
            }
        }
    }

    context("the noise ratio L = ln(β²/α²): its decay −dL/dt equals finite differences of the closed form, and the inverse returns t") {
        withData(cases) { c ->
            graph {
                val probe = doubleArrayOf(*times, 0.999)
                val t = tf.constant(probe.map { it.toFloat() }.toFloatArray())
                val ratio = flat(c.schedule.logNoiseRatio(tf, t))
                val decay = flat(c.schedule.logNoiseRatioDecay(tf, t))
                val back = flat(c.schedule.timeAtLogNoiseRatio(tf, tf.constant(ratio)))
                fun closed(s: Double) = 2 * kotlin.math.ln(c.beta(s) / c.alpha(s))
                val h = 1e-6
                probe.forEachIndexed { i, s ->
                    ratio[i].toDouble() shouldBe (closed(s) plusOrMinus 1e-4 * (1 + kotlin.math.abs(closed(s))))
                    val fd = -(closed(s + h) - closed(s - h)) / (2 * h)
                    decay[i].toDouble() shouldBe (fd plusOrMinus 1e-3 * (1 + fd))
                    back[i].toDouble() shouldBe (s plusOrMinus 2e-6)
                }
            }
        }
    }

    context("the path's velocity dx_t equals d/dt x_t (finite differences of the path) and the formula u_t(x_t | z)") {
        withData(cases) { c ->
            graph {
                val path = GaussianPath(c.schedule)
                val x0 = constant(arrayOf(floatArrayOf(0.3f, -1.2f), floatArrayOf(-0.7f, 0.4f), floatArrayOf(1.5f, 0.9f)))
                val z = constant(arrayOf(floatArrayOf(2f, 1f), floatArrayOf(-3f, 0.5f), floatArrayOf(0.1f, -2.5f)))
                for (s in doubleArrayOf(0.1, 0.4, 0.7, 0.9)) {
                    val h = 1e-2 // float32: a wide step keeps rounding below the O(h²) truncation error
                    val sample = path.sample(tf, x0, z, scalar(s))
                    val ahead = matrix(path.sample(tf, x0, z, scalar(s + h)).xt())
                    val behind = matrix(path.sample(tf, x0, z, scalar(s - h)).xt())
                    val dxt = matrix(sample.dxt())
                    val formula = matrix(path.conditionalVectorField(tf, sample.xt(), z, scalar(s)))
                    for (i in 0 until 3) for (k in 0 until 2) {
                        val fd = (ahead[i][k] - behind[i][k]) / (2 * h)
                        dxt[i][k].toDouble() shouldBe (fd plusOrMinus 2e-3 * (1 + kotlin.math.abs(fd)))
                        formula[i][k].toDouble() shouldBe (dxt[i][k].toDouble() plusOrMinus 1e-4 * (1 + kotlin.math.abs(fd)))
                    }
                }
            }
        }
    }

    context("the conditional score equals the gradient of log N(x; α_t z, β_t² I) by finite differences") {
        withData(cases) { c ->
            graph {
                val path = GaussianPath(c.schedule)
                val z = doubleArrayOf(1.5, -0.5)
                val x = doubleArrayOf(0.2, 0.8)
                for (s in doubleArrayOf(0.1, 0.5, 0.8)) {
                    val a = c.alpha(s)
                    val b = c.beta(s)
                    fun logDensity(p: DoubleArray) =
                        -((p[0] - a * z[0]).let { it * it } + (p[1] - a * z[1]).let { it * it }) / (2 * b * b) - Math.log(2 * PI * b * b)
                    val score = matrix(path.conditionalScore(tf, constant(arrayOf(x.map { it.toFloat() }.toFloatArray())),
                        constant(arrayOf(z.map { it.toFloat() }.toFloatArray())), scalar(s)))[0]
                    val h = 1e-5
                    for (k in 0 until 2) {
                        val up = x.copyOf().also { it[k] += h }
                        val down = x.copyOf().also { it[k] -= h }
                        val fd = (logDensity(up) - logDensity(down)) / (2 * h)
                        score[k].toDouble() shouldBe (fd plusOrMinus 1e-4 * (1 + kotlin.math.abs(fd)))
                    }
                }
            }
        }
    }
})
