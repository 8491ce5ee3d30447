package dev.flowkit.spec

import kotlinx.serialization.SerialName
import kotlinx.serialization.Serializable

/** Gives α_t and β_t of a Gaussian path x_t = α_t z + β_t ε (α_0 = 0, α_1 = 1, β_0 = 1, β_1 = 0, or their limits). */
interface ScheduleSpec : Validated {
    /** β_0: the path starts from N(0, sourceStd² I), which is the default source. */
    val sourceStd: Double get() = 1.0

    /** Whether the schedule comes from a diffusion SDE and so has a diffusion coefficient g_t (for `reverse()`). */
    val isDiffusion: Boolean get() = false
}

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

/**
 * The variance-preserving diffusion (DDPM's continuous limit) on Flowkit's axis: diffusion time s = 1 − t,
 * β(s) = betaMin + s (betaMax − betaMin), α_t = exp(−½ ∫₀ˢ β), β_t = √(1 − α_t²). α_0 is e^{−(betaMin + betaMax)/4},
 * ≈ 0.007 at the defaults: the source is N(0, I) in the limit.
 */
@Serializable
@SerialName("vp")
data class VpSchedule(val betaMin: Double = 0.1, val betaMax: Double = 20.0) : ScheduleSpec {
    override val isDiffusion: Boolean get() = true
    override fun validate(v: Validator) = validateBetas(v, betaMin, betaMax)
}

/** The sub-VP diffusion: the same mean as vp, α_t = exp(−½ ∫₀ˢ β), with β_t = 1 − α_t². */
@Serializable
@SerialName("sub-vp")
data class SubVpSchedule(val betaMin: Double = 0.1, val betaMax: Double = 20.0) : ScheduleSpec {
    override val isDiffusion: Boolean get() = true
    override fun validate(v: Validator) = validateBetas(v, betaMin, betaMax)
}

private fun validateBetas(v: Validator, betaMin: Double, betaMax: Double) {
    v.nonNegative("betaMin", betaMin)
    v.check(betaMax.isFinite() && betaMax > betaMin && betaMax <= 1000, "betaMax") {
        "must be > betaMin ($betaMin) and <= 1000, was $betaMax"
    }
}

/**
 * The variance-exploding diffusion (SMLD/NCSN's continuous limit): x_t = z + σ(s) ε at diffusion time s = 1 − t with
 * geometric σ(s) = sigmaMin (sigmaMax/sigmaMin)^s, so α_t = 1 and β_t = σ(1 − t). The path starts from
 * N(0, sigmaMax² I) (exactly so in the limit sigmaMax ≫ the data's scale) and ends at noise level sigmaMin.
 */
@Serializable
@SerialName("ve")
data class VeSchedule(val sigmaMin: Double = 0.01, val sigmaMax: Double = 50.0) : ScheduleSpec {
    override val sourceStd: Double get() = sigmaMax
    override val isDiffusion: Boolean get() = true

    override fun validate(v: Validator) {
        v.positive("sigmaMin", sigmaMin)
        v.check(sigmaMax.isFinite() && sigmaMax > sigmaMin && sigmaMax <= 1e4, "sigmaMax") {
            "must be > sigmaMin ($sigmaMin) and <= 10000, was $sigmaMax"
        }
    }
}

/**
 * The SDE of Song's score-SDE tutorial, dx = σ^s dW on diffusion time s = 1 − t: α_t = 1 and the perturbation std
 * β_t = sqrt((σ^{2s} − 1)/(2 ln σ)), which is 0 at the data (t = 1) and sqrt((σ² − 1)/(2 ln σ)) at the source
 * (≈ 9.85 for σ = 25); g(s)² = σ^{2s}. Not [VeSchedule]: its std is not geometric and vanishes at s = 0, so score
 * objectives and likelihoods should stop just short of t = 1 (the tutorial uses s ≥ 10⁻⁵).
 */
@Serializable
@SerialName("exponential-ve")
data class ExponentialVeSchedule(val sigma: Double = 25.0) : ScheduleSpec {
    override val sourceStd: Double get() = kotlin.math.sqrt((sigma * sigma - 1) / (2 * kotlin.math.ln(sigma)))
    override val isDiffusion: Boolean get() = true

    override fun validate(v: Validator) {
        v.check(sigma.isFinite() && sigma > 1 && sigma <= 1e4, "sigma") { "must be > 1 and <= 10000, was $sigma" }
    }
}
