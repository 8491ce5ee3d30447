package dev.flowkit.spec

import kotlinx.serialization.Serializable

/** A whole generative-model experiment: plain, immutable, serializable data. */
@Serializable
data class ExperimentSpec(
    val name: String,
    val seed: Long = 0,
    /** p_init; omitted means N(0, β_0² I) of the data's dimension (the standard Gaussian but for ve). */
    val source: DistributionSpec? = null,
    val data: DistributionSpec,
    val path: PathSpec = GaussianPath(),
    val network: NetworkSpec = Mlp(),
    val train: TrainSpec = TrainSpec(),
    val sample: SampleSpec = SampleSpec(),
    val evaluate: List<MetricSpec> = listOf(Wasserstein2, Mmd(), MeanCovError),
) : Validated {

    /** The source actually used. */
    val sourceOrDefault: DistributionSpec get() = source ?: Gaussian(dim = data.dim, std = path.sourceStd ?: 1.0)

    /** What the network predicts: its own `predicts`, else what the objective trains. */
    val prediction: Prediction get() = network.predicts ?: train.objective.trains

    /** Whether the model is class-conditional (the data carries labels). */
    val conditional: Boolean get() = data.classes > 0

    /** The guidance scales sampled with: as given, or [1.0] for labelled data. */
    val guidanceScales: List<Double> get() = sample.guidance.ifEmpty { if (conditional) listOf(1.0) else emptyList() }

    /** The same experiment sampled by [sampler] (its defaults for this path written out). */
    fun withSampler(sampler: SamplerSpec): ExperimentSpec = copy(sample = sample.copy(sampler = sampler.withDefaults(path)))

    /** The same spec with every omitted value written out. */
    fun withDefaults(): ExperimentSpec = copy(
        source = sourceOrDefault,
        sample = sample.copy(sampler = sample.sampler.withDefaults(path), guidance = guidanceScales),
    )

    override fun validate(v: Validator) {
        v.check(NAME.matches(name), "name") {
            "must be 1–64 letters, digits, '.', '_' or '-' (it names the output folder), was \"$name\""
        }
        v.nested("source", source)
        v.nested("data", data)
        v.nested("path", path)
        v.nested("network", network)
        v.nested("train", train)
        v.nested("sample", sample)
        evaluate.forEachIndexed { i, m ->
            v.nested("evaluate[$i]", m)
            v.check(evaluate.indexOfFirst { it::class == m::class } == i, "evaluate[$i]") {
                "lists ${SpecNames.of(m)} a second time; each metric may appear once"
            }
        }
        if (evaluate.any { it is Wasserstein2 }) {
            v.check(sample.count <= MAX_EXACT_W2, "sample.count") {
                "must be <= $MAX_EXACT_W2 with wasserstein2 (an exact assignment, O(n³) time and n² memory), was ${sample.count}"
            }
        }
        val src = sourceOrDefault
        v.check(data.dim == 0 || src.dim == data.dim, "source.dim") { // 0: unreadable data, reported by data
            "must equal the data's dimension (${data.dim}), was ${src.dim}"
        }
        path.sourceStd?.let { std ->
            v.check(src is Gaussian && src.isCentred && src.std == std, "source") {
                "this gaussian path starts from N(0, ${plain(std)}² I) (gaussian with mean 0 and std ${plain(std)}; omit source for it); " +
                    "use path linear() to start from any other distribution"
            }
        }
        validateModel(v)
        validateSampling(v)
    }

    /** The path must supply what the objective, network and sampler need. */
    private fun validateModel(v: Validator) {
        val pathName = SpecNames.of(path)
        val objective = train.objective
        if (!path.hasScore) {
            v.check(prediction != Prediction.SCORE, if (network.predicts == Prediction.SCORE) "network.predicts" else "train.objective") {
                "score needs a path with a closed-form score, and $pathName has none; use path gaussian(...)"
            }
            v.check(Prediction.SCORE !in objective.quantities && network !is VelocityAndScore, "train.objective") {
                "${SpecNames.of(objective)} trains a score, which needs a path with a closed-form score; $pathName has none"
            }
        }
        if (objective.weighting == Weighting.DIFFUSION) {
            v.check(path.isDiffusion, "train.objective.weighting") {
                "diffusion (λ = g_t²) needs a diffusion schedule (vp, sub-vp or ve); allowed here: none, noise-variance"
            }
        }
        network.validateInput(data, v.at("network"))
        if (network is VelocityAndScore) {
            v.check(objective.quantities.containsAll(listOf(Prediction.VELOCITY, Prediction.SCORE)), "train.objective") {
                "a velocity-and-score network needs an objective that trains both parts (flow-and-score-matching), " +
                    "was ${SpecNames.of(objective)}"
            }
        }
    }

    private fun validateSampling(v: Validator) {
        val sampler = sample.sampler
        if (sampler.usesScore) {
            v.check(path.hasScore, "sample.sampler") {
                "${SpecNames.of(sampler)} needs the model's score, and ${SpecNames.of(path)} has none; use path gaussian(...) " +
                    "or an ODE sampler (euler, heun, midpoint, rk4, dopri5)"
            }
        }
        if (sampler.usesDiffusion) {
            v.check(path.isDiffusion, "sample.sampler") {
                "sigma reverse() is g_t of a diffusion schedule (vp, sub-vp or ve); this path has none; use constant(σ)"
            }
        }
        (data as? FiniteDataSpec)?.let { d ->
            val rows = minOf(d.heldOutRows, d.trainingRows)
            v.check(d.dim == 0 || sample.count <= rows, "sample.count") {
                "must be <= $rows: the samples are compared with as many held-out rows, and the noise floor with as many " +
                    "training rows (data has ${d.trainingRows} training and ${d.heldOutRows} held-out rows), was ${sample.count}"
            }
        }
        v.check(sample.guidance.isEmpty() || conditional, "sample.guidance") {
            "needs labelled data (e.g. data { circle(labelled = true) }), the data here has no labels"
        }
        v.check(sample.classes.isEmpty() || conditional, "sample.classes") {
            "needs labelled data (e.g. dataset(file, labels = …) or circle(labelled = true)), the data here has no labels"
        }
        if (conditional) {
            sample.classes.forEachIndexed { i, c ->
                v.check(c in 0 until data.classes, "sample.classes[$i]") {
                    "must be one of the data's classes 0 … ${data.classes - 1}, was $c"
                }
            }
        }
        evaluate.forEachIndexed { i, m ->
            if (m is Likelihood) {
                v.check(sourceOrDefault is MixtureSpec, "evaluate[$i]") {
                    "likelihood needs a source with a closed-form density (gaussian, gaussian-mixture or circle), " +
                        "was ${SpecNames.of(sourceOrDefault)}"
                }
            }
            if (m is Marginals) {
                (m.coordinates + m.pair).forEach { c ->
                    v.check(c < data.dim || data.dim == 0, "evaluate[$i]") { "marginals names coordinate $c; the data has coordinates 0 … ${data.dim - 1}" }
                }
            }
            if (m is Fid) {
                v.check(data.dim == 0 || data.imageShape != null, "evaluate[$i]") {
                    "fid compares image features, so it needs image data ([N, H, W] or [N, H, W, C] arrays from dataset(file)); " +
                        "the data here are vectors of dimension ${data.dim}"
                }
                v.check(data.dim == 0 || data.imageShape == null || data.classes > 0 || m.labels != null, "evaluate[$i].labels") {
                    "fid trains a classifier on labelled images: give the labels of the data file's rows " +
                        "(fid(labels = \"….npy\")) or labelled data (dataset(file, labels = \"….npy\"))"
                }
                if (m.labels != null && data is Dataset && data.dim > 0) data.validateLabels(v.at("evaluate[$i]"), "labels", m.labels)
            }
            if (m is ClassAccuracy) {
                v.check(conditional && data is MixtureSpec, "evaluate[$i]") {
                    "class-accuracy needs labelled mixture data (gaussian-mixture or circle with labelled = true)"
                }
            }
        }
    }

    companion object {
        /** 1.0 as "1", 0.5 as "0.5". */
        private fun plain(x: Double) = if (x == Math.rint(x) && kotlin.math.abs(x) < 1e15) x.toLong().toString() else x.toString()
        private val NAME = Regex("[A-Za-z0-9._-]{1,64}")
        const val MAX_EXACT_W2 = 5000
    }
}
