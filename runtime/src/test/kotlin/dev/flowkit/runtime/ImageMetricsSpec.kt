package dev.flowkit.runtime

import dev.flowkit.runtime.compiler.RandomDraw
import dev.flowkit.runtime.distributions.DatasetDistribution
import dev.flowkit.runtime.graph.Tensors
import dev.flowkit.runtime.metrics.Evaluation
import dev.flowkit.runtime.metrics.images.FidMetric
import dev.flowkit.runtime.metrics.images.FrechetDistance
import dev.flowkit.runtime.metrics.images.ImageClassifier
import dev.flowkit.runtime.metrics.images.KernelDistance
import dev.flowkit.runtime.run.TrainingListener
import dev.flowkit.spec.Dataset
import dev.flowkit.spec.Fid
import dev.flowkit.spec.Quantization
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.doubles.plusOrMinus
import io.kotest.matchers.doubles.shouldBeGreaterThan
import io.kotest.matchers.doubles.shouldBeLessThan
import io.kotest.matchers.shouldBe
import java.nio.file.Files
import java.util.Random
import kotlin.math.cos
import kotlin.math.sin
import kotlin.math.sqrt

/**
 * Image metrics: the Fréchet distance against its closed form for Gaussians, KID's unbiasedness, a LeNet classifier
 * that learns labelled images, and FID of noise far above its floor; labelled .npy data sets.
 */
