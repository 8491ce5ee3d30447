package dev.flowkit.runtime

import dev.flowkit.runtime.distributions.GaussianMixtureDistribution
import dev.flowkit.runtime.paths.GaussianMixtureMarginal
import dev.flowkit.runtime.schedules.Cosine
import dev.flowkit.runtime.schedules.Linear
import dev.flowkit.runtime.schedules.SubVariancePreserving
import dev.flowkit.runtime.schedules.VarianceExploding
import dev.flowkit.runtime.schedules.VariancePreserving
import dev.flowkit.spec.Prediction
import io.kotest.core.spec.style.FunSpec
import io.kotest.datatest.withData
import io.kotest.matchers.booleans.shouldBeTrue
import io.kotest.matchers.doubles.plusOrMinus
import io.kotest.matchers.shouldBe
import kotlin.math.abs

/**
 * Parameterization conversions on Gaussian paths, against the exact marginal quantities of a Gaussian mixture:
 * velocity and score in closed form, noise = −β_t score and data = (x + β_t² score)/α_t (Tweedie), each computed
 * independently of the conversion code.
 */
class ConversionsSpec : FunSpec({
    val mixture = threeModeMixture()
    val points = arrayOf(floatArrayOf(1f, 0.5f), floatArrayOf(-2f, 1.5f), floatArrayOf(3.5f, 1.2f), floatArrayOf(0.3f, -2f))
    val schedules = listOf("linear" to Linear(), "cosine" to Cosine(), "vp" to VariancePreserving(0.1, 20.0),
        "sub-vp" to SubVariancePreserving(0.1, 20.0), "ve" to VarianceExploding(0.01, 50.0))

    context("every conversion between velocity, score, noise and data reproduces the exact quantity") {
        withData(schedules) { (_, schedule) ->
            graph {
                val field = GaussianMixtureMarginal(mixture, schedule)
                val path = field.path()
                val x = constant(points)
                for (t in doubleArrayOf(0.1, 0.4, 0.7, 0.9)) {
                    val time = scalar(t)
                    val v = schedule.at(tf, time)
                    val score = field.score(tf, x, time)
                    // independent closed forms from the exact score
                    val exact = mapOf(
                        Prediction.VELOCITY to field.velocity(tf, x, time),
                        Prediction.SCORE to score,
                        Prediction.NOISE to tf.math.neg(tf.math.mul(v.beta(), score)),
                        Prediction.DATA to tf.math.div(tf.math.add(x, tf.math.mul(tf.math.square(v.beta()), score)), v.alpha()),
                    ).mapValues { matrix(it.value) }
                    for (from in Prediction.entries) for (to in Prediction.entries) {
                        val input = constant(exact.getValue(from))
                        val converted = matrix(path.convert(tf, from, to, x, input, time))
                        val expected = exact.getValue(to)
                        for (i in points.indices) for (k in 0..1) {
                            withClue("$from → $to at t = $t") {
                                converted[i][k].toDouble() shouldBe (expected[i][k].toDouble() plusOrMinus 2e-3 * (1 + abs(expected[i][k])))
                            }
                        }
                    }
                }
            }
        }
    }

    context("conversions stay finite at t = 0 and t = 1, where α_t or β_t vanish (floored at 10⁻³)") {
        withData(schedules) { (_, schedule) ->
            graph {
                val path = GaussianMixtureMarginal(mixture, schedule).path()
                val x = constant(points)
                for (t in doubleArrayOf(0.0, 1.0)) for (from in Prediction.entries) for (to in Prediction.entries) {
                    val converted = matrix(path.convert(tf, from, to, x, constant(points), scalar(t)))
                    converted.all { row -> row.all { it.isFinite() } }.shouldBeTrue()
                }
            }
        }
    }
})

private inline fun <T> withClue(clue: String, block: () -> T): T = io.kotest.assertions.withClue(clue, block)
