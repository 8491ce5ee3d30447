package dev.flowkit.spec

import kotlinx.serialization.SerialName
import kotlinx.serialization.Serializable

/** A neural network taking (x, t) and predicting one quantity of the same shape as x. */
interface NetworkSpec : Validated

@Serializable
enum class Activation {
    @SerialName("silu") SILU,
    @SerialName("relu") RELU,
    @SerialName("tanh") TANH,
    @SerialName("elu") ELU,
    @SerialName("softplus") SOFTPLUS,
}

/** A fully connected network on the concatenation [x, t]. */
@Serializable
@SerialName("mlp")
data class Mlp(
    val hidden: List<Int> = listOf(64, 64, 64, 64),
    val activation: Activation = Activation.SILU,
) : NetworkSpec {
    override fun validate(v: Validator) {
        v.check(hidden.isNotEmpty(), "hidden") { "must list at least one hidden layer width" }
        hidden.forEachIndexed { i, h -> v.positive("hidden[$i]", h) }
    }
}
