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

    /** [height, width, channels] when each point is an image (its values row-major, channels last); null otherwise. */
    val imageShape: List<Int>? get() = null
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

/**
 * Data known only through a finite sample: [trainingRows] rows feed training, [heldOutRows] other rows are kept
 * for evaluation (metrics compare samples with them; the noise floor compares training rows with them).
 */
interface FiniteDataSpec : DistributionSpec {
    val trainingRows: Long
    val heldOutRows: Long
}

/**
 * Integer levels 0 … 2^[bits] − 1 stored in a file, mapped onto [low, high]: level k becomes
 * low + (high − low)(k + u)/2^bits with u ~ U[0, 1) drawn afresh each time (uniform dequantization). Bits per
 * dimension of such data are reported for the discrete levels: −log p(x)/(D ln 2) + bits − log2(high − low).
 */
@Serializable
data class Quantization(val bits: Int = 8, val low: Double = -1.0, val high: Double = 1.0) : Validated {
    /** What bits/dim adds to −log p/(D ln 2) of the continuous density: log2 of the bins per unit length. */
    val bitsPerDimOffset: Double get() = bits - kotlin.math.ln(high - low) / kotlin.math.ln(2.0)

    override fun validate(v: Validator) {
        v.check(bits in 1..16, "bits") { "must be in 1..16, was $bits" }
        v.finite("low", low)
        v.check(high.isFinite() && high > low, "high") { "must be finite and > low ($low), was $high" }
    }
}

/**
 * Rows of a NumPy `.npy` file ([file], relative to the working directory): shape [N, …], one point per row,
 * flattened (an [N, H, W, C] image array gives points of dimension H·W·C). A fixed pseudo-random [heldOut]
 * fraction of the rows (the same in every run) is kept out of training for evaluation. With [quantization]
 * the file holds integer levels (e.g. 8-bit pixels) that are uniformly dequantized onto [low, high].
 */
@Serializable
@SerialName("dataset")
data class Dataset(
    val file: String,
    val heldOut: Double = 0.1,
    val quantization: Quantization? = null,
    /** An integer .npy file with one class label 0 … K − 1 per row of [file]: the data is then labelled with K classes. */
    val labels: String? = null,
) : FiniteDataSpec {
    private val header: Result<NpyHeader> by lazy { runCatching { NpyHeader.read(java.nio.file.Path.of(file)) } }
    private val labelValues: Result<LongArray>? by lazy { labels?.let { runCatching { NpyHeader.readIntegers(java.nio.file.Path.of(it)) } } }

    /** K: one more than the largest label (0 without labels, or while they cannot be read). */
    override val classes: Int
        get() = labelValues?.getOrNull()?.let { l -> if (l.isEmpty() || l.min() < 0) 0 else (l.max() + 1).toInt() } ?: 0

    /** The array's shape in the file, [N, …]. */
    val shape: List<Long> get() = header.getOrNull()?.shape ?: emptyList()
    override val dim: Int get() = header.getOrNull()?.rowSize?.toInt() ?: 0

    /** Files of shape [N, H, W] or [N, H, W, C] with C = 1 or 3 hold images. */
    override val imageShape: List<Int>?
        get() = shape.drop(1).map { it.toInt() }.let {
            when {
                it.size == 2 -> it + 1
                it.size == 3 && (it[2] == 1 || it[2] == 3) -> it
                else -> null
            }
        }
    private val rows: Long get() = header.getOrNull()?.rows ?: 0
    override val heldOutRows: Long get() = kotlin.math.round(rows * heldOut).toLong()
    override val trainingRows: Long get() = rows - heldOutRows

    override fun validate(v: Validator) {
        val read = header.exceptionOrNull()
        v.check(read == null, "file") {
            val reason = if (read is java.nio.file.NoSuchFileException) "no such file" else read?.message
            val hint = if (read is java.nio.file.NoSuchFileException && file.startsWith("data/mnist/")) "; ./flowkit data mnist writes it" else ""
            "cannot read '$file' (relative to ${java.nio.file.Path.of("").toAbsolutePath()}): $reason$hint"
        }
        v.inRange("heldOut", heldOut, 0.0, 1.0, lowOpen = true, highOpen = true)
        v.nested("quantization", quantization)
        val h = header.getOrNull() ?: return
        v.check(h.shape.size >= 2 && h.rowSize in 1..Int.MAX_VALUE.toLong(), "file") {
            "must hold an array of shape [rows, …] with at least one value per row, had shape ${h.shape}"
        }
        v.check(heldOutRows >= 1 && trainingRows >= 1, "heldOut") {
            "leaves $trainingRows training and $heldOutRows held-out rows of ${h.rows}; both need at least one"
        }
        v.check(quantization == null || h.isInteger, "quantization") {
            "needs integer levels in the file, but its element type is ${h.dtype}; omit quantization for real-valued data"
        }
        labels?.let { validateLabels(v, "labels", it) }
    }

    /** Checks [labelsFile] as the class labels of this file's rows; problems are reported at [field]. */
    fun validateLabels(v: Validator, field: String, labelsFile: String) {
        val h = header.getOrNull() ?: return
        val read = runCatching { NpyHeader.readIntegers(java.nio.file.Path.of(labelsFile)) }
        val problem = read.exceptionOrNull()
        v.check(problem == null, field) {
            val reason = if (problem is java.nio.file.NoSuchFileException) "no such file" else problem?.message
            "cannot read '$labelsFile' (relative to ${java.nio.file.Path.of("").toAbsolutePath()}): $reason"
        }
        val l = read.getOrNull() ?: return
        v.check(l.size.toLong() == h.rows, field) { "must hold one label per row of '$file' (${h.rows}), held ${l.size}" }
        v.check(l.isEmpty() || (l.min() >= 0 && l.max() < 100_000), field) {
            "must be class numbers 0 … K − 1 (K < 100000), held values from ${l.minOrNull()} to ${l.maxOrNull()}"
        }
    }

    /** The class label of every row of the file (null without labels). */
    fun labelArray(): IntArray? = labelValues?.getOrThrow()?.let { l -> IntArray(l.size) { l[it].toInt() } }
}
