package dev.flowkit.runtime

import dev.flowkit.dsl.experiment
import dev.flowkit.runtime.metrics.MeanCovErrorMetric
import io.kotest.core.spec.style.FunSpec
import io.kotest.engine.spec.tempdir
import io.kotest.matchers.doubles.plusOrMinus
import io.kotest.matchers.shouldBe
import java.nio.file.Files
import kotlin.math.PI
import kotlin.math.cos
import kotlin.math.sin
import kotlin.math.sqrt

/** Path draws against closed forms: p_t(x | z) = N(α_t z, β_t² I) and, for data N(μ, s² I), p_t = N(α_t μ, (α_t² s² + β_t²) I). */
class PathFigureSpec : FunSpec({
    val n = 20_000
    val mu = listOf(2.0, -1.0)
    val s = 0.5
    val spec = experiment("path") { data { gaussian(dim = 2, mean = mu, std = s) }; path { gaussian(schedule = cosine()) } }

    test("conditional and marginal draws have the closed-form moments at every time") {
        val times = doubleArrayOf(0.0, 0.3, 0.7, 1.0)
        val draws = Flowkit.create().pathFigure().draw(spec, times, n)
        times.forEachIndexed { i, t ->
            val a = sin(PI * t / 2)
            val b = cos(PI * t / 2)
            val cond = draws.conditional()[i]
            val marg = draws.marginal()[i]
            val cm = MeanCovErrorMetric.mean(cond)
            val cc = MeanCovErrorMetric.covariance(cond, cm)
            val mm = MeanCovErrorMetric.mean(marg)
            val mc = MeanCovErrorMetric.covariance(marg, mm)
            val margVar = a * a * s * s + b * b
            for (k in 0..1) {
                cm[k] shouldBe (a * draws.z()[k] plusOrMinus 5 * b / sqrt(n.toDouble()) + 1e-5)
                cc[k][k] shouldBe (b * b plusOrMinus 5 * b * b * sqrt(2.0 / n) + 1e-6)
                mm[k] shouldBe (a * mu[k] plusOrMinus 5 * sqrt(margVar / n))
                mc[k][k] shouldBe (margVar plusOrMinus 5 * margVar * sqrt(2.0 / n))
            }
        }
    }

    test("the figure is written") {
        val file = tempdir().toPath().resolve("path.png")
        Flowkit.create().pathFigure().write(spec, file, doubleArrayOf(0.0, 0.5, 1.0), 300)
        (Files.size(file) > 10_000) shouldBe true
    }
})
