package dev.flowkit.spec

import kotlinx.serialization.SerialName
import kotlinx.serialization.Serializable

/** Carries source draws (t = 0) to data (t = 1) with the trained model. */
interface SamplerSpec : Validated {
    /** Whether it needs the model's score ∇ log p_t, which only paths with a closed-form score can train or convert. */
    val usesScore: Boolean get() = false

    /** Whether it needs the diffusion coefficient g_t of the schedule. */
    val usesDiffusion: Boolean get() = false

    /** Whether it solves the ODE dx/dt = u_t(x) deterministically (what likelihoods need). */
    val isOde: Boolean get() = false

    /** The same sampler with its path-dependent defaults written out (e.g. σ_t of euler-maruyama). */
    fun withDefaults(path: PathSpec): SamplerSpec = this

    companion object {
        /** The most steps (network evaluations) of one trajectory. */
        const val MAX_STEPS = 10_000
    }
}

/** A method on a fixed grid 0 = t_0 < … < t_steps = 1 whose whole trajectory runs as one graph execution. */
interface FixedStepSpec : SamplerSpec {
    val steps: Int

    /** Where the steps lie (uniform unless told). */
    val grid: TimeGridSpec get() = UniformGrid

    override fun validate(v: Validator) {
        validateSteps(v, "steps", steps)
        v.nested("grid", grid)
    }
}

/** Where a fixed-step sampler's times 0 = t_0 < t_1 < … < t_N = 1 lie. */
interface TimeGridSpec : Validated

/** t_i = i/N. */
@Serializable
@SerialName("uniform")
data object UniformGrid : TimeGridSpec

/**
 * Grids spaced by the path's noise ratio σ_t = β_t/α_t (σ from ∞ or σ(0) at t = 0 down to 0 at t = 1): N + 1 points
 * σ_0 > … > σ_N from min(σ(0), [sigmaMax]) to max(σ(1), [sigmaMin]) (σ_N = 0 when the path reaches σ = 0 at t = 1:
 * the last step then goes from sigmaMin straight to the data), each mapped to its t; t_0 is always 0 (the source).
 */
interface NoiseRatioGridSpec : TimeGridSpec {
    val sigmaMin: Double
    val sigmaMax: Double

    override fun validate(v: Validator) {
        v.positive("sigmaMin", sigmaMin)
        v.check(sigmaMax.isFinite() && sigmaMax > sigmaMin, "sigmaMax") { "must be finite and > sigmaMin ($sigmaMin), was $sigmaMax" }
    }
}

/** EDM's grid (Karras et al. 2022): σ_i = (σmax^{1/ρ} + i/(N − 1) (σmin^{1/ρ} − σmax^{1/ρ}))^ρ, dense near the data. */
@Serializable
@SerialName("karras")
data class KarrasGrid(val rho: Double = 7.0, override val sigmaMin: Double = 0.002, override val sigmaMax: Double = 80.0) :
    NoiseRatioGridSpec {
    override fun validate(v: Validator) {
        super.validate(v)
        v.inRange("rho", rho, 0.0, 100.0, lowOpen = true)
    }
}

/** ln σ_i uniform from ln σmax to ln σmin (uniform in log-SNR, DPM-Solver's grid). */
@Serializable
@SerialName("log-snr")
data class LogSnrGrid(override val sigmaMin: Double = 0.002, override val sigmaMax: Double = 80.0) : NoiseRatioGridSpec

internal fun validateSteps(v: Validator, field: String, steps: Int) {
    v.check(steps in 1..SamplerSpec.MAX_STEPS, field) {
        "must be between 1 and ${SamplerSpec.MAX_STEPS}, was $steps"
    }
}

/** Explicit Euler; order 1, one network evaluation per step. */
@Serializable
@SerialName("euler")
data class Euler(override val steps: Int = 100, override val grid: TimeGridSpec = UniformGrid) : FixedStepSpec {
    override val isOde: Boolean get() = true
}

/**
 * Heun's method (explicit trapezoid); order 2, two evaluations per step. A last step into β = 0 (every path but ve)
 * is Euler, as in EDM: a score or noise model's velocity at β = 0 is undefined (2N − 1 evaluations then).
 */
@Serializable
@SerialName("heun")
data class Heun(override val steps: Int = 50, override val grid: TimeGridSpec = UniformGrid) : FixedStepSpec {
    override val isOde: Boolean get() = true
}

/** The explicit midpoint method; order 2, two evaluations per step. */
@Serializable
@SerialName("midpoint")
data class Midpoint(override val steps: Int = 50, override val grid: TimeGridSpec = UniformGrid) : FixedStepSpec {
    override val isOde: Boolean get() = true
}

/** Classic Runge–Kutta; order 4, four evaluations per step. */
@Serializable
@SerialName("rk4")
data class Rk4(override val steps: Int = 25, override val grid: TimeGridSpec = UniformGrid) : FixedStepSpec {
    override val isOde: Boolean get() = true
}

/**
 * Adaptive Dormand–Prince 5(4) with local error control: a step is accepted when the RMS over the batch of
 * err / (atol + rtol · max(|x|, |x_new|)) is <= 1. Reports its number of function evaluations (NFE).
 */
