package dev.flowkit.dsl

import dev.flowkit.spec.Activation
import dev.flowkit.spec.Adam
import dev.flowkit.spec.Checkerboard
import dev.flowkit.spec.Circle
import dev.flowkit.spec.Circles
import dev.flowkit.spec.CosineSchedule
import dev.flowkit.spec.ConstantExpr
import dev.flowkit.spec.Conv1d
import dev.flowkit.spec.Dataset
import dev.flowkit.spec.Decay
import dev.flowkit.spec.Differences
import dev.flowkit.spec.Div
import dev.flowkit.spec.ExprSpec
import dev.flowkit.spec.ExpressionPotential
import dev.flowkit.spec.LangevinData
import dev.flowkit.spec.LangevinIntegrator
import dev.flowkit.spec.Marginals
import dev.flowkit.spec.MatMul
import dev.flowkit.spec.Minus
import dev.flowkit.spec.Phi4Chain
import dev.flowkit.spec.Plus
import dev.flowkit.spec.PotentialSpec
import dev.flowkit.spec.Power
import dev.flowkit.spec.Quadratic
import dev.flowkit.spec.Sum
import dev.flowkit.spec.Times
import dev.flowkit.spec.Values
import dev.flowkit.spec.X
import dev.flowkit.spec.Quantization
import dev.flowkit.spec.DistributionSpec
import dev.flowkit.spec.Euler
import dev.flowkit.spec.FlowMatching
import dev.flowkit.spec.Gaussian
import dev.flowkit.spec.GaussianMixture
import dev.flowkit.spec.GaussianPath
import dev.flowkit.spec.Heun
import dev.flowkit.spec.LinearPath
import dev.flowkit.spec.LinearSchedule
import dev.flowkit.spec.MeanCovError
import dev.flowkit.spec.MetricSpec
import dev.flowkit.spec.Mlp
import dev.flowkit.spec.Mmd
import dev.flowkit.spec.Moons
import dev.flowkit.spec.NetworkSpec
import dev.flowkit.spec.ObjectiveSpec
import dev.flowkit.spec.OptimizerSpec
import dev.flowkit.spec.PathSpec
import dev.flowkit.spec.PolynomialSchedule
import dev.flowkit.spec.Rk4
import dev.flowkit.spec.SampleSpec
import dev.flowkit.spec.SamplerSpec
import dev.flowkit.spec.ScheduleSpec
import dev.flowkit.spec.SpecException
import dev.flowkit.spec.SqrtSchedule
import dev.flowkit.spec.TrainSpec
import dev.flowkit.spec.SubVpSchedule
import dev.flowkit.spec.Uniform
import dev.flowkit.spec.VpSchedule
import dev.flowkit.spec.Wasserstein2
import dev.flowkit.spec.ProbeDistribution
import dev.flowkit.spec.Likelihood
import dev.flowkit.spec.Hutchinson
import dev.flowkit.spec.ExactDivergence
import dev.flowkit.spec.DivergenceSpec
import dev.flowkit.spec.ClassAccuracy
import dev.flowkit.spec.ConstantSigma
import dev.flowkit.spec.CorrectorSpec
import dev.flowkit.spec.DataPrediction
import dev.flowkit.spec.Dopri5
import dev.flowkit.spec.EulerMaruyama
import dev.flowkit.spec.FlowAndScoreMatching
import dev.flowkit.spec.Langevin
import dev.flowkit.spec.LangevinCorrector
import dev.flowkit.spec.LinearSigma
import dev.flowkit.spec.NoiseStdSigma
import dev.flowkit.spec.Midpoint
import dev.flowkit.spec.NoisePrediction
import dev.flowkit.spec.Pc
import dev.flowkit.spec.Prediction
import dev.flowkit.spec.ReverseSigma
import dev.flowkit.spec.ScoreMatching
import dev.flowkit.spec.SigmaSpec
import dev.flowkit.spec.VeSchedule
import dev.flowkit.spec.VelocityAndScore
import dev.flowkit.spec.TimeSampling
import dev.flowkit.spec.TimeGridSpec
import dev.flowkit.spec.UniformGrid
import dev.flowkit.spec.KarrasGrid
import dev.flowkit.spec.LogSnrGrid
import dev.flowkit.spec.DpmSolver
import dev.flowkit.spec.EdmHeun
import dev.flowkit.spec.Weighting
import dev.flowkit.spec.Unet
import dev.flowkit.spec.TimeFeatures
import dev.flowkit.spec.Padding
import dev.flowkit.spec.ExponentialVeSchedule
import dev.flowkit.spec.Ema
import dev.flowkit.spec.Fid