class ImageMetricsSpec : FunSpec({
    test("the Fréchet distance of two Gaussians equals ‖μ₁ − μ₂‖² + tr(Σ₁ + Σ₂ − 2(Σ₁^½ Σ₂ Σ₁^½)^½)") {
        // commuting (diagonal) covariances: Σ (σ₁ − σ₂)²
        val p = FrechetDistance.Gaussian(doubleArrayOf(1.0, 0.0), arrayOf(doubleArrayOf(1.0, 0.0), doubleArrayOf(0.0, 4.0)))
        val q = FrechetDistance.Gaussian(doubleArrayOf(3.0, 1.0), arrayOf(doubleArrayOf(9.0, 0.0), doubleArrayOf(0.0, 1.0)))
        FrechetDistance.between(p, q) shouldBe ((4.0 + 1.0) + (1.0 - 3.0).let { it * it } + (2.0 - 1.0).let { it * it } plusOrMinus 1e-9)
        // against the identity, a rotated covariance R diag(λ) Rᵀ gives Σ (1 − √λ)²
        val a = 0.7
        val (l1, l2) = 0.25 to 6.0
        val r = arrayOf(doubleArrayOf(cos(a), -sin(a)), doubleArrayOf(sin(a), cos(a)))
        val s = Array(2) { i -> DoubleArray(2) { j -> r[i][0] * l1 * r[j][0] + r[i][1] * l2 * r[j][1] } }
        val identity = FrechetDistance.Gaussian(doubleArrayOf(0.0, 0.0), arrayOf(doubleArrayOf(1.0, 0.0), doubleArrayOf(0.0, 1.0)))
        FrechetDistance.between(identity, FrechetDistance.Gaussian(doubleArrayOf(0.0, 0.0), s)) shouldBe
            ((1 - sqrt(l1)).let { it * it } + (1 - sqrt(l2)).let { it * it } plusOrMinus 1e-9)
        // not symmetric in its formula, but in its value
        FrechetDistance.between(FrechetDistance.Gaussian(doubleArrayOf(0.0, 0.0), s), identity) shouldBe
            (FrechetDistance.between(identity, FrechetDistance.Gaussian(doubleArrayOf(0.0, 0.0), s)) plusOrMinus 1e-9)
    }

    test("fitted Gaussians of large samples reproduce the closed form; KID is ≈ 0 for one distribution and clearly positive for two") {
        val random = Random(2)
        fun sample(n: Int, shift: Double, scale: Double) = Array(n) { FloatArray(3) { (shift + scale * random.nextGaussian()).toFloat() } }
        val x = sample(20_000, 0.0, 1.0)
        val y = sample(20_000, 0.5, 2.0)
        val fd = FrechetDistance.between(FrechetDistance.Gaussian.fit(x), FrechetDistance.Gaussian.fit(y))
        fd shouldBe (3 * 0.25 + 3 * 1.0 plusOrMinus 0.1) // ‖0.5·1‖² + Σ (1 − 2)²
        val same = KernelDistance.between(sample(400, 0.0, 1.0), sample(400, 0.0, 1.0))
        val different = KernelDistance.between(sample(400, 0.0, 1.0), sample(400, 0.5, 2.0))
        kotlin.math.abs(same) shouldBeLessThan 0.1 * different
        different shouldBeGreaterThan 0.5
    }

    // 8×8 8-bit images of 4 classes: class k is a bright 2-pixel-wide bar (rows for k < 2, columns otherwise) at a
    // class-specific place, over noise; labels beside them
    val dir = Files.createTempDirectory("flowkit-images")
    val n = 400
    val random = Random(7)
    val labels = IntArray(n) { it % 4 }
    val pixels = DoubleArray(n * 64) { i ->
        val row = i / 64
        val y = (i % 64) / 8
        val x = i % 8
        val k = labels[row]
        val on = if (k < 2) y / 2 == 1 + 2 * k else x / 2 == 1 + 2 * (k - 2)
        (if (on) 200 else 30) + random.nextInt(40).toDouble()
    }
    val imageFile = writeNpy(dir.resolve("bars.npy"), "|u1", listOf(n, 8, 8), pixels)
    val labelFile = dir.resolve("bars-labels.npy").also { dev.flowkit.runtime.output.Npy.writeBytes(it, intArrayOf(n), ByteArray(n) { labels[it].toByte() }) }
    val dataset = Dataset(imageFile.toString(), 0.25, Quantization(8, 0.0, 1.0), labelFile.toString())

    test("labelled rows keep their labels through the split and every draw, held-out draws included") {
        val data = DatasetDistribution(dataset)
        data.classes() shouldBe 4
        graph {
            val draw = RandomDraw(tf)
            for (heldOut in listOf(false, true)) {
                val drawn = if (heldOut) data.sampleHeldOutLabelled(tf, draw.count(), draw.key()) else data.sampleLabelled(tf, draw.count(), draw.key())
                draw.run(rawSession, 100, 3, 0, listOf(drawn.points(), drawn.labels())).use { r ->
                    val points = Tensors.toMatrix(r.get(0))
                    val got = Tensors.toIntArray(r.get(1))
                    for (i in points.indices) {
                        // the bar of the label is bright: its mean is far above the rest
                        val k = got[i]
                        val bar = (0 until 64).filter { p -> if (k < 2) (p / 8) / 2 == 1 + 2 * k else (p % 8) / 2 == 1 + (k - 2) * 2 }
                        bar.map { points[i][it].toDouble() }.average() shouldBeGreaterThan 0.6
                    }
                }
            }
        }
    }

    test("the LeNet classifier learns labelled images, FID of held-out-like samples sits near its floor and noise far above") {
        val data = DatasetDistribution(dataset)
        ImageClassifier(data, listOf(8, 8, 1), 0, 64, 300).use { classifier ->
            classifier.train(300, TrainingListener.SILENT)
            classifier.heldOutAccuracy() shouldBeGreaterThan 0.97
        }
        val metric = FidMetric(Fid(labelFile.toString(), classifierSteps = 300, batchSize = 64))
        metric.use {
            metric.prepare(dataset, TrainingListener.SILENT)
            Files.exists(dir.resolve(".flowkit-cache")) shouldBe true
            val (heldOut, heldLabels, training) = graph {
                val draw = RandomDraw(tf)
                val held = data.sampleHeldOutLabelled(tf, draw.count(), draw.key())
                val train = data.sample(tf, draw.count(), draw.key())
                draw.run(rawSession, 100, 1, 0, listOf(held.points(), held.labels(), train)).use { r ->
                    Triple(Tensors.toMatrix(r.get(0)), Tensors.toIntArray(r.get(1)), Tensors.toMatrix(r.get(2)))
                }
            }
            val floor = metric.compute(Evaluation(training, null, heldOut, heldLabels, dataset))
            val noise = Array(100) { FloatArray(64) { random.nextFloat() } }
            val bad = metric.compute(Evaluation(noise, labels.copyOf(100), heldOut, heldLabels, dataset))
            println("fid floor ${floor["fid"]}, noise ${bad["fid"]}; kid floor ${floor["kid"]}, noise ${bad["kid"]}")
            bad["fid"]!! shouldBeGreaterThan 10 * floor["fid"]!!
            bad["kid"]!! shouldBeGreaterThan 10 * kotlin.math.abs(floor["kid"]!!)
            bad["sampleAccuracy"]!! shouldBeLessThan 0.6
            floor["classifierAccuracy"]!! shouldBeGreaterThan 0.97
            // a second metric finds the cached classifier and gives the same numbers
            FidMetric(Fid(labelFile.toString(), classifierSteps = 300, batchSize = 64)).use { again ->
                again.prepare(dataset, TrainingListener.SILENT)
                again.compute(Evaluation(training, null, heldOut, heldLabels, dataset))["fid"] shouldBe floor["fid"]
            }
        }
    }

    test("a U-Net with dropout trains and samples as 3 row blocks like as one: the same losses and guided samples") {
        val spec = dev.flowkit.dsl.experiment("bars-blocks") {
            seed = 3
            data { dataset(file = imageFile.toString(), heldOut = 0.25, quantization = quantization(bits = 8, low = 0.0, high = 1.0), labels = labelFile.toString()) }
            network { unet(channels = listOf(4, 8), blocks = 1, embedding = 8, groups = 2, dropout = 0.2) }
            train { steps = 8; batchSize = 18; checkpointEvery = 0; labelDropout = 0.2 }
            sample { eulerMaruyama(steps = 3); count = 10; guidance(2.0) }
        }
        val runs = listOf(1, 3).map { blocks ->
            Flowkit.create().compile(spec, dev.flowkit.runtime.compiler.SessionOptions(1, blocks)).use { e ->
                val losses = (1..8).map { e.trainStep(true) }
                losses to e.sample(0, 10, dev.flowkit.runtime.compiler.Streams.SAMPLES, false).samples()
            }
        }
        runs[0].first.zip(runs[1].first).forEach { (a, b) -> kotlin.math.abs(a - b) shouldBeLessThan 1e-4 * kotlin.math.abs(a) }
        val difference = runs[0].second.indices.maxOf { i -> runs[0].second[i].indices.maxOf { kotlin.math.abs(runs[0].second[i][it] - runs[1].second[i][it]).toDouble() } }
        difference shouldBeLessThan 1e-4
    }

    test("a class-conditional U-Net on labelled images trains, samples at two guidance scales and reports FID per scale") {
        val out = Files.createTempDirectory("flowkit-unet-run")
        val spec = dev.flowkit.dsl.experiment("bars-cfg") {
            seed = 2
            data { dataset(file = imageFile.toString(), heldOut = 0.25, quantization = quantization(bits = 8, low = 0.0, high = 1.0), labels = labelFile.toString()) }
            network { unet(channels = listOf(4, 8), blocks = 1, embedding = 8, groups = 2) }
            train { steps = 30; batchSize = 16; logEvery = 10; checkpointEvery = 0; ema(decay = 0.9) }
            sample { euler(steps = 4); count = 50; guidance(1.0, 2.0) }
            evaluate { fid(classifierSteps = 200, batchSize = 32) }
        }
        val result = Flowkit.create().run(spec, dev.flowkit.runtime.run.RunOptions.to(out))
        result.guided().keys shouldBe setOf(1.0, 2.0)
        for (metrics in result.guided().values) {
            metrics["fid"]!!.isFinite() shouldBe true
            metrics["fidFloor"]!! shouldBeLessThan metrics["fid"]!! // 30 steps do not make bars
            (metrics["sampleAccuracy"]!! in 0.0..1.0) shouldBe true
        }
        for (f in listOf("samples-w1.npy", "samples-w2.npy", "samples-w1.png", "trajectories-w2.png", "metrics.json")) {
            Files.exists(out.resolve(f)) shouldBe true
        }
        Files.readString(out.resolve("metrics.json")).contains("\"parameters\"") shouldBe true
        // the requested labels, one per sample, drawn with the data's class frequencies (a quarter each here)
        val requested = dev.flowkit.spec.NpyHeader.readIntegers(out.resolve("labels.npy"))
        requested.size shouldBe 50
        requested.all { it in 0L..3L } shouldBe true
        requested.distinct().size shouldBe 4
        // every guidance scale gets the same labels in the same order; sample.classes requests classes in turn
        Flowkit.create().compile(spec).use { e ->
            e.sample(0, 50, dev.flowkit.runtime.compiler.Streams.SAMPLES, false).labels().map { it.toLong() } shouldBe requested.toList()
            e.sample(1, 50, dev.flowkit.runtime.compiler.Streams.SAMPLES, false).labels().map { it.toLong() } shouldBe requested.toList()
        }
        val inTurn = spec.copy(sample = spec.sample.copy(classes = listOf(3, 1)))
        Flowkit.create().compile(inTurn).use { e ->
            e.sample(1, 5, dev.flowkit.runtime.compiler.Streams.SAMPLES, false).labels().toList() shouldBe listOf(3, 1, 3, 1, 3)
        }
    }

    test("an image grid by class puts each class's first images in its row and leaves missing cells blank") {
        val rows = Array(5) { floatArrayOf(it.toFloat()) }
        val grid = dev.flowkit.runtime.output.ImageGrids.byClass(rows, intArrayOf(2, 0, 2, 2, 1), 3, 2)
        grid.map { it?.get(0) } shouldBe listOf(1f, null, 4f, null, 0f, 2f)
    }
})
