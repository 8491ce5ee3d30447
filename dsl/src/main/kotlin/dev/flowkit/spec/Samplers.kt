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
        /** The most steps one trajectory may unroll into a graph. */
        const val MAX_STEPS = 10_000
    }
}

/** A method on the uniform grid t_i = i/steps whose whole trajectory runs as one graph execution. */
interface FixedStepSpec : SamplerSpec {
    val steps: Int

    override fun validate(v: Validator) = validateSteps(v, "steps", steps)
}

internal fun validateSteps(v: Validator, field: String, steps: Int) {
    v.check(steps in 1..SamplerSpec.MAX_STEPS, field) {
        "must be between 1 and ${SamplerSpec.MAX_STEPS} (the whole trajectory is unrolled into one graph), was $steps"
    }
}

/** Explicit Euler; order 1, one network evaluation per step. */
@Serializable
@SerialName("euler")
data class Euler(override val steps: Int = 100) : FixedStepSpec {
    override val isOde: Boolean get() = true
}

/** Heun's method (explicit trapezoid); order 2, two evaluations per step. */
@Serializable
@SerialName("heun")
data class Heun(override val steps: Int = 50) : FixedStepSpec {
    override val isOde: Boolean get() = true
}

/** The explicit midpoint method; order 2, two evaluations per step. */
@Serializable
@SerialName("midpoint")
data class Midpoint(override val steps: Int = 50) : FixedStepSpec {
    override val isOde: Boolean get() = true
}

/** Classic Runge–Kutta; order 4, four evaluations per step. */
@Serializable
@SerialName("rk4")
data class Rk4(override val steps: Int = 25) : FixedStepSpec {
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

/** σ_t = g_t, the diffusion coefficient of the schedule's SDE: the sampler then solves the reverse-time SDE. */
@Serializable
@SerialName("reverse")
data object ReverseSigma : SigmaSpec

/**
 * Euler–Maruyama on dX = [u_t(X) + ½σ_t² ∇log p_t(X)] dt + σ_t dW (the extension trick: every σ_t ≥ 0 has the
 * same marginals). [sigma] defaults to `reverse()` on vp, sub-vp and ve schedules and to `constant(1.0)` elsewhere.
 * The last step adds no noise (it returns the mean), as the reference samplers do.
 */
@Serializable
@SerialName("euler-maruyama")
data class EulerMaruyama(override val steps: Int = 500, val sigma: SigmaSpec? = null) : FixedStepSpec {
    override val usesScore: Boolean get() = sigma != ConstantSigma(0.0)
    override val usesDiffusion: Boolean get() = sigma == ReverseSigma

    override fun withDefaults(path: PathSpec) =
        if (sigma != null) this else copy(sigma = if (path.isDiffusion) ReverseSigma else ConstantSigma(1.0))

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
                "predictor.steps × (1 + corrector.steps) must be <= ${SamplerSpec.MAX_STEPS} (all are unrolled), was $total"
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
) : Validated {
    override fun validate(v: Validator) {
        v.nested("sampler", sampler)
        v.check(count >= 2, "count") { "must be >= 2 (sample statistics need two points), was $count" }
        v.positive("recordEvery", recordEvery)
        guidance.forEachIndexed { i, w -> v.inRange("guidance[$i]", w, 0.0, 100.0) }
        v.check(guidance.distinct().size == guidance.size, "guidance") { "lists a scale twice: $guidance" }
    }
}