/**
 * A block that declares exactly one component of kind [S]; the last one declared wins.
 * [use] takes any spec of the kind, which is how a user's own components enter the DSL.
 */
@FlowkitDsl
abstract class ChoiceScope<S : Any> {
    private var declared: S? = null

    fun <T : S> use(spec: T): T = spec.also { declared = it }

    /** The declared component; [field] names the block in the error when there is none. */
    internal fun chosen(field: String): S =
        declared ?: throw SpecException(listOf("$field: the block declares no component"))
}

/**
 * The expression language of `potential(dim) { … }`: [x] is the point; +, −, ×, / work elementwise between
 * expressions and numbers; [sum], [square], [pow], [differences] (neighbours along a chain) and [matmul] build the rest.
 */
@FlowkitDsl
class PotentialScope {
    val x: ExprSpec = X
    operator fun ExprSpec.plus(o: ExprSpec): ExprSpec = Plus(this, o)
    operator fun ExprSpec.minus(o: ExprSpec): ExprSpec = Minus(this, o)
    operator fun ExprSpec.times(o: ExprSpec): ExprSpec = Times(this, o)
    operator fun ExprSpec.div(o: ExprSpec): ExprSpec = Div(this, o)
    operator fun ExprSpec.plus(c: Double): ExprSpec = Plus(this, ConstantExpr(c))
    operator fun ExprSpec.minus(c: Double): ExprSpec = Minus(this, ConstantExpr(c))
    operator fun ExprSpec.times(c: Double): ExprSpec = Times(this, ConstantExpr(c))
    operator fun ExprSpec.div(c: Double): ExprSpec = Div(this, ConstantExpr(c))
    operator fun Double.plus(e: ExprSpec): ExprSpec = Plus(ConstantExpr(this), e)
    operator fun Double.minus(e: ExprSpec): ExprSpec = Minus(ConstantExpr(this), e)
    operator fun Double.times(e: ExprSpec): ExprSpec = Times(ConstantExpr(this), e)
    operator fun Double.div(e: ExprSpec): ExprSpec = Div(ConstantExpr(this), e)
    operator fun ExprSpec.unaryMinus(): ExprSpec = Times(ConstantExpr(-1.0), this)
    fun constant(value: Double): ExprSpec = ConstantExpr(value)
    fun sum(e: ExprSpec): ExprSpec = Sum(e)
    fun square(e: ExprSpec): ExprSpec = Power(e, 2.0)
    fun pow(e: ExprSpec, exponent: Double): ExprSpec = Power(e, exponent)
    fun differences(e: ExprSpec, boundary: Double = 0.0): ExprSpec = Differences(e, boundary)
    fun matmul(matrix: List<List<Double>>, e: ExprSpec): ExprSpec = MatMul(e, matrix)
    fun vector(values: List<Double>): ExprSpec = Values(values)
}

