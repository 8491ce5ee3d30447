package dev.flowkit.spec

import kotlinx.serialization.SerialName
import kotlinx.serialization.Serializable

/** How div u_t is computed along the probability-flow ODE. */
interface DivergenceSpec : Validated

/** Σ_i ∂u_i/∂x_i exactly, one gradient pass per dimension: for low dimensions. */
@Serializable
@SerialName("exact")
data object ExactDivergence : DivergenceSpec

/** The distribution of Hutchinson's probes ε (E[ε εᵀ] = I). */
@Serializable
enum class ProbeDistribution {
    @SerialName("rademacher") RADEMACHER,
    @SerialName("gaussian") GAUSSIAN,
}

/** Hutchinson's estimator εᵀ (∂u/∂x) ε averaged over [probes] probes, each fixed for the whole solve. */
@Serializable
@SerialName("hutchinson")
data class Hutchinson(val probes: Int = 1, val distribution: ProbeDistribution = ProbeDistribution.RADEMACHER) : DivergenceSpec {
    override fun validate(v: Validator) {
        v.check(probes in 1..64, "probes") { "must be between 1 and 64, was $probes" }
    }
}

/**
 * Exact log-likelihood of held-out data under the model: log p_1(x) = log p_0(x_0) − ∫₀¹ div u_t(x_t) dt along the
 * probability-flow ODE from t = 1 back to t = 0, with [solver] (an ODE sampler) and [divergence]. Reports
 * `logLikelihood` (nats, mean over [points] fresh data points), `bitsPerDim` (−logLikelihood / (dim ln 2), for
 * continuous data), `likelihoodNfe`, and `logLikelihoodSource` (the same points under the source: a model must beat
 * it); 2D experiments also get density.png (log p on a [grid]×[grid] grid; 0 skips it). The solve starts at [time]
 * (default 1): for schedules whose noise vanishes at t = 1 (exponential-ve) the tutorial's 1 − 10⁻⁵ keeps it regular.
 */
@Serializable
@SerialName("likelihood")
data class Likelihood(
    val solver: SamplerSpec = Dopri5(rtol = 1e-5, atol = 1e-5),
    val divergence: DivergenceSpec = ExactDivergence,
    val points: Int = 1000,
    val grid: Int = 60,
    /** The time whose density p_time is evaluated: 1 (the data), or just short of it where the path's noise vanishes at 1. */
    val time: Double = 1.0,
) : MetricSpec {
    override fun validate(v: Validator) {
        v.nested("solver", solver)
        v.check(solver.isOde, "solver") {
            "must be an ODE sampler (euler, heun, midpoint, rk4 or dopri5), was ${SpecNames.of(solver)}"
        }
        v.check(solver !is DpmSolver && solver !is EdmHeun, "solver") {
            "${SpecNames.of(solver)} steps on the model's data and noise predictions, which the likelihood's augmented ODE does not have; use euler, heun, midpoint, rk4 or dopri5"
        }
        (solver as? FixedStepSpec)?.let { f ->
            v.check(f.grid == UniformGrid, "solver.grid") {
                "the likelihood solves its ODE on the uniform grid (one compiled step, run N times); was ${SpecNames.of(f.grid)}; use uniform() or dopri5"
            }
        }
        v.nested("divergence", divergence)
        v.check(points in 2..100_000, "points") { "must be between 2 and 100000, was $points" }
        v.check(grid == 0 || grid in 10..400, "grid") { "must be 0 (no density.png) or between 10 and 400, was $grid" }
        v.inRange("time", time, 0.5, 1.0, lowOpen = true)
    }
}
