package dev.flowkit.samples

import dev.flowkit.runtime.Flowkit
import dev.flowkit.runtime.compiler.Streams
import dev.flowkit.runtime.metrics.Wasserstein2Metric
import dev.flowkit.spec.SpecJson
import io.kotest.core.spec.style.FunSpec
import io.kotest.datatest.withData
import io.kotest.matchers.doubles.shouldBeLessThan
import io.kotest.matchers.shouldBe
import java.io.File

class SamplesSpec : FunSpec({
    val experiments = File("experiments")

    context("every shipped JSON experiment is a valid spec") {
        withData(experiments.listFiles { f -> f.name.endsWith(".json") }!!.sortedBy { it.name }.map { it.name }) { name ->
            val spec = SpecJson().decode(File(experiments, name).readText())
            spec.name shouldBe name.removeSuffix(".json")
        }
    }

    context("the Kotlin DSL definitions equal their JSON files") {
        withData(ShippedExperiments.all.map { it.name }) { name ->
            SpecJson().decode(File(experiments, "$name.json").readText()) shouldBe ShippedExperiments.all.single { it.name == name }
        }
    }

    test("the Java embedding example trains a model that generates the data") {
        val flowkit = Flowkit.create()
        val spec = JavaEmbedding.spec(600)
        val samples = JavaEmbedding.trainAndSample(flowkit, spec, 1000)
        val data = flowkit.compile(spec).use { it.data(1000, Streams.EVAL_DATA) }
        val untrained = flowkit.compile(spec).use { it.sample(1000, Streams.SAMPLES) }
        Wasserstein2Metric.distance(samples, data) shouldBeLessThan 0.5 * Wasserstein2Metric.distance(untrained, data)
    }
})
