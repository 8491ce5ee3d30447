package dev.flowkit.runtime

import com.google.inject.AbstractModule
import dev.flowkit.dsl.experiment
import dev.flowkit.runtime.compiler.Components
import dev.flowkit.runtime.paths.GaussianPath
import dev.flowkit.runtime.paths.ProbabilityPath
import dev.flowkit.runtime.run.RunOptions
import dev.flowkit.runtime.schedules.Schedule
import dev.flowkit.runtime.schedules.ScheduleValues
import dev.flowkit.spec.ScheduleSpec
import dev.flowkit.spec.SpecException
import dev.flowkit.spec.SpecTypes
import dev.flowkit.spec.Validator
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.engine.spec.tempdir
import io.kotest.matchers.doubles.plusOrMinus
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import kotlinx.serialization.SerialName
import kotlinx.serialization.Serializable
import org.tensorflow.Operand
import org.tensorflow.op.Ops
import org.tensorflow.types.TFloat32
import java.nio.file.Files
import kotlin.math.exp

// ---- what a user writes, outside Flowkit: a spec, its component, and a Guice module ----

/** α_t = (1 − e^{−kt}) / (1 − e^{−k}), β_t = 1 − α_t. */
@Serializable
@SerialName("exponential")
data class ExponentialSchedule(val rate: Double = 3.0) : ScheduleSpec {
    override fun validate(v: Validator) = v.positive("rate", rate)
}

class ExponentialScheduleComponent(private val rate: Double) : Schedule {
    override fun at(tf: Ops, t: Operand<TFloat32>): ScheduleValues {
        val norm = tf.constant((1 - exp(-rate)).toFloat())
        val decay = tf.math.exp(tf.math.mul(tf.constant(-rate.toFloat()), t))
        val alpha = tf.math.div(tf.math.sub(tf.onesLike(t), decay), norm)
        val alphaDot = tf.math.div(tf.math.mul(tf.constant(rate.toFloat()), decay), norm)
        return ScheduleValues(alpha, tf.math.sub(tf.onesLike(t), alpha), alphaDot, tf.math.neg(alphaDot))
    }
}

class ExponentialModule : AbstractModule() {
    override fun configure() {
        Components.bind(binder(), ExponentialSchedule::class.java) { spec, _ -> ExponentialScheduleComponent(spec.rate) }
    }
}

class CustomComponentSpec : FunSpec({
    val flowkit = Flowkit.create(SpecTypes.of(ScheduleSpec::class, ExponentialSchedule::class), ExponentialModule())

    test("a user's schedule, bound in their own Guice module, is what the gaussian path uses") {
        val path = flowkit.components().resolve(dev.flowkit.spec.GaussianPath(ExponentialSchedule(2.0)), ProbabilityPath::class.java)
        graph {
            val v = (path as GaussianPath).schedule().at(tf, scalar(0.5))
            value(v.alpha()) shouldBe ((1 - exp(-1.0)) / (1 - exp(-2.0)) plusOrMinus 1e-6)
        }
    }

    test("it runs end to end from JSON, and spec.json names it") {
        val json = """
            {"name": "custom", "seed": 3, "data": {"type": "moons"},
             "path": {"type": "gaussian", "schedule": {"type": "exponential", "rate": 2.0}},
             "network": {"type": "mlp", "hidden": [32, 32]},
             "train": {"steps": 200, "batchSize": 256}, "sample": {"sampler": {"type": "heun", "steps": 10}, "count": 300},
             "evaluate": [{"type": "mean-cov-error"}]}
        """.trimIndent()
        val spec = flowkit.specJson().decode(json)
        spec.path shouldBe dev.flowkit.spec.GaussianPath(ExponentialSchedule(2.0))
        val out = tempdir().toPath()
        val result = flowkit.run(spec, RunOptions.to(out).withPlots(false))
        result.finalLoss().isFinite() shouldBe true
        Files.readString(out.resolve("spec.json")) shouldContain "\"type\": \"exponential\""
    }

    test("and from the Kotlin DSL, with its own validation") {
        experiment("custom") { data { moons() }; path { gaussian(schedule = ExponentialSchedule(4.0)) } }.path shouldBe
            dev.flowkit.spec.GaussianPath(ExponentialSchedule(4.0))
        shouldThrow<SpecException> { experiment("custom") { data { moons() }; path { gaussian(schedule = ExponentialSchedule(-1.0)) } } }
            .problems.single() shouldBe "path.schedule.rate: must be a finite number > 0, was -1.0"
    }

    test("without the user's module the runtime says what is missing") {
        val spec = experiment("custom") { data { moons() }; path { gaussian(schedule = ExponentialSchedule()) } }
        shouldThrow<IllegalStateException> { Flowkit.create().compile(spec) }.message shouldContain
            "no component is bound for dev.flowkit.runtime.ExponentialSchedule"
    }
})
