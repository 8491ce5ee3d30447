package dev.flowkit.spec

import kotlinx.serialization.SerialName
import kotlinx.serialization.Serializable

/** What the network is trained to regress. */
interface ObjectiveSpec : Validated

/** Conditional flow matching: E ‖u_θ(x_t, t) − u_t(x_t | z)‖² with t ~ U[0, 1]. */
@Serializable
@SerialName("flow-matching")
data object FlowMatching : ObjectiveSpec

/** How parameters follow the gradient. */
interface OptimizerSpec : Validated

/** Adam; [clipNorm] > 0 clips the gradient to that global norm first. */
@Serializable
@SerialName("adam")
data class Adam(
    val learningRate: Double = 1e-3,
    val betas: List<Double> = listOf(0.9, 0.999),
    val eps: Double = 1e-8,
    val clipNorm: Double? = null,
) : OptimizerSpec {
    override fun validate(v: Validator) {
        v.positive("learningRate", learningRate)
        v.check(betas.size == 2, "betas") { "must be two numbers [beta1, beta2], had ${betas.size}" }
        betas.forEachIndexed { i, b -> v.inRange("betas[$i]", b, 0.0, 1.0, highOpen = true) }
        v.positive("eps", eps)
        clipNorm?.let { v.positive("clipNorm", it) }
    }
}

@Serializable
data class TrainSpec(
    val objective: ObjectiveSpec = FlowMatching,
    val steps: Int = 5000,
    val batchSize: Int = 1000,
    val optimizer: OptimizerSpec = Adam(),
    /** The loss is read back (and the progress bar updated) every this many steps. */
    val logEvery: Int = 50,
    /** A checkpoint is written every this many steps (and at the end); 0 = only at the end. */
    val checkpointEvery: Int = 1000,
) : Validated {
    override fun validate(v: Validator) {
        v.nested("objective", objective)
        v.positive("steps", steps)
        v.positive("batchSize", batchSize)
        v.nested("optimizer", optimizer)
        v.positive("logEvery", logEvery)
        v.check(checkpointEvery >= 0, "checkpointEvery") { "must be >= 0 (0 = only at the end), was $checkpointEvery" }
    }
}
