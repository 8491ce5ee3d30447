package dev.flowkit.samples

import dev.flowkit.runtime.Flowkit
import dev.flowkit.runtime.compiler.Streams
import dev.flowkit.runtime.metrics.Wasserstein2Metric
import dev.flowkit.spec.SpecJson
import io.kotest.core.spec.style.FunSpec
import io.kotest.datatest.withData
import io.kotest.engine.spec.tempdir
import io.kotest.matchers.doubles.shouldBeLessThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import java.io.File

class SamplesSpec : FunSpec({
    val experiments = File("experiments")

    context("every shipped JSON experiment is a valid spec") {
        withData(experiments.listFiles { f -> f.name.endsWith(".json") }!!.sortedBy { it.name }.map { it.name }) { name ->
            val spec = SpecJson().decode(File(experiments, name).readText())
            spec.name shouldBe name.removeSuffix(".json")
        }
    }

    context("every image experiment is a valid spec, given a data file of its shape (the real one comes from ./flowkit data)") {
        // an MNIST-shaped file: uint8 [20, 28, 28, 1]
        val pixels = java.nio.file.Files.createTempFile("mnist", ".npy").also { it.toFile().deleteOnExit() }
        dev.flowkit.runtime.output.Npy.writeBytes(pixels, intArrayOf(20, 28, 28, 1), ByteArray(20 * 784))
        val labels = java.nio.file.Files.createTempFile("mnist-labels", ".npy").also { it.toFile().deleteOnExit() }
        dev.flowkit.runtime.output.Npy.writeBytes(labels, intArrayOf(20), ByteArray(20) { (it % 10).toByte() })
        val images = File(experiments, "images")
        withData(images.listFiles { f -> f.name.endsWith(".json") }!!.sortedBy { it.name }.map { it.name }) { name ->
            val text = File(images, name).readText()
            text shouldContain "\"file\": \"data/mnist/images.npy\""
            val spec = SpecJson().decode(text.replace("data/mnist/images.npy", pixels.toString()).replace("data/mnist/labels.npy", labels.toString())
                .replace(Regex("\"count\": \\d+"), "\"count\": 2"))
            spec.name shouldBe name.removeSuffix(".json")
            spec.data.imageShape shouldBe listOf(28, 28, 1)
        }
    }

    context("the Kotlin DSL forms of mnist-score-sde and mnist-cfg equal their JSON files") {
        val pixels = java.nio.file.Files.createTempFile("mnist", ".npy").also { it.toFile().deleteOnExit() }
        dev.flowkit.runtime.output.Npy.writeBytes(pixels, intArrayOf(10_000, 28, 28, 1), ByteArray(10_000 * 784))
        val labels = java.nio.file.Files.createTempFile("mnist-labels", ".npy").also { it.toFile().deleteOnExit() }
        dev.flowkit.runtime.output.Npy.writeBytes(labels, intArrayOf(10_000), ByteArray(10_000) { (it % 10).toByte() })
        val dsl = mapOf("mnist-score-sde" to ShippedExperiments::mnistScoreSde, "mnist-cfg" to ShippedExperiments::mnistCfg)
        withData(dsl.keys.toList()) { name ->
            val json = File(experiments, "images/$name.json").readText()
                .replace("data/mnist/images.npy", pixels.toString()).replace("data/mnist/labels.npy", labels.toString())
            SpecJson().decode(json) shouldBe dsl.getValue(name)(pixels.toString(), labels.toString())
        }
    }

    context("every shipped experiment's Kotlin script twin (NAME.flowkit.kts) evaluates to its JSON") {
        val pixels = java.nio.file.Files.createTempFile("mnist", ".npy").also { it.toFile().deleteOnExit() }
        dev.flowkit.runtime.output.Npy.writeBytes(pixels, intArrayOf(10_000, 28, 28, 1), ByteArray(10_000 * 784))
        val labels = java.nio.file.Files.createTempFile("mnist-labels", ".npy").also { it.toFile().deleteOnExit() }
        dev.flowkit.runtime.output.Npy.writeBytes(labels, intArrayOf(10_000), ByteArray(10_000) { (it % 10).toByte() })
        fun local(text: String) = text.replace("data/mnist/images.npy", pixels.toString()).replace("data/mnist/labels.npy", labels.toString())
        val scripts = dev.flowkit.script.ScriptExperiments(null) // no cache: every twin is compiled here
        val jsons = experiments.walkTopDown().filter { it.name.endsWith(".json") && it.name != "published.json" }.map { it.relativeTo(experiments).path }
        withData(jsons.sorted().toList()) { name ->
            val twin = File(experiments, name.removeSuffix(".json") + ".flowkit.kts")
            val copy = tempdir().toPath().resolve(twin.name)
            java.nio.file.Files.writeString(copy, local(twin.readText()))
            scripts.evaluate(copy) shouldBe listOf(SpecJson().decode(local(File(experiments, name).readText())))
        }
    }

    context("the re-sampling variants of mnist-score-sde (images/resample/) differ from it only in sample and evaluate, so --resume takes them") {
        val pixels = java.nio.file.Files.createTempFile("mnist", ".npy").also { it.toFile().deleteOnExit() }
        dev.flowkit.runtime.output.Npy.writeBytes(pixels, intArrayOf(10_000, 28, 28, 1), ByteArray(10_000 * 784))
        val labels = java.nio.file.Files.createTempFile("mnist-labels", ".npy").also { it.toFile().deleteOnExit() }
        dev.flowkit.runtime.output.Npy.writeBytes(labels, intArrayOf(10_000), ByteArray(10_000) { (it % 10).toByte() })
        fun read(file: File) = SpecJson().decode(file.readText().replace("data/mnist/images.npy", pixels.toString())
            .replace("data/mnist/labels.npy", labels.toString())).withDefaults()
        val main = read(File(experiments, "images/mnist-score-sde.json"))
        val resample = File(experiments, "images/resample")
        withData(resample.listFiles { f -> f.name.endsWith(".json") }!!.sortedBy { it.name }.map { it.name }) { name ->
            val variant = read(File(resample, name))
            variant.copy(sample = main.sample, evaluate = main.evaluate) shouldBe main
        }
    }

    context("every study experiment (phi4/) is a valid spec whose Langevin data have the study's λ and T") {
        val phi4 = File(experiments, "phi4")
        withData(phi4.listFiles { f -> f.name.endsWith(".json") && f.name != "published.json" }!!.sortedBy { it.name }.map { it.name }) { name ->
            val spec = SpecJson().decode(File(phi4, name).readText())
            val data = spec.data as dev.flowkit.spec.LangevinData
            val chain = data.potential as dev.flowkit.spec.Phi4Chain
            chain.lambda shouldBe 0.03
            data.temperature shouldBe 8.0
            data.samples shouldBe 100_000
            spec.name shouldBe "phi4-" + name.removeSuffix(".json")
            "d${chain.d}.json" shouldBe name
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

    test("the README's Kotlin example loads a labelled run and uses every kind of call") {
        val run = tempdir().toPath().resolve("run")
        val spec = dev.flowkit.dsl.experiment("kotlin-trained") {
            data { circle(modes = 4, labelled = true) }
            network { mlp(hidden = listOf(32)) }
            train { steps = 50; batchSize = 128 }
            sample { euler(steps = 5); count = 100 }
            evaluate { classAccuracy() }
        }
        Flowkit.create().run(spec, dev.flowkit.runtime.run.RunOptions.to(run).withPlots(false))
        useTrainedModel(run) shouldContain "kotlin-trained at step 50: 16 + 64 samples, mean log p "
    }
})