/** `source { … }` and `data { … }`. */
class DistributionScope : ChoiceScope<DistributionSpec>() {
    @JvmOverloads fun gaussian(dim: Int, mean: List<Double> = emptyList(), std: Double = 1.0) = use(Gaussian(dim, mean, std))
    @JvmOverloads fun gaussianMixture(
        means: List<List<Double>>, stds: List<Double>, weights: List<Double> = emptyList(), labelled: Boolean = false,
    ) = use(GaussianMixture(means, stds, weights, labelled))
    @JvmOverloads fun circle(modes: Int = 8, radius: Double = 4.0, std: Double = 0.5, labelled: Boolean = false) =
        use(Circle(modes, radius, std, labelled))
    @JvmOverloads fun moons(noise: Double = 0.05, scale: Double = 3.0) = use(Moons(noise, scale))
    @JvmOverloads fun circles(noise: Double = 0.05, factor: Double = 0.5, scale: Double = 3.0) = use(Circles(noise, factor, scale))
    @JvmOverloads fun checkerboard(squares: Int = 4, size: Double = 8.0) = use(Checkerboard(squares, size))
    @JvmOverloads fun uniform(dim: Int = 2, low: Double = -1.0, high: Double = 1.0) = use(Uniform(dim, low, high))
    @JvmOverloads fun dataset(file: String, heldOut: Double = 0.1, quantization: Quantization? = null, labels: String? = null) =
        use(Dataset(file, heldOut, quantization, labels))
    /**
     * Samples of exp(−V/T)/Z by overdamped Langevin dynamics (see [LangevinData]); the potential from
     * [phi4Chain], [quadratic] or [potential].
     */
    @JvmOverloads fun langevin(
        potential: PotentialSpec, temperature: Double = 1.0, samples: Int = 100_000, reference: Int = 10_000,
        dt: Double = 1e-3, steps: Int = 10_000, init: DistributionSpec? = null,
        integrator: LangevinIntegrator = LangevinIntegrator.EULER, seed: Long = 0, save: String? = null,
    ) = use(LangevinData(potential, temperature, samples, reference, dt, steps, init, integrator, seed, save))

    /** The φ⁴ (Ginzburg–Landau) chain of [d] sites; h = 1/(d + 1) unless given. */
    @JvmOverloads fun phi4Chain(d: Int, lambda: Double, h: Double? = null, boundary: Double = 0.0) = Phi4Chain(d, lambda, h, boundary)

    /** ½ (x − mean)ᵀ P (x − mean). */
    @JvmOverloads fun quadratic(precision: List<List<Double>>, mean: List<Double> = emptyList()) = Quadratic(precision, mean)

    /** A potential written as an expression over x: `potential(dim = 8) { 0.5 * sum(square(x)) }`. */
    fun potential(dim: Int, energy: PotentialScope.() -> ExprSpec) = ExpressionPotential(dim, PotentialScope().energy())

    /** Integer levels 0 … 2^bits − 1 mapped onto [low, high] with uniform dequantization (8-bit pixels: the defaults). */
    @JvmOverloads fun quantization(bits: Int = 8, low: Double = -1.0, high: Double = 1.0) = Quantization(bits, low, high)
}

/**
 * `path { … }`. Schedules are values passed to [gaussian]. [linear] serves both `path { linear() }`
 * (the interpolation path) and `gaussian(schedule = linear())` (the linear schedule): it declares
 * the linear path and returns the linear schedule, and an enclosing `gaussian(…)`, evaluated
 * after its argument, then replaces that declaration.
 */
class PathScope : ChoiceScope<PathSpec>() {
    @JvmOverloads fun gaussian(schedule: ScheduleSpec = LinearSchedule) = use(GaussianPath(schedule))
    fun linear(): LinearSchedule { use(LinearPath); return LinearSchedule }
    fun cosine(): ScheduleSpec = CosineSchedule
    fun sqrt(): ScheduleSpec = SqrtSchedule
    @JvmOverloads fun polynomial(exponent: Double = 2.0): ScheduleSpec = PolynomialSchedule(exponent)
    @JvmOverloads fun vp(betaMin: Double = 0.1, betaMax: Double = 20.0): ScheduleSpec = VpSchedule(betaMin, betaMax)
    @JvmOverloads fun subVp(betaMin: Double = 0.1, betaMax: Double = 20.0): ScheduleSpec = SubVpSchedule(betaMin, betaMax)
    @JvmOverloads fun ve(sigmaMin: Double = 0.01, sigmaMax: Double = 50.0): ScheduleSpec = VeSchedule(sigmaMin, sigmaMax)
    /** dx = σ^s dW, the score-SDE tutorial's SDE (see [ExponentialVeSchedule]). */
    @JvmOverloads fun exponentialVe(sigma: Double = 25.0): ScheduleSpec = ExponentialVeSchedule(sigma)
}

