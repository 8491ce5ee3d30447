package dev.flowkit.runtime

import dev.flowkit.runtime.distributions.GaussianMixtureDistribution
import dev.flowkit.spec.GaussianMixture
import io.kotest.matchers.doubles.plusOrMinus
import io.kotest.matchers.shouldBe
import kotlin.math.sqrt

/** The unequal three-mode mixture the exact-field tests share: modes ≥ 5 apart, stds 0.3 to 0.6. */
fun threeModeMixture() = GaussianMixtureDistribution(
    GaussianMixture(
        means = listOf(listOf(4.0, 1.0), listOf(-3.0, 2.0), listOf(0.5, -3.5)),
        stds = listOf(0.3, 0.6, 0.45),
        weights = listOf(0.5, 0.3, 0.2),
    )
)

private fun sq(x: Float) = x.toDouble() * x

/**
 * The samples follow this mixture: per mode (the nearest mean; modes are ≥ 5 apart with stds ≤ 0.6) the share of
 * samples, the mean and the std match the closed-form weight, mean and std within 4 standard errors (stds within
 * [stdTolerance] relative).
 */
fun GaussianMixtureDistribution.shouldMatch(samples: Array<FloatArray>, stdTolerance: Double = 0.08) {
    val n = samples.size
    val means = means()
    val byMode = samples.groupBy { p -> means.indices.minBy { k -> sq(p[0] - means[k][0]) + sq(p[1] - means[k][1]) } }
    for (k in means.indices) {
        val w = weights()[k].toDouble()
        val s = stds()[k].toDouble()
        val members = byMode[k].orEmpty()
        members.size.toDouble() / n shouldBe (w plusOrMinus 4 * sqrt(w * (1 - w) / n))
        for (d in 0 until 2) {
            val values = members.map { it[d].toDouble() }
            values.average() shouldBe (means[k][d].toDouble() plusOrMinus 4 * s / sqrt(members.size.toDouble()) + 0.01)
            sqrt(values.map { (it - values.average()) * (it - values.average()) }.sum() / (values.size - 1)) shouldBe
                (s plusOrMinus stdTolerance * s)
        }
    }
}
