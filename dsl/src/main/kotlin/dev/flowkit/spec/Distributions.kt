package dev.flowkit.spec

import kotlinx.serialization.SerialName
import kotlinx.serialization.Serializable
import kotlin.math.PI
import kotlin.math.cos
import kotlin.math.sin

/** A probability distribution over R^dim, used as data (p_data) or source (p_init). */
interface DistributionSpec : Validated {
    /** Dimension of the samples. */
    val dim: Int

    /** Number of class labels its draws carry (0: unlabelled). Labelled data makes the model class-conditional. */
    val classes: Int get() = 0
}

/** A distribution that is a finite mixture of isotropic Gaussians (exact fields exist for these). */
interface MixtureSpec : DistributionSpec {
    fun components(): List<Component>

    /** Whether each draw carries its component's index as a class label. */
    val labelled: Boolean get() = false
    override val classes: Int get() = if (labelled) components().size else 0

    /** One isotropic component N(mean, std² I) with its weight. */
    data class Component(val weight: Double, val mean: List<Double>, val std: Double)
}

/** N(mean, std² I); an empty [mean] means the origin. */
@Serializable
@SerialName("gaussian")
data class Gaussian(override val dim: Int, val mean: List<Double> = emptyList(), val std: Double = 1.0) : MixtureSpec {
    override fun components() = listOf(MixtureSpec.Component(1.0, mean.ifEmpty { List(dim) { 0.0 } }, std))
    val isCentred: Boolean get() = mean.all { it == 0.0 }

    override fun validate(v: Validator) {
        v.positive("dim", dim)
        v.positive("std", std)
        v.check(mean.isEmpty() || mean.size == dim, "mean") {
            "must have dim = $dim entries (or be omitted for the origin), had ${mean.size}"
        }
        v.allFinite("mean", mean)
    }
}

/**
 * Σ_k weights[k] · N(means[k], stds[k]² I); empty [weights] means equal weights. [labelled] draws carry
 * their component index k as a class label (for class-conditional models and guidance).
 */
@Serializable
@SerialName("gaussian-mixture")
data class GaussianMixture(
    val means: List<List<Double>>,
    val stds: List<Double>,
    val weights: List<Double> = emptyList(),
    override val labelled: Boolean = false,
) : MixtureSpec {
    override val dim: Int get() = means.firstOrNull()?.size ?: 0

    override fun components(): List<MixtureSpec.Component> {
        val w = weights.ifEmpty { List(means.size) { 1.0 } }
        val total = w.sum()
        return means.indices.map { MixtureSpec.Component(w[it] / total, means[it], stds[it]) }
    }

    override fun validate(v: Validator) {
        v.check(means.isNotEmpty(), "means") { "must list at least one mean" }
        means.forEachIndexed { i, m ->
            v.check(m.size == dim && m.isNotEmpty(), "means[$i]") {
                "every mean must have the same dimension ($dim), had ${m.size}"
            }
            v.allFinite("means[$i]", m)
        }
        v.check(stds.size == means.size, "stds") { "must have one entry per mean (${means.size}), had ${stds.size}" }
        stds.forEachIndexed { i, s -> v.positive("stds[$i]", s) }
        v.check(weights.isEmpty() || weights.size == means.size, "weights") {
            "must have one entry per mean (${means.size}) or be omitted for equal weights, had ${weights.size}"
        }
        weights.forEachIndexed { i, w -> v.positive("weights[$i]", w) }
    }
}

/**
 * [modes] equal-weight Gaussians evenly spaced on a circle of [radius]: the classic 8-Gaussians at the defaults.
 * [labelled] as for [GaussianMixture]: mode k (at angle 2πk/modes) is class k.
 */
@Serializable
@SerialName("circle")
data class Circle(
    val modes: Int = 8,
    val radius: Double = 4.0,
    val std: Double = 0.5,
    override val labelled: Boolean = false,
) : MixtureSpec {
    override val dim: Int get() = 2

    override fun components() = (0 until modes).map {
        val angle = 2 * PI * it / modes
        MixtureSpec.Component(1.0 / modes, listOf(radius * cos(angle), radius * sin(angle)), std)
    }

    override fun validate(v: Validator) {
        v.positive("modes", modes)
        v.positive("radius", radius)
        v.positive("std", std)
    }
}

/** Two interleaving half circles (scikit-learn's make_moons), centred on the origin and scaled by [scale]. */
@Serializable
@SerialName("moons")
data class Moons(val noise: Double = 0.05, val scale: Double = 3.0) : DistributionSpec {
    override val dim: Int get() = 2

    override fun validate(v: Validator) {
        v.nonNegative("noise", noise)
        v.positive("scale", scale)
    }
}

/** Two concentric circles of radii [scale] and [factor]·[scale] (scikit-learn's make_circles), Gaussian [noise]. */
@Serializable
@SerialName("circles")
data class Circles(val noise: Double = 0.05, val factor: Double = 0.5, val scale: Double = 3.0) : DistributionSpec {
    override val dim: Int get() = 2

    override fun validate(v: Validator) {
        v.nonNegative("noise", noise)
        v.inRange("factor", factor, 0.0, 1.0, lowOpen = true, highOpen = true)
        v.positive("scale", scale)
    }
}

/** Uniform on the dark cells of a [squares]×[squares] checkerboard covering [-size/2, size/2]². */
@Serializable
@SerialName("checkerboard")
data class Checkerboard(val squares: Int = 4, val size: Double = 8.0) : DistributionSpec {
    override val dim: Int get() = 2

    override fun validate(v: Validator) {
        v.check(squares >= 2 && squares % 2 == 0, "squares") { "must be an even number >= 2, was $squares" }
        v.positive("size", size)
    }
}

/** Uniform on the box [low, high]^dim. */
@Serializable
@SerialName("uniform")
data class Uniform(override val dim: Int = 2, val low: Double = -1.0, val high: Double = 1.0) : DistributionSpec {
    override fun validate(v: Validator) {
        v.positive("dim", dim)
        v.finite("low", low)
        v.check(high.isFinite() && high > low, "high") { "must be finite and > low ($low), was $high" }
    }
}