/** `network { … }`. */
class NetworkScope : ChoiceScope<NetworkSpec>() {
    @JvmOverloads fun mlp(
        hidden: List<Int> = listOf(64, 64, 64, 64), activation: Activation = Activation.SILU, predicts: Prediction? = null,
    ) = use(Mlp(hidden, activation, predicts))

    @JvmOverloads fun conv1d(
        channels: Int = 32, layers: Int = 4, kernel: Int = 5, dilate: Boolean = true, activation: Activation = Activation.SILU,
        odd: Boolean = false, predicts: Prediction? = null,
    ) = use(Conv1d(channels, layers, kernel, dilate, activation, odd, predicts))

    /** A time-conditional U-Net for image data (see [Unet]). */
    @JvmOverloads fun unet(
        channels: List<Int> = listOf(32, 64, 128), blocks: Int = 1, embedding: Int = 128,
        timeFeatures: TimeFeatures = TimeFeatures.FOURIER, fourierScale: Double = 30.0, groups: Int = 8, stemGroups: Int? = null,
        attention: List<Int> = emptyList(), dropout: Double = 0.0, padding: Padding = Padding.SAME,
        activation: Activation = Activation.SILU, predicts: Prediction? = null,
    ) = use(Unet(channels, blocks, embedding, timeFeatures, fourierScale, groups, stemGroups, attention, dropout, padding, activation, predicts))

    /** The score-SDE tutorial's ScoreNet: a [unet] preset (see [Unet.scoreNet]). */
    @JvmOverloads fun scoreNet(predicts: Prediction = Prediction.NOISE) = use(Unet.scoreNet(predicts))

    /** A velocity network and a score network in one model (arguments are evaluated first, then this wins). */
    @JvmOverloads fun velocityAndScore(velocity: NetworkSpec = Mlp(), score: NetworkSpec = Mlp()) =
        use(VelocityAndScore(velocity, score))
}

/** `train { … }`: objective, optimizer and the loop's numbers. */
@FlowkitDsl
class TrainScope internal constructor(defaults: TrainSpec) {
    constructor() : this(TrainSpec())

    var steps: Int = defaults.steps
    var batchSize: Int = defaults.batchSize
    var logEvery: Int = defaults.logEvery
    var checkpointEvery: Int = defaults.checkpointEvery
    var labelDropout: Double = defaults.labelDropout
    var evaluateEvery: Int = defaults.evaluateEvery
    private var ema: Ema? = defaults.ema
    private var objective: ObjectiveSpec = defaults.objective
    private var optimizer: OptimizerSpec = defaults.optimizer

    fun objective(spec: ObjectiveSpec) { objective = spec }
    fun optimizer(spec: OptimizerSpec) { optimizer = spec }
    fun flowMatching() = objective(FlowMatching)
    @JvmOverloads fun scoreMatching(
        weighting: Weighting = Weighting.NOISE_VARIANCE,
        maxTime: Double = 0.999,
        timeSampling: TimeSampling = TimeSampling.UNIFORM,
    ) = objective(ScoreMatching(weighting, maxTime, timeSampling))

    /** Sample and evaluate with an exponential moving average of the weights (see [Ema]). */
    @JvmOverloads fun ema(decay: Double = 0.999) { ema = Ema(decay) }
    fun noisePrediction() = objective(NoisePrediction)
    fun dataPrediction() = objective(DataPrediction)
    @JvmOverloads fun flowAndScoreMatching(weighting: Weighting = Weighting.NOISE_VARIANCE) =
        objective(FlowAndScoreMatching(weighting))

