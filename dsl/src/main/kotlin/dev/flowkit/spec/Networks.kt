package dev.flowkit.spec

import kotlinx.serialization.SerialName
import kotlinx.serialization.Serializable

/** A neural network taking (x, t) (and a class label for labelled data) and predicting quantities shaped like x. */
interface NetworkSpec : Validated {
    /** What the network's output means; null: what the objective trains. */
    val predicts: Prediction? get() = null

    /** Checks that the network can take the experiment's [data] (e.g. an image network needs images); [v] is at `network`. */
    fun validateInput(data: DistributionSpec, v: Validator) {}
}

/**
 * The quantity a network predicts at (x, t). On a Gaussian path x = α_t z + β_t ε these are the marginal velocity
 * u_t(x), the score ∇ log p_t(x), the noise E[ε | x] and the data E[z | x]; the runtime converts between all four.
 */
@Serializable
enum class Prediction {
    @SerialName("velocity") VELOCITY,
    @SerialName("score") SCORE,
    @SerialName("noise") NOISE,
    @SerialName("data") DATA,
}

@Serializable
enum class Activation {
    @SerialName("silu") SILU,
    @SerialName("relu") RELU,
    @SerialName("tanh") TANH,
    @SerialName("elu") ELU,
    @SerialName("softplus") SOFTPLUS,
}

/** A fully connected network on the concatenation [x, t] (plus a learned class embedding for labelled data). */
@Serializable
@SerialName("mlp")
data class Mlp(
    val hidden: List<Int> = listOf(64, 64, 64, 64),
    val activation: Activation = Activation.SILU,
    override val predicts: Prediction? = null,
) : NetworkSpec {
    override fun validate(v: Validator) {
        v.check(hidden.isNotEmpty(), "hidden") { "must list at least one hidden layer width" }
        hidden.forEachIndexed { i, h -> v.positive("hidden[$i]", h) }
    }
}

/**
 * A 1D convolutional network over the coordinates as a chain of sites (for translation-structured data such as
 * lattice fields): inputs x_i and the chain's mean per site, [layers] hidden convolutions of [channels] channels
 * and [kernel] sites (dilations 1, 2, 4, … when [dilate]), t added per channel in every layer, a 1-channel output
 * convolution. Zero padding beyond the ends. [odd]: the output is (g(x) − g(−x))/2, exactly odd in x — for data
 * symmetric under x → −x (the φ⁴ chain with boundary 0) the score, noise and velocity are odd functions.
 */
@Serializable
@SerialName("conv1d")
data class Conv1d(
    val channels: Int = 32,
    val layers: Int = 4,
    val kernel: Int = 5,
    val dilate: Boolean = true,
    val activation: Activation = Activation.SILU,
    val odd: Boolean = false,
    override val predicts: Prediction? = null,
) : NetworkSpec {
    override fun validate(v: Validator) {
        v.positive("channels", channels)
        v.check(layers in 1..12, "layers") { "must be in 1..12, was $layers" }
        v.check(kernel >= 1 && kernel % 2 == 1, "kernel") { "must be an odd number of sites >= 1, was $kernel" }
    }
}

/**
 * Two networks in one model: [velocity] gives u_t and [score] gives ∇ log p_t (each converted if it predicts something
 * else), as in the Langevin flow SDE dX = [u_t + ½σ_t² ∇log p_t] dt + σ_t dW. Train it with `flowAndScoreMatching`.
 */
@Serializable
@SerialName("velocity-and-score")
data class VelocityAndScore(
    val velocity: NetworkSpec = Mlp(),
    val score: NetworkSpec = Mlp(),
) : NetworkSpec {
    override fun validate(v: Validator) {
        v.nested("velocity", velocity)
        v.nested("score", score)
        v.check(velocity !is VelocityAndScore && score !is VelocityAndScore, "") { "velocity-and-score networks do not nest" }
    }
}

/** How the U-Net embeds t before its projection: random Fourier features (Song's tutorial) or transformer sinusoids. */
@Serializable
enum class TimeFeatures {
    /** sin/cos(2π t w) for fixed w ~ N(0, fourierScale²), half the embedding width each. */
    @SerialName("fourier") FOURIER,

    /** sin/cos(1000 t / 10000^(i/half)), the transformer's positional code of 1000 t. */
    @SerialName("sinusoidal") SINUSOIDAL,
}

/** Convolution padding: `same` keeps sizes (÷ 2 per level, rounded up); `valid` uses no padding (each 3×3 conv trims a border). */
@Serializable
enum class Padding {
    @SerialName("same") SAME,
    @SerialName("valid") VALID,
}

/**
 * A time-conditional U-Net for image data ([H, W, C] rows). Level 0 starts with a 3×3 convolution of the image; level
 * l ≥ 1 down-samples by a stride-2 3×3 convolution to channels[l]. Each of these is a block "conv → + dense(e) →
 * GroupNorm → activation" with e the embedding of t (and of the class label), followed by [blocks] residual blocks
 * (GroupNorm, activation, 3×3 conv, + dense(e), GroupNorm, activation, dropout, 3×3 conv, + skip) and, at the levels
 * listed in [attention], a self-attention block. The decoder mirrors it with stride-2 transposed convolutions to
 * the encoder's sizes (so odd sizes work: 28 → 14 → 7 → 4 and back), each level's input concatenated with the encoder
 * output of the same size; a last stride-1 transposed convolution gives the output image. Convolutions followed by a
 * norm have no bias. [groups] GroupNorm groups everywhere but after the first convolution ([stemGroups], default
 * [groups]). [blocks] = 0 with [padding] `valid` is the plain U-Net of the score-SDE tutorial (see [scoreNet]).
 */
