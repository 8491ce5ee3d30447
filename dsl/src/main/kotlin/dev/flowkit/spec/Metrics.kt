package dev.flowkit.spec

import kotlinx.serialization.SerialName
import kotlinx.serialization.Serializable

/** A number comparing generated samples with fresh data samples of the same size. */
interface MetricSpec : Validated

/** Exact 2-Wasserstein distance between the two empirical measures (optimal assignment). */
@Serializable
@SerialName("wasserstein2")
data object Wasserstein2 : MetricSpec

/** Unbiased squared maximum mean discrepancy with a sum of Gaussian kernels of the given bandwidths. */
@Serializable
@SerialName("mmd")
data class Mmd(val bandwidths: List<Double> = listOf(0.1, 0.3, 1.0, 3.0)) : MetricSpec {
    override fun validate(v: Validator) {
        v.check(bandwidths.isNotEmpty(), "bandwidths") { "must list at least one bandwidth" }
        bandwidths.forEachIndexed { i, b -> v.positive("bandwidths[$i]", b) }
    }
}

/** ‖mean error‖₁ (meanL1Error), ‖mean error‖₂ (meanError) and ‖covariance error‖_F (covError) between samples and data. */
@Serializable
@SerialName("mean-cov-error")
data object MeanCovError : MetricSpec

/**
 * For labelled mixture data and class-conditional sampling: `classAccuracy`, the fraction of samples whose most
 * probable component under the data distribution is the requested class, and `classSpread`, the mean of
 * ‖x − μ_y‖² / (dim s_y²) over samples (1 when samples follow their class's component; below 1 when guidance
 * concentrates them).
 */
@Serializable
@SerialName("class-accuracy")
data object ClassAccuracy : MetricSpec

/**
 * For vector data: histograms of the chosen [coordinates] (marginals.png) and density contours of the coordinate
 * [pair] (pair.png), samples against held-out data; reports marginalTv, the mean total-variation distance between
 * the binned marginals ([bins] bins over the data's range).
 */
@Serializable
@SerialName("marginals")
data class Marginals(val coordinates: List<Int> = listOf(0), val pair: List<Int> = listOf(0, 1), val bins: Int = 60) : MetricSpec {
    override fun validate(v: Validator) {
        v.check(coordinates.isNotEmpty() && coordinates.size <= 9, "coordinates") { "must list 1 to 9 coordinates, had ${coordinates.size}" }
        coordinates.forEachIndexed { i, c -> v.check(c >= 0, "coordinates[$i]") { "must be >= 0, was $c" } }
        v.check(pair.size == 2 && pair.all { it >= 0 } && pair[0] != pair[1], "pair") { "must be two different coordinates >= 0, was $pair" }
        v.check(bins in 5..500, "bins") { "must be in 5..500, was $bins" }
    }
}

/**
 * Image quality without Inception: a small LeNet-style classifier trained inside Flowkit on the labelled training
 * images (the data's labels, or [labels] for unlabelled data; [classifierSteps] Adam steps of batch [batchSize]; cached beside the data file and reused while the data
 * and these settings are unchanged) gives features (its last hidden layer) of samples and held-out images.
 * Reports `fid` (the Fréchet distance between Gaussians fitted to the two feature sets), `kid` (the unbiased MMD² with
 * the cubic polynomial kernel), `classifierAccuracy` (its accuracy on held-out images) and, for class-conditional
 * samples, `sampleAccuracy` (the classifier's agreement with the requested labels); each with its noise floor.
 */
@Serializable
@SerialName("fid")
data class Fid(
    /** An integer .npy file with the class of every row of the data file, for the classifier; null: the data's own labels. */
    val labels: String? = null,
    val classifierSteps: Int = 3000,
    val batchSize: Int = 128,
) : MetricSpec {
    override fun validate(v: Validator) {
        v.check(classifierSteps in 1..1_000_000, "classifierSteps") { "must be between 1 and 1000000, was $classifierSteps" }
        v.check(batchSize in 1..100_000, "batchSize") { "must be between 1 and 100000, was $batchSize" }
    }
}