    @JvmOverloads
    fun adam(
        learningRate: Double = 1e-3,
        betas: List<Double> = listOf(0.9, 0.999),
        eps: Double = 1e-8,
        clipNorm: Double? = null,
        decay: Decay = Decay.CONSTANT,
    ) = optimizer(Adam(learningRate, betas, eps, clipNorm, decay))

    internal fun build() = TrainSpec(objective, steps, batchSize, optimizer, logEvery, checkpointEvery, labelDropout, ema, evaluateEvery)
}

/**
 * `sample { … }`: the sampler, how many points, and guidance. Each sampler function declares the sampler and
 * returns its spec, so `pc(predictor = heun())` works: the arguments are evaluated first, then `pc` wins.
 */
@FlowkitDsl
class SampleScope internal constructor(defaults: SampleSpec) {
    constructor() : this(SampleSpec())

    var count: Int = defaults.count
    var recordEvery: Int = defaults.recordEvery
    private var sampler: SamplerSpec = defaults.sampler
    private var guidance: List<Double> = defaults.guidance
    private var classes: List<Int> = defaults.classes

    fun <T : SamplerSpec> sampler(spec: T): T = spec.also { sampler = it }
    @JvmOverloads fun euler(steps: Int = 100, grid: TimeGridSpec = UniformGrid) = sampler(Euler(steps, grid))
    @JvmOverloads fun heun(steps: Int = 50, grid: TimeGridSpec = UniformGrid) = sampler(Heun(steps, grid))
    @JvmOverloads fun midpoint(steps: Int = 50, grid: TimeGridSpec = UniformGrid) = sampler(Midpoint(steps, grid))
    @JvmOverloads fun rk4(steps: Int = 25, grid: TimeGridSpec = UniformGrid) = sampler(Rk4(steps, grid))
    /** DPM-Solver++(2M), by default on the log-SNR grid; `stochastic` is SDE-DPM-Solver++(2M), fresh noise each step. */
    @JvmOverloads fun dpmSolver(steps: Int = 20, grid: TimeGridSpec = LogSnrGrid(), stochastic: Boolean = false) =
        sampler(DpmSolver(steps, grid, stochastic))
    /** EDM's Heun sampler, by default on the Karras grid; `churn` > 0 makes it EDM's stochastic sampler. */
    @JvmOverloads fun edmHeun(steps: Int = 18, grid: TimeGridSpec = KarrasGrid(), churn: Double = 0.0, churnSigmaMin: Double = 0.0,
                              churnSigmaMax: Double? = null, churnNoise: Double = 1.0) =
        sampler(EdmHeun(steps, grid, churn, churnSigmaMin, churnSigmaMax, churnNoise))
    @JvmOverloads fun dopri5(rtol: Double = 1e-5, atol: Double = 1e-5, maxSteps: Int = 10_000) = sampler(Dopri5(rtol, atol, maxSteps))

    /** σ_t defaults to `reverse()` on diffusion schedules and to `constant(1.0)` elsewhere. */
    @JvmOverloads fun eulerMaruyama(steps: Int = 500, sigma: SigmaSpec? = null, grid: TimeGridSpec = UniformGrid) =
        sampler(EulerMaruyama(steps, sigma, grid))
    @JvmOverloads fun eulerMaruyama(steps: Int = 500, sigma: Double) = eulerMaruyama(steps, ConstantSigma(sigma))
    @JvmOverloads fun langevin(steps: Int = 1000, stepSize: Double = 0.01, time: Double = 0.99) = sampler(Langevin(steps, stepSize, time))
    @JvmOverloads fun pc(predictor: SamplerSpec = EulerMaruyama(), corrector: CorrectorSpec = LangevinCorrector()) =
        sampler(Pc(predictor, corrector))

    /** The Langevin corrector of [pc] (it declares nothing by itself). */
    @JvmOverloads fun langevin(snr: Double, steps: Int = 1) = LangevinCorrector(snr, steps)