@Serializable
@SerialName("unet")
data class Unet(
    val channels: List<Int> = listOf(32, 64, 128),
    val blocks: Int = 1,
    val embedding: Int = 128,
    val timeFeatures: TimeFeatures = TimeFeatures.FOURIER,
    val fourierScale: Double = 30.0,
    val groups: Int = 8,
    val stemGroups: Int? = null,
    val attention: List<Int> = emptyList(),
    val dropout: Double = 0.0,
    val padding: Padding = Padding.SAME,
    val activation: Activation = Activation.SILU,
    override val predicts: Prediction? = null,
) : NetworkSpec {
    override fun validate(v: Validator) {
        v.check(channels.size in 1..8, "channels") { "must list 1 to 8 levels' channel counts, had ${channels.size}" }
        channels.forEachIndexed { i, c ->
            v.positive("channels[$i]", c)
            v.check(c <= 0 || c % groups == 0 || groups <= 0, "channels[$i]") { "must be a multiple of groups ($groups) for GroupNorm, was $c" }
        }
        v.check(blocks in 0..8, "blocks") { "must be in 0..8 residual blocks per level, was $blocks" }
        v.check(embedding >= 2 && embedding % 2 == 0, "embedding") { "must be an even number >= 2 (sin and cos halves), was $embedding" }
        v.positive("fourierScale", fourierScale)
        v.positive("groups", groups)
        stemGroups?.let { g ->
            v.positive("stemGroups", g)
            v.check(g <= 0 || channels.isEmpty() || channels[0] % g == 0, "stemGroups") { "must divide channels[0] (${channels.firstOrNull()}), was $g" }
        }
        attention.forEachIndexed { i, level ->
            v.check(level in channels.indices, "attention[$i]") { "must name a level 0 … ${channels.size - 1}, was $level" }
        }
        v.inRange("dropout", dropout, 0.0, 1.0, highOpen = true)
        if (dropout > 0) v.check(blocks > 0, "dropout") { "acts inside residual blocks; with blocks = 0 there are none (set blocks >= 1 or dropout = 0)" }
    }

    override fun validateInput(data: DistributionSpec, v: Validator) {
        val image = data.imageShape
        if (image == null) {
            v.check(data.dim == 0, "") { // 0: unreadable data, reported by data
                "unet needs image data ([N, H, W] or [N, H, W, C] arrays from dataset(file)); the data here are vectors of " +
                    "dimension ${data.dim}; use mlp or conv1d"
            }
            return
        }
        val sizes = sizes(image[0], image[1])
        val bad = sizes.indexOfFirst { it.first < 1 || it.second < 1 }
        v.check(bad < 0, "channels") {
            val reached = sizes.take(bad + 1).joinToString(" → ") { "${it.first}×${it.second}" }
            "${channels.size} levels are too deep for ${image[0]}×${image[1]} images with ${padding.name.lowercase()} padding: " +
                "$reached at level $bad; use at most ${bad} levels" + if (padding == Padding.VALID) " or padding same" else ""
        }
    }

    /** The [height, width] of every level for an image of [height]×[width] (a size below 1 means too deep). */
    fun sizes(height: Int, width: Int): List<Pair<Int, Int>> {
        val out = mutableListOf<Pair<Int, Int>>()
        var h = height
        var w = width
        for (level in channels.indices) {
            val stride = if (level == 0) 1 else 2
            if (level > 0 && padding == Padding.SAME && (h < 2 || w < 2)) { h = 0; w = 0 } // nothing left to halve
            h = convolved(h, stride)
            w = convolved(w, stride)
            out += h to w
            if (h < 1 || w < 1) break
        }
        return out
    }

    private fun convolved(size: Int, stride: Int): Int = when {
        size < 1 -> 0
        padding == Padding.SAME -> (size + stride - 1) / stride
        else -> if (size < 3) 0 else (size - 3) / stride + 1
    }

    companion object {
        /**
         * The score-SDE tutorial's ScoreNet (1,115,297 trainable parameters on 28×28×1): channels 32/64/128/256,
         * embedding 256 from Fourier features of scale 30, GroupNorm 4 groups after the first convolution and 32 after
         * the others, no padding, no residual blocks. It predicts the noise: the runtime divides by the perturbation
         * std β_t to get the score, which is the tutorial's "output / std(t)".
         */
        @JvmStatic
        @JvmOverloads
        fun scoreNet(predicts: Prediction = Prediction.NOISE) = Unet(
            channels = listOf(32, 64, 128, 256), blocks = 0, embedding = 256, timeFeatures = TimeFeatures.FOURIER,
            fourierScale = 30.0, groups = 32, stemGroups = 4, padding = Padding.VALID, predicts = predicts,
        )
    }
}
