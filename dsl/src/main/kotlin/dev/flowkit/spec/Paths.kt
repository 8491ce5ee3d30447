package dev.flowkit.spec

import kotlinx.serialization.SerialName
import kotlinx.serialization.Serializable

/** A conditional probability path p_t(x | z) from the source (t = 0) to the data point z (t = 1). */
interface PathSpec : Validated

/** x_t = α_t z + β_t ε with ε ~ N(0, I): the source must be the standard Gaussian. */
@Serializable
@SerialName("gaussian")
data class GaussianPath(val schedule: ScheduleSpec = LinearSchedule) : PathSpec {
    override fun validate(v: Validator) = v.nested("schedule", schedule)
}

/** x_t = (1 − t) x_0 + t z with x_0 drawn from any source distribution; has no closed-form score. */
@Serializable
@SerialName("linear")
data object LinearPath : PathSpec
