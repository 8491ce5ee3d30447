package dev.flowkit.spec

import kotlinx.serialization.SerialName
import kotlinx.serialization.Serializable

/** A neural network taking (x, t) (and a class label for labelled data) and predicting quantities shaped like x. */
interface NetworkSpec : Validated {
    /** What the network's output means; null: what the objective trains. */
    val predicts: Prediction? get() = null
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
