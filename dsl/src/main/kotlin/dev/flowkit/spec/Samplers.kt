package dev.flowkit.spec

import kotlinx.serialization.SerialName
import kotlinx.serialization.Serializable

/** Integrates the learned dynamics from t = 0 (source) to t = 1 (data). */
interface SamplerSpec : Validated {
    /** Number of solver steps. */
    val steps: Int
    override fun validate(v: Validator) {
        v.check(steps in 1..MAX_STEPS, "steps") {
            "must be between 1 and $MAX_STEPS (the whole trajectory is unrolled into one graph), was $steps"
        }
    }

    companion object {
        const val MAX_STEPS = 10_000
    }
}

/** Explicit Euler; order 1, one network evaluation per step. */
@Serializable
@SerialName("euler")
data class Euler(override val steps: Int = 100) : SamplerSpec

/** Heun's method (explicit trapezoid); order 2, two evaluations per step. */
@Serializable
@SerialName("heun")
data class Heun(override val steps: Int = 50) : SamplerSpec

/** Classic Runge–Kutta; order 4, four evaluations per step. */
@Serializable
@SerialName("rk4")
data class Rk4(override val steps: Int = 25) : SamplerSpec

@Serializable
data class SampleSpec(
    val sampler: SamplerSpec = Euler(),
    val count: Int = 2000,
    /** Keep the trajectory every this many solver steps (for trajectories.png); 1 keeps every step. */
    val recordEvery: Int = 1,
) : Validated {
    override fun validate(v: Validator) {
        v.nested("sampler", sampler)
        v.check(count >= 2, "count") { "must be >= 2 (sample statistics need two points), was $count" }
        v.positive("recordEvery", recordEvery)
    }
}
