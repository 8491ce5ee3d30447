@file:JvmName("Experiments")

package dev.flowkit.dsl

import dev.flowkit.spec.ExperimentSpec
import java.util.function.Consumer

/** Keeps builder scopes from leaking into each other (`train { source { … } }` does not compile). */
@DslMarker
annotation class FlowkitDsl

/**
 * Declares an experiment. The builder only collects values: the result is an immutable spec,
 * checked and ready to serialize or run.
 */
@JvmSynthetic
fun experiment(name: String, block: ExperimentBuilder.() -> Unit): ExperimentSpec =
    ExperimentBuilder(name).apply(block).build()

/** Java entry point: `Experiments.experiment("moons", e -> { e.data(d -> d.moons()); … })`. */
fun experiment(name: String, block: Consumer<ExperimentBuilder>): ExperimentSpec =
    ExperimentBuilder(name).also(block::accept).build()

/** Java entry point of [sweep]: `Experiments.sweep("fm", s -> { s.base(e -> …); s.axis("lr", List.of(1e-3, 3e-4), (e, lr) -> …); })`. */
fun sweep(name: String, block: Consumer<SweepBuilder>): Sweep = SweepBuilder(name).also(block::accept).build()
