package dev.flowkit.spec

import kotlinx.serialization.SerialName
import kotlinx.serialization.Serializable

/** Gives α_t and β_t of a Gaussian path x_t = α_t z + β_t ε (α_0 = 0, α_1 = 1, β_0 = 1, β_1 = 0). */
interface ScheduleSpec : Validated

/** α_t = t, β_t = 1 − t (the conditional optimal-transport path). */
@Serializable
@SerialName("linear")
data object LinearSchedule : ScheduleSpec

/** α_t = sin(πt/2), β_t = cos(πt/2). */
@Serializable
@SerialName("cosine")
data object CosineSchedule : ScheduleSpec

/** α_t = t, β_t = √(1 − t). */
@Serializable
@SerialName("sqrt")
data object SqrtSchedule : ScheduleSpec

/** α_t = t^exponent, β_t = 1 − t^exponent. */
@Serializable
@SerialName("polynomial")
data class PolynomialSchedule(val exponent: Double = 2.0) : ScheduleSpec {
    override fun validate(v: Validator) {
        v.check(exponent.isFinite() && exponent >= 1.0, "exponent") {
            "must be a finite number >= 1 (smaller exponents have an infinite α̇ at t = 0), was $exponent"
        }
    }
}
