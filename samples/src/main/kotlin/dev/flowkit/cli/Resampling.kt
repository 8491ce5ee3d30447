package dev.flowkit.cli

import dev.flowkit.spec.DpmSolver
import dev.flowkit.spec.EdmHeun
import dev.flowkit.spec.Euler
import dev.flowkit.spec.EulerMaruyama
import dev.flowkit.spec.ExperimentSpec
import dev.flowkit.spec.Heun
import dev.flowkit.spec.LangevinCorrector
import dev.flowkit.spec.Likelihood
import dev.flowkit.spec.Pc
import dev.flowkit.spec.SamplerSpec

/** The variants `resample` runs: a finished run's spec with another sampler at a given number of network evaluations. */
object Resampling {
    /** The samplers by name, each with the steps that spend about [nfe] evaluations. */
    @JvmField
    val SAMPLERS: Map<String, (Int) -> SamplerSpec> = linkedMapOf(
        "euler" to { nfe -> Euler(nfe) },
        "heun" to { nfe -> Heun(maxOf(1, nfe / 2)) },
        "edm-heun" to { nfe -> EdmHeun(maxOf(1, (nfe + 1) / 2)) },
        // EDM's stochastic sampler with its ImageNet settings (S_churn 40 in σ ∈ [0.05, 50], S_noise 1.003)
        "edm-heun-churn" to { nfe -> EdmHeun(maxOf(1, (nfe + 1) / 2), churn = 40.0, churnSigmaMin = 0.05, churnSigmaMax = 50.0, churnNoise = 1.003) },
        "dpm-solver" to { nfe -> DpmSolver(nfe) },
        "dpm-solver-sde" to { nfe -> DpmSolver(nfe, stochastic = true) },
        "euler-maruyama" to { nfe -> EulerMaruyama(nfe) },
        // the score-SDE tutorial's predictor–corrector: one Langevin step (snr 0.16) after each Euler–Maruyama step
        "pc" to { nfe -> Pc(EulerMaruyama(maxOf(1, nfe / 2)), LangevinCorrector(snr = 0.16)) },
    )

    @JvmStatic
    fun sampler(name: String, nfe: Int): SamplerSpec? = SAMPLERS[name]?.invoke(nfe)

    /**
     * [spec] sampling [count] points with [sampler] (at the [guidance] scales, null: the run's own) and evaluating only what compares samples (the model's own metrics,
     * such as the likelihood, do not depend on the sampler): everything else is unchanged, so `--resume` takes the
     * run's checkpoint without training.
     */
    @JvmStatic
    fun variant(spec: ExperimentSpec, sampler: SamplerSpec, count: Int, guidance: List<Double>?): ExperimentSpec = spec.copy(
        sample = spec.sample.copy(sampler = sampler.withDefaults(spec.path), count = count, recordEvery = 1_000_000,
            guidance = guidance ?: spec.sample.guidance),
        evaluate = spec.evaluate.filter { it !is Likelihood },
    ).withDefaults()
}
