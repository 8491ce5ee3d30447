package dev.flowkit.dsl

import dev.flowkit.spec.DistributionSpec
import dev.flowkit.spec.ExperimentSpec
import dev.flowkit.spec.GaussianPath
import dev.flowkit.spec.MetricSpec
import dev.flowkit.spec.Mlp
import dev.flowkit.spec.NetworkSpec
import dev.flowkit.spec.PathSpec
import dev.flowkit.spec.SampleSpec
import dev.flowkit.spec.SpecException
import dev.flowkit.spec.SpecJson
import dev.flowkit.spec.TrainSpec
import java.util.function.Consumer

/**
 * The top-level `experiment { … }` scope. Every block may be omitted except `data`; each
 * Kotlin block has a `Consumer` twin for Java (the Kotlin ones are hidden from Java).
 */
@FlowkitDsl
class ExperimentBuilder internal constructor(private val name: String) {
    /** Seed for everything random: data, initialization, time sampling, sampling noise. */
    var seed: Long = 0

    private var source: DistributionSpec? = null
    private var data: DistributionSpec? = null
    private var path: PathSpec = GaussianPath()
    private var network: NetworkSpec = Mlp()
    private var train = TrainSpec()
    private var sample = SampleSpec()
    private var evaluate: List<MetricSpec>? = null

    @JvmSynthetic fun source(block: DistributionScope.() -> Unit) { source = DistributionScope().apply(block).chosen("source") }
    @JvmSynthetic fun data(block: DistributionScope.() -> Unit) { data = DistributionScope().apply(block).chosen("data") }
    @JvmSynthetic fun path(block: PathScope.() -> Unit) { path = PathScope().apply(block).chosen("path") }
    @JvmSynthetic fun network(block: NetworkScope.() -> Unit) { network = NetworkScope().apply(block).chosen("network") }
    // a second train { } or sample { } block refines the first (sweep axes rely on it)
    @JvmSynthetic fun train(block: TrainScope.() -> Unit) { train = TrainScope(train).apply(block).build() }
    @JvmSynthetic fun sample(block: SampleScope.() -> Unit) { sample = SampleScope(sample).apply(block).build() }
    @JvmSynthetic fun evaluate(block: EvaluateScope.() -> Unit) { evaluate = EvaluateScope().apply(block).build() }

    fun source(block: Consumer<DistributionScope>) = source { block.accept(this) }
    fun data(block: Consumer<DistributionScope>) = data { block.accept(this) }
    fun path(block: Consumer<PathScope>) = path { block.accept(this) }
    fun network(block: Consumer<NetworkScope>) = network { block.accept(this) }
    fun train(block: Consumer<TrainScope>) = train { block.accept(this) }
    fun sample(block: Consumer<SampleScope>) = sample { block.accept(this) }
    fun evaluate(block: Consumer<EvaluateScope>) = evaluate { block.accept(this) }

    /** The validated spec; throws [SpecException] naming every wrong field. */
    fun build(): ExperimentSpec {
        val data = data ?: throw SpecException(listOf("data: is required (e.g. data { moons() })"))
        val defaults = ExperimentSpec(name = name, data = data)
        val spec = ExperimentSpec(
            name = name, seed = seed, source = source, data = data, path = path, network = network,
            train = train, sample = sample, evaluate = evaluate ?: defaults.evaluate,
        )
        SpecJson.validate(spec)
        return spec
    }
}