@Serializable
@SerialName("dopri5")
data class Dopri5(val rtol: Double = 1e-5, val atol: Double = 1e-5, val maxSteps: Int = 10_000) : SamplerSpec {
    override val isOde: Boolean get() = true

    override fun validate(v: Validator) {
        v.inRange("rtol", rtol, 0.0, 1.0, lowOpen = true)
        v.inRange("atol", atol, 0.0, 1.0, lowOpen = true)
        v.positive("maxSteps", maxSteps)
    }
}

/**
 * DPM-Solver++(2M) (Lu et al. 2022): multistep, second order, on the model's data prediction in λ = ln(α/β):
 * x_{i+1} = (β_{i+1}/β_i) x_i − α_{i+1} expm1(−h_i) D_i with D_i = (1 + 1/(2r)) ẑ_i − 1/(2r) ẑ_{i−1}, r = h_{i−1}/h_i;
 * the first step and a last step into β = 0 are first order (D = ẑ). One evaluation per step; any affine path.
 *
 * [stochastic] is SDE-DPM-Solver++(2M) (the same paper, the η = 1 reverse SDE solved exactly for a linear ẑ):
 * x_{i+1} = (β_{i+1}/β_i) e^{−h_i} x_i − α_{i+1} expm1(−2h_i) D_i + β_{i+1} √(−expm1(−2h_i)) ξ_i, fresh noise each
 * step: it forgets errors of the start and of earlier steps, like the reverse SDE, at one evaluation per step.
 */
@Serializable
@SerialName("dpm-solver")
data class DpmSolver(
    override val steps: Int = 20,
    override val grid: TimeGridSpec = LogSnrGrid(),
    val stochastic: Boolean = false,
) : FixedStepSpec {
    override val isOde: Boolean get() = !stochastic
}

/**
 * EDM's Heun sampler (Karras et al. 2022) in x/α and σ = β/α, where the flow is dx̃/dσ = ε̂; on the Karras grid by
 * default, its last step (into σ = 0) Euler: 2N − 1 evaluations (one fewer again from α = 0, the source of linear and
 * cosine paths, whose first step is the Euler limit). Any affine path.
 *
 * [churn] > 0 is EDM's stochastic sampler (their Algorithm 2, S_churn): before each step whose σ_i lies in
 * [[churnSigmaMin], [churnSigmaMax]] (null: no upper bound) the noise is raised to σ̂ = σ_i (1 + γ), γ = min(churn/N,
 * √2 − 1), by adding fresh noise of std [churnNoise] · √(σ̂² − σ_i²), and the step starts from σ̂: Langevin-like
 * corrections at no extra network evaluations. 0 (the default) is the deterministic ODE sampler.
 */
@Serializable
@SerialName("edm-heun")
data class EdmHeun(
    override val steps: Int = 18,
    override val grid: TimeGridSpec = KarrasGrid(),
    val churn: Double = 0.0,
    val churnSigmaMin: Double = 0.0,
    val churnSigmaMax: Double? = null,
    val churnNoise: Double = 1.0,
) : FixedStepSpec {
    override val isOde: Boolean get() = churn == 0.0

    override fun validate(v: Validator) {
        super.validate(v)
        v.check(churn.isFinite() && churn >= 0, "churn") { "must be finite and >= 0 (0: the deterministic sampler; EDM used 10-80), was $churn" }
        v.nonNegative("churnSigmaMin", churnSigmaMin)
        churnSigmaMax?.let { max -> v.check(max > churnSigmaMin, "churnSigmaMax") { "must be > churnSigmaMin ($churnSigmaMin) or null (no bound), was $max" } }
        v.positive("churnNoise", churnNoise)
    }
}

/** σ_t, the noise scale of a stochastic sampler. */
interface SigmaSpec : Validated

/** σ_t = value. */
@Serializable
@SerialName("constant")
data class ConstantSigma(val value: Double = 1.0) : SigmaSpec {
    override fun validate(v: Validator) = v.nonNegative("value", value)
}

/** σ_t = start + (end − start) t. */
@Serializable
@SerialName("linear")
data class LinearSigma(val start: Double = 1.0, val end: Double = 0.0) : SigmaSpec {
    override fun validate(v: Validator) {
        v.nonNegative("start", start)
        v.nonNegative("end", end)
    }
}

/**
 * σ_t = scale · β_t, the path's own noise std: the score term ½σ_t² ∇log p_t ≈ −½ scale² β_t ε̂ stays bounded as
 * β_t → 0, where a constant σ multiplies the model's error in ε̂ by 1/β_t. Gaussian paths.
 */
@Serializable
@SerialName("noise-std")
data class NoiseStdSigma(val scale: Double = 1.0) : SigmaSpec {
    override fun validate(v: Validator) = v.nonNegative("scale", scale)
}

/** σ_t = g_t, the diffusion coefficient of the schedule's SDE: the sampler then solves the reverse-time SDE. */
@Serializable
@SerialName("reverse")
data object ReverseSigma : SigmaSpec

