package dev.flowkit.spec

import kotlinx.serialization.SerialName
import kotlinx.serialization.Serializable

/** A conditional probability path p_t(x | z) from the source (t = 0) to the data point z (t = 1). */
interface PathSpec : Validated {
    /** Whether the path has a closed-form conditional score (needed by score objectives and stochastic samplers). */
    val hasScore: Boolean get() = false

    /** Whether the path comes from a diffusion SDE, so that g_t exists (sigma `reverse()`, weighting `diffusion`). */
    val isDiffusion: Boolean get() = false

    /** The std of the centred Gaussian source the path needs; null when any source works. */
    val sourceStd: Double? get() = null
}

/** x_t = α_t z + β_t ε with ε ~ N(0, I): the source must be N(0, β_0² I) (the standard Gaussian but for ve). */
@Serializable
@SerialName("gaussian")
data class GaussianPath(val schedule: ScheduleSpec = LinearSchedule) : PathSpec {
    override val hasScore: Boolean get() = true
    override val isDiffusion: Boolean get() = schedule.isDiffusion
    override val sourceStd: Double get() = schedule.sourceStd
    override fun validate(v: Validator) = v.nested("schedule", schedule)
}

/** x_t = (1 − t) x_0 + t z with x_0 drawn from any source distribution; has no closed-form score. */
@Serializable
@SerialName("linear")
data object LinearPath : PathSpec
