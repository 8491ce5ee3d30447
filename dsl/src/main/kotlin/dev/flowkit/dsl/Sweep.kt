package dev.flowkit.dsl

import dev.flowkit.spec.ExperimentSpec
import dev.flowkit.spec.SpecException
import dev.flowkit.spec.SpecNames
import java.math.BigDecimal
import java.util.function.BiConsumer
import java.util.function.Consumer


/**
 * Variants of one experiment, run in turn by `./flowkit sweep`: a list of specs that also knows, for each, its value
 * on every named axis (for the results table's columns and the comparison plots).
 */
class Sweep internal constructor(
    val name: String,
    /** The axes' names, in the order they were declared. */
    val axes: List<String>,
    private val variants: List<Pair<ExperimentSpec, List<String>>>,
) : AbstractList<ExperimentSpec>() {
    override val size: Int get() = variants.size
    override fun get(index: Int): ExperimentSpec = variants[index].first

    /** The labels of variant [index] on each axis, in [axes] order. */
    fun coordinates(index: Int): List<String> = variants[index].second
}

/**
 * The cross product of named axes over a base experiment:
 * ```
 * sweep("fm") {
 *     base { data { moons() }; train { steps = 2000 } }
 *     axis("schedule", LinearSchedule, CosineSchedule, VpSchedule()) { s -> path { gaussian(schedule = s) } }
 *     axis("lr", 1e-3, 3e-4) { lr -> train { adam(learningRate = lr) } }
 * }
 * ```
 * gives six experiments named `fm-schedule_linear-lr_0.001`, …: each is the base, then every axis's block with its
 * value (a `train { }` or `sample { }` block refines what came before). Every variant is validated here, and a
 * problem names the variant.
 */
@JvmSynthetic
fun sweep(name: String, block: SweepBuilder.() -> Unit): Sweep = SweepBuilder(name).apply(block).build()


@FlowkitDsl
class SweepBuilder internal constructor(private val name: String) {
    private var base: ExperimentBuilder.() -> Unit = {}
    private val axes = mutableListOf<Axis<*>>()

    private class Axis<T>(val name: String, val values: List<T>, val label: (T) -> String, val apply: ExperimentBuilder.(T) -> Unit) {
        fun labels() = values.map(label)
        fun applyAt(builder: ExperimentBuilder, i: Int) = builder.apply(values[i])
    }

    /** What every variant shares. */
    @JvmSynthetic fun base(block: ExperimentBuilder.() -> Unit) { base = block }
    fun base(block: Consumer<ExperimentBuilder>) { base = { block.accept(this) } }

    /** An axis [name] over [values], each applied to the experiment by [apply]; [label] names a value in the variants' names. */
    @JvmSynthetic
    fun <T> axis(name: String, vararg values: T, label: (T) -> String = ::defaultLabel, apply: ExperimentBuilder.(T) -> Unit) {
        axes += Axis(name, values.toList(), label, apply)
    }

    fun <T> axis(name: String, values: List<T>, apply: BiConsumer<ExperimentBuilder, T>) {
        axes += Axis(name, values, ::defaultLabel) { v -> apply.accept(this, v) }
    }

    internal fun build(): Sweep {
        val problems = mutableListOf<String>()
        for ((k, axis) in axes.withIndex()) {
            if (!AXIS_NAME.matches(axis.name)) problems += "sweep.axes[$k]: a name is 1–20 letters, digits or '.', was \"${axis.name}\""
            if (axis.values.isEmpty()) problems += "sweep.axes[$k] (${axis.name}): needs at least one value"
            val labels = axis.labels()
            labels.groupBy { it }.filter { it.value.size > 1 }.keys.forEach {
                problems += "sweep.axes[$k] (${axis.name}): two values are labelled '$it'; give them distinct labels (label = { … })"
            }
        }
        if (axes.map { it.name }.distinct().size != axes.size) problems += "sweep.axes: every axis needs its own name, had ${axes.map { it.name }}"
        if (problems.isNotEmpty()) throw SpecException(problems)
        val variants = mutableListOf<Pair<ExperimentSpec, List<String>>>()
        for (combination in crossProduct(axes.map { it.values.size })) {
            val labels = combination.mapIndexed { k, i -> axes[k].labels()[i] }
            val variantName = (listOf(name) + axes.indices.map { k -> "${axes[k].name}_${labels[k]}" }).joinToString("-")
            val builder = ExperimentBuilder(variantName).apply(base)
            combination.forEachIndexed { k, i -> axes[k].applyAt(builder, i) }
            try {
                variants += builder.build() to labels
            } catch (e: SpecException) {
                problems += e.problems.map { "$variantName: $it" }
            }
        }
        if (problems.isNotEmpty()) throw SpecException(problems)
        return Sweep(name, axes.map { it.name }, variants)
    }

    private companion object {
        val AXIS_NAME = Regex("[A-Za-z0-9.]{1,20}")

        /** Every index combination, the last axis varying fastest. */
        fun crossProduct(sizes: List<Int>): List<List<Int>> =
            sizes.fold(listOf(emptyList())) { acc, n -> acc.flatMap { prefix -> (0 until n).map { prefix + it } } }

        /** Numbers in plain decimal (1e-4 → 0.0001), components by their type name (cosine), anything else as text. */
        fun defaultLabel(value: Any?): String = when (value) {
            null -> "none"
            is Double, is Float -> BigDecimal(value.toString()).stripTrailingZeros().toPlainString()
            is String -> value
            is Number, is Boolean, is Enum<*> -> value.toString().lowercase()
            else -> SpecNames.of(value)
        }
    }
}