    /** t_i = i/N, the default grid. */
    fun uniform() = UniformGrid
    /** EDM's grid in σ = β/α (ρ = 7). */
    @JvmOverloads fun karras(rho: Double = 7.0, sigmaMin: Double = 0.002, sigmaMax: Double = 80.0) = KarrasGrid(rho, sigmaMin, sigmaMax)
    /** ln σ uniform (uniform in log-SNR). */
    @JvmOverloads fun logSnr(sigmaMin: Double = 0.002, sigmaMax: Double = 80.0) = LogSnrGrid(sigmaMin, sigmaMax)

    /** σ_t = value. */
    fun constant(value: Double) = ConstantSigma(value)
    /** σ_t = start + (end − start) t. */
    fun linear(start: Double, end: Double) = LinearSigma(start, end)
    /** σ_t = scale · β_t, the path's noise std (Gaussian paths; the default off diffusion schedules). */
    @JvmOverloads fun noiseStd(scale: Double = 1.0) = NoiseStdSigma(scale)
    /** σ_t = g_t of the diffusion schedule: the reverse-time SDE. */
    fun reverse() = ReverseSigma

    /** Classifier-free guidance scales w (labelled data); each gets its own samples and metrics. */
    fun guidance(vararg scales: Double) { guidance = scales.toList() }

    /** The classes to sample (labelled data), in turn; by default drawn with the data's class frequencies. */
    fun classes(vararg requested: Int) { classes = requested.toList() }

    internal fun build() = SampleSpec(sampler, count, recordEvery, guidance, classes)
}

/** `evaluate { … }`: every metric listed is computed. */
@FlowkitDsl
class EvaluateScope {
    private val metrics = mutableListOf<MetricSpec>()

    fun metric(spec: MetricSpec) { metrics += spec }
    fun wasserstein2() = metric(Wasserstein2)
    @JvmOverloads fun mmd(bandwidths: List<Double> = Mmd().bandwidths) = metric(Mmd(bandwidths))
    fun meanCovError() = metric(MeanCovError)
    @JvmOverloads fun marginals(coordinates: List<Int> = listOf(0), pair: List<Int> = listOf(0, 1), bins: Int = 60) =
        metric(Marginals(coordinates, pair, bins))
    fun classAccuracy() = metric(ClassAccuracy)

    /** Exact log-likelihood of held-out data along the probability-flow ODE (see [Likelihood]). */
    @JvmOverloads fun likelihood(
        solver: SamplerSpec = Dopri5(1e-5, 1e-5), divergence: DivergenceSpec = ExactDivergence, points: Int = 1000, grid: Int = 60,
        time: Double = 1.0,
    ) = metric(Likelihood(solver, divergence, points, grid, time))

    /** LeNet-FID, KID and classifier accuracies for labelled image data (see [Fid]). */
    @JvmOverloads fun fid(labels: String? = null, classifierSteps: Int = 3000, batchSize: Int = 128) =
        metric(Fid(labels, classifierSteps, batchSize))

    /** Solvers for [likelihood]: values only, nothing is declared. */
    @JvmOverloads fun dopri5(rtol: Double = 1e-5, atol: Double = 1e-5, maxSteps: Int = 10_000) = Dopri5(rtol, atol, maxSteps)
    @JvmOverloads fun euler(steps: Int = 100) = Euler(steps)
    @JvmOverloads fun heun(steps: Int = 50) = Heun(steps)
    @JvmOverloads fun midpoint(steps: Int = 50) = Midpoint(steps)
    @JvmOverloads fun rk4(steps: Int = 25) = Rk4(steps)

    /** The exact divergence, one gradient pass per dimension. */
    fun exact() = ExactDivergence
    /** Hutchinson's estimator with [probes] probes fixed for the solve. */
    @JvmOverloads fun hutchinson(probes: Int = 1, distribution: ProbeDistribution = ProbeDistribution.RADEMACHER) =
        Hutchinson(probes, distribution)

    internal fun build(): List<MetricSpec> = metrics.toList()
}
