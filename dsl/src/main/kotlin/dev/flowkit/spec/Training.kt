package dev.flowkit.spec

import kotlinx.serialization.SerialName
import kotlinx.serialization.Serializable

/** What the network is trained to regress. */
interface ObjectiveSpec : Validated {
    /** The quantity it regresses, which is what a network predicts unless it says otherwise. */
    val trains: Prediction

    /** Every quantity the model must provide (a two-network model needs one network per quantity). */
    val quantities: Set<Prediction> get() = setOf(trains)

    /** Its weighting, if it has one (`diffusion` needs a diffusion schedule). */
    val weighting: Weighting? get() = null
}

/** λ(t) in a score-matching loss E λ(t) ‖s_θ(x_t, t) − ∇ log p_t(x_t | z)‖². */
@Serializable
enum class Weighting {
    /** λ = 1: dominated by t near 1, where the target −ε/β_t is largest. */
    @SerialName("none") NONE,

    /** λ = β_t²: the same as predicting the noise, ‖β_t s_θ + ε‖² (DDPM's loss, score_sde's default). */
    @SerialName("noise-variance") NOISE_VARIANCE,

    /** λ = g_t²: the likelihood weighting of the diffusion SDE. */
    @SerialName("diffusion") DIFFUSION,
}

/** How an objective draws its training times. */
@Serializable
enum class TimeSampling {
    /** t ~ U[0, maxTime). */
    @SerialName("uniform") UNIFORM,

    /**
     * log(β_t²/α_t²) (the negative log-SNR) uniform between t = 1 − maxTime and maxTime, each draw reweighted by 1/q(t)
     * so the objective is unchanged. With `diffusion` weighting this is the importance sampling of Song et al. (2021,
     * "Maximum likelihood training of score-based diffusion models"): g²/β² ∝ q, so the weight is a constant times
     * β² and the small noise levels that decide the likelihood get far more of the batch.
     */
    @SerialName("log-snr") LOG_SNR,
}

/** Conditional flow matching: E ‖u_θ(x_t, t) − u_t(x_t | z)‖² with t ~ U[0, 1]. */
@Serializable
@SerialName("flow-matching")
data object FlowMatching : ObjectiveSpec {
    override val trains: Prediction get() = Prediction.VELOCITY
}

/**
 * Denoising score matching: E λ(t) ‖s_θ(x_t, t) − (α_t z − x_t)/β_t²‖² with t ~ U[0, [maxTime]). The target grows
 * like 1/β_t, which vanishes at t = 1: maxTime keeps t short of it (10⁻³ by default; the score-SDE tutorial trains to
 * diffusion time 10⁻⁵, maxTime = 0.99999, which its bits/dim need). [timeSampling] chooses how t is drawn.
 */
@Serializable
@SerialName("score-matching")
data class ScoreMatching(
    override val weighting: Weighting = Weighting.NOISE_VARIANCE,
    val maxTime: Double = 0.999,
    val timeSampling: TimeSampling = TimeSampling.UNIFORM,
) : ObjectiveSpec {
    override val trains: Prediction get() = Prediction.SCORE

    override fun validate(v: Validator) {
        // log-snr draws on [1 − maxTime, maxTime], which must not be empty
        v.inRange("maxTime", maxTime, 0.5, 1.0, lowOpen = timeSampling == TimeSampling.LOG_SNR, highOpen = true)
    }
}

/** Noise prediction (DDPM): E ‖ε_θ(x_t, t) − ε‖² with t ~ U[0, 1). */
@Serializable
@SerialName("noise-prediction")
data object NoisePrediction : ObjectiveSpec {
    override val trains: Prediction get() = Prediction.NOISE
}

/** Data prediction (x₁-prediction): E ‖z_θ(x_t, t) − z‖² with t ~ U[0, 1). */
@Serializable
@SerialName("data-prediction")
data object DataPrediction : ObjectiveSpec {
    override val trains: Prediction get() = Prediction.DATA
}

/**
 * Flow matching for the model's velocity plus score matching (with [weighting]) for its score, on the same batch:
 * trains a `velocity-and-score` network for the Langevin flow SDE.
 */
@Serializable
@SerialName("flow-and-score-matching")
data class FlowAndScoreMatching(override val weighting: Weighting = Weighting.NOISE_VARIANCE) : ObjectiveSpec {
    override val trains: Prediction get() = Prediction.VELOCITY
    override val quantities: Set<Prediction> get() = setOf(Prediction.VELOCITY, Prediction.SCORE)
}

/** How parameters follow the gradient. */
interface OptimizerSpec : Validated

/**
 * How the learning rate changes over the run's train.steps: kept (constant), or brought to 0 at the last step along a
 * half cosine (lr · ½(1 + cos(π k / steps))) or a straight line (lr · (1 − k / steps)). A decay to 0 lets the weights
 * settle instead of jittering at the final learning rate; extending a run on resume stretches the schedule.
 */
@Serializable
enum class Decay {
    @SerialName("constant") CONSTANT,
    @SerialName("cosine") COSINE,
    @SerialName("linear") LINEAR,
}

/** Adam; [clipNorm] > 0 clips the gradient to that global norm first; [decay] schedules the learning rate. */
@Serializable
@SerialName("adam")
data class Adam(
    val learningRate: Double = 1e-3,
    val betas: List<Double> = listOf(0.9, 0.999),
    val eps: Double = 1e-8,
    val clipNorm: Double? = null,
    val decay: Decay = Decay.CONSTANT,
) : OptimizerSpec {
    override fun validate(v: Validator) {
        v.positive("learningRate", learningRate)
        v.check(betas.size == 2, "betas") { "must be two numbers [beta1, beta2], had ${betas.size}" }
        betas.forEachIndexed { i, b -> v.inRange("betas[$i]", b, 0.0, 1.0, highOpen = true) }
        v.positive("eps", eps)
        clipNorm?.let { v.positive("clipNorm", it) }
    }
}

/**
 * An exponential moving average of the weights, θ̄ ← decay · θ̄ + (1 − decay) · θ after every optimizer step, starting
 * from the initial weights. Sampling and every evaluation use θ̄; checkpoints keep both.
 */
@Serializable
data class Ema(val decay: Double = 0.999) : Validated {
    override fun validate(v: Validator) {
        v.inRange("decay", decay, 0.0, 1.0, lowOpen = true, highOpen = true)
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
    /** With labelled data: the probability that a training label is replaced by the null class (for guidance). */
    val labelDropout: Double = 0.1,
    /** Weight averaging for sampling and evaluation; null: the trained weights themselves. */
    val ema: Ema? = null,
    /**
     * The metrics of the model itself (e.g. likelihood) are also computed every this many steps during training, for
     * their curve against steps (metrics.json `evaluations`, evaluation.png); 0 = only at the end.
     */
    val evaluateEvery: Int = 0,
) : Validated {
    override fun validate(v: Validator) {
        v.nested("objective", objective)
        v.positive("steps", steps)
        v.positive("batchSize", batchSize)
        v.nested("optimizer", optimizer)
        v.positive("logEvery", logEvery)
        v.check(checkpointEvery >= 0, "checkpointEvery") { "must be >= 0 (0 = only at the end), was $checkpointEvery" }
        v.inRange("labelDropout", labelDropout, 0.0, 1.0, highOpen = true)
        v.nested("ema", ema)
        v.check(evaluateEvery >= 0, "evaluateEvery") { "must be >= 0 (0 = only at the end), was $evaluateEvery" }
    }
}