/**
 * Euler–Maruyama on dX = [u_t(X) + ½σ_t² ∇log p_t(X)] dt + σ_t dW (the extension trick: every σ_t ≥ 0 has the
 * same marginals). [sigma] defaults to `reverse()` on vp, sub-vp and ve schedules and to `noiseStd()` (σ_t = β_t)
 * on the other Gaussian paths.
 * The last step adds no noise (it returns the mean), as the reference samplers do.
 */
@Serializable
@SerialName("euler-maruyama")
data class EulerMaruyama(override val steps: Int = 500, val sigma: SigmaSpec? = null, override val grid: TimeGridSpec = UniformGrid) : FixedStepSpec {
    override val usesScore: Boolean get() = sigma != ConstantSigma(0.0)
    override val usesDiffusion: Boolean get() = sigma == ReverseSigma

    override fun withDefaults(path: PathSpec) =
        if (sigma != null) this else copy(sigma = if (path.isDiffusion) ReverseSigma else if (path.hasScore) NoiseStdSigma() else ConstantSigma(1.0))

    override fun validate(v: Validator) {
        super.validate(v)
        v.nested("sigma", sigma)
    }
}

/**
 * Unadjusted Langevin dynamics at the fixed time [time]: x ← x + ε ∇log p_t(x) + √(2ε) ξ, [steps] times from the
 * source draws, the last step without noise. Its stationary law is p_t up to an O(ε) bias. [time] defaults to 0.99,
 * away from t = 1 where a learned score grows like 1/β_t; [stepSize] must stay well below the variance of p_t.
 */
@Serializable
@SerialName("langevin")
data class Langevin(val steps: Int = 1000, val stepSize: Double = 0.01, val time: Double = 0.99) : SamplerSpec {
    override val usesScore: Boolean get() = true

    override fun validate(v: Validator) {
        validateSteps(v, "steps", steps)
        v.positive("stepSize", stepSize)
        v.inRange("time", time, 0.0, 1.0)
    }
}

/** The corrector of a predictor–corrector sampler. */
interface CorrectorSpec : Validated {
    /** Network evaluations per corrector call. */
    val steps: Int
}

/**
 * [steps] Langevin steps at the current t with the signal-to-noise step size ε = 2 (snr ‖ξ‖ / ‖∇log p_t‖)²,
 * norms per sample averaged over the batch (score_sde's Langevin corrector).
 */
@Serializable
@SerialName("langevin")
data class LangevinCorrector(val snr: Double = 0.16, override val steps: Int = 1) : CorrectorSpec {
    override fun validate(v: Validator) {
        v.positive("snr", snr)
        v.check(steps in 1..100, "steps") { "must be between 1 and 100, was $steps" }
    }
}

/** Predictor–corrector: at each grid time the corrector refines x, then the predictor advances one step. */
@Serializable
@SerialName("pc")
data class Pc(
    val predictor: SamplerSpec = EulerMaruyama(),
    val corrector: CorrectorSpec = LangevinCorrector(),
) : SamplerSpec {
    override val usesScore: Boolean get() = true
    override val usesDiffusion: Boolean get() = predictor.usesDiffusion

    override fun withDefaults(path: PathSpec) = copy(predictor = predictor.withDefaults(path))

    override fun validate(v: Validator) {
        v.nested("predictor", predictor)
        v.nested("corrector", corrector)
        v.check(predictor is FixedStepSpec, "predictor") {
            "must be a fixed-step sampler (euler, heun, midpoint, rk4 or euler-maruyama), was ${SpecNames.of(predictor)}"
        }
        if (predictor is FixedStepSpec) {
            val total = predictor.steps.toLong() * (1 + corrector.steps)
            v.check(total <= SamplerSpec.MAX_STEPS, "predictor.steps") {
                "predictor.steps × (1 + corrector.steps), the network evaluations of a trajectory, must be <= ${SamplerSpec.MAX_STEPS}, was $total"
            }
        }
    }
}

@Serializable
data class SampleSpec(
    val sampler: SamplerSpec = Euler(),
    val count: Int = 2000,
    /** Keep the trajectory every this many solver steps (for trajectories.png); 1 keeps every step. */
    val recordEvery: Int = 1,
    /**
     * Classifier-free guidance scales w for labelled data, each giving its own samples and metrics:
     * ũ = (1 − w) u(x | ∅) + w u(x | y). Empty: [1.0] (plain conditional sampling) for labelled data.
     */
    val guidance: List<Double> = emptyList(),
    /**
     * For labelled data, the classes requested, in turn: sample i is of class classes[i mod n]. Empty: each sample's
     * class is drawn with the data's class frequencies.
     */
    val classes: List<Int> = emptyList(),
) : Validated {
    override fun validate(v: Validator) {
        v.nested("sampler", sampler)
        v.check(count >= 2, "count") { "must be >= 2 (sample statistics need two points), was $count" }
        v.positive("recordEvery", recordEvery)
        guidance.forEachIndexed { i, w -> v.inRange("guidance[$i]", w, 0.0, 100.0) }
        v.check(guidance.distinct().size == guidance.size, "guidance") { "lists a scale twice: $guidance" }
    }
}
