package dev.flowkit.spec

import kotlinx.serialization.Serializable

/** A whole generative-model experiment: plain, immutable, serializable data. */
@Serializable
data class ExperimentSpec(
    val name: String,
    val seed: Long = 0,
    /** p_init; omitted means the standard Gaussian of the data's dimension. */
    val source: DistributionSpec? = null,
    val data: DistributionSpec,
    val path: PathSpec = GaussianPath(),
    val network: NetworkSpec = Mlp(),
    val train: TrainSpec = TrainSpec(),
    val sample: SampleSpec = SampleSpec(),
    val evaluate: List<MetricSpec> = listOf(Wasserstein2, Mmd(), MeanCovError),
) : Validated {

    /** The source actually used. */
    val sourceOrDefault: DistributionSpec get() = source ?: Gaussian(dim = data.dim)

    /** The same spec with every omitted value written out. */
    fun withDefaults(): ExperimentSpec = copy(source = sourceOrDefault)

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
                "lists ${m::class.simpleName} a second time; each metric may appear once"
            }
        }
        if (evaluate.any { it is Wasserstein2 }) {
            v.check(sample.count <= MAX_EXACT_W2, "sample.count") {
                "must be <= $MAX_EXACT_W2 with wasserstein2 (an exact assignment, O(n³) time and n² memory), was ${sample.count}"
            }
        }
        val src = sourceOrDefault
        v.check(src.dim == data.dim, "source.dim") {
            "must equal the data's dimension (${data.dim}), was ${src.dim}"
        }
        if (path is GaussianPath) {
            v.check(src is Gaussian && src.isStandard, "source") {
                "a gaussian path needs the standard Gaussian source (gaussian with mean 0 and std 1); " +
                    "use path linear() to start from any other distribution"
            }
        }
    }

    companion object {
        private val NAME = Regex("[A-Za-z0-9._-]{1,64}")
        const val MAX_EXACT_W2 = 5000
    }
}
