package dev.flowkit.runtime

import dev.flowkit.dsl.experiment
import dev.flowkit.runtime.compiler.SessionOptions
import dev.flowkit.runtime.output.Npy
import dev.flowkit.runtime.run.RunOptions
import dev.flowkit.spec.Dopri5
import dev.flowkit.spec.Euler
import dev.flowkit.spec.EulerMaruyama
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.engine.spec.tempdir
import io.kotest.matchers.doubles.plusOrMinus
import io.kotest.matchers.doubles.shouldBeGreaterThan
import io.kotest.matchers.doubles.shouldBeLessThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.Callable
import java.util.concurrent.Executors
import kotlin.math.abs
import org.tensorflow.SavedModelBundle
import org.tensorflow.types.TFloat32
import org.tensorflow.types.TInt32
import org.tensorflow.types.TInt64
import dev.flowkit.runtime.graph.Tensors

/** Models trained by real (short) runs, loaded from their run folders as an application would. */
class TrainedModelSpec : FunSpec({
    val flowkit = Flowkit.create()

    fun maxDifference(a: Array<FloatArray>, b: Array<FloatArray>): Double {
        a.size shouldBe b.size
        var worst = 0.0
        for (i in a.indices) for (j in a[i].indices) worst = maxOf(worst, abs(a[i][j].toDouble() - b[i][j]).toDouble())
        return worst
    }

    // unconditional, on a data file that is gone when the model is loaded; EMA weights; two checkpoints kept
    val blobsFile = tempdir().toPath().resolve("blobs.npy")
    val blobs = java.util.Random(3).let { r -> Array(4000) { i -> floatArrayOf((r.nextGaussian() * 0.3 + if (i % 2 == 0) 2 else -2).toFloat(), (r.nextGaussian() * 0.3).toFloat()) } }
    Npy.write(blobsFile, blobs)
    fun blobsExperiment(file: Path) = experiment("trained-blobs") {
        seed = 5
        data { dataset(file.toString()) }
        network { mlp(hidden = listOf(64, 64)) }
        train { steps = 1000; batchSize = 512; logEvery = 100; checkpointEvery = 500; ema(decay = 0.99) }
        sample { euler(steps = 20); count = 300 }
        evaluate { wasserstein2(); likelihood(solver = Euler(steps = 20), points = 64, grid = 0) }
    }
    val unconditional = blobsExperiment(blobsFile)
    val runDir = tempdir().toPath().resolve("blobs")
    flowkit.run(unconditional, RunOptions.to(runDir).withPlots(false))
    Files.delete(blobsFile)

    val labelled = experiment("trained-classes") {
        seed = 9
        data { gaussianMixture(means = listOf(listOf(-3.0, 0.0), listOf(3.0, 0.0), listOf(0.0, 3.0)), stds = listOf(0.4, 0.4, 0.4), labelled = true) }
        network { mlp(hidden = listOf(64, 64)) }
        train { steps = 400; batchSize = 256; logEvery = 100; checkpointEvery = 0; labelDropout = 0.2 }
        sample { heun(steps = 10); count = 240; guidance(1.0, 2.5); classes(2, 0, 1) }
        evaluate { classAccuracy() }
    }
    val labelledDir = tempdir().toPath().resolve("classes")
    flowkit.run(labelled, RunOptions.to(labelledDir).withPlots(false))

    test("a loaded model gives the run's own samples, metrics and spec, without its data file") {
        Flowkit.load(runDir).use { model ->
            Files.exists(blobsFile) shouldBe false
            model.step() shouldBe 1000L
            model.dim() shouldBe 2
            model.classes() shouldBe 0
            model.spec() shouldBe unconditional.withDefaults()
            val written = Npy.read(runDir.resolve("samples.npy"))
            maxDifference(model.sample(300, 5), written) shouldBe 0.0
            model.metrics()["wasserstein2"]!! shouldBe (Files.readString(runDir.resolve("metrics.json"))
                .substringAfter("\"wasserstein2\" : ").substringBefore(",").trim().toDouble())
        }
    }

    test("velocity, score and samples of a loaded model agree with each other by the path's formulas") {
        Flowkit.load(runDir).use { model ->
            val noise = model.noise(50, 17)
            // one Euler step from t = 0 is x0 + u_0(x0)
            val stepped = model.withSampler(Euler(steps = 1)).sample(noise, null, 1.0, 17)
            val u0 = model.velocity(noise, 0.0)
            maxDifference(stepped, Array(50) { i -> FloatArray(2) { j -> noise[i][j] + u0[i][j] } }) shouldBeLessThan 1e-5
            // linear schedule α = t, β = 1 − t: score = (α u − α̇ x)/(β² α̇ − α β̇ β) = (t u − x)/(1 − t)
            val t = 0.6
            val u = model.velocity(noise, t)
            val s = model.score(noise, t)
            val expected = Array(50) { i -> FloatArray(2) { j -> ((t * u[i][j] - noise[i][j]) / (1 - t)).toFloat() } }
            maxDifference(s, expected) shouldBeLessThan 1e-4
        }
    }

    test("log-likelihoods of a loaded model equal those of the compiled run restored from its checkpoint") {
        val points = Array(20) { i -> floatArrayOf(if (i % 2 == 0) 2f else -2f, 0.03f * (i - 10)) }
        val loaded = Flowkit.load(runDir).use { it.logLikelihood(points) }
        val data = tempdir().toPath().resolve("blobs.npy").also { Npy.write(it, blobs) }
        val spec = blobsExperiment(data)
        val compiled = flowkit.compile(spec).use { e ->
            e.restore(runDir.resolve("checkpoint/variables"))
            e.logLikelihood(points).logDensity()
        }
        for (i in points.indices) loaded[i] shouldBe (compiled[i] plusOrMinus 1e-4)
        // on the blobs the trained model beats its N(0, I) source by a wide margin
        val source = points.map { p -> -Math.log(2 * Math.PI) - (p[0] * p[0] + p[1] * p[1]) / 2.0 }.average()
        loaded.average() shouldBeGreaterThan source + 1.0
    }

    test("calls from several threads give the same numbers as the same calls in turn") {
        Flowkit.load(runDir, SessionOptions(1, 2)).use { model ->
            val points = Array(10) { i -> floatArrayOf(0.3f * i - 1.5f, 0.2f) }
            fun work(k: Int): List<Any> = listOf(model.sample(100, k.toLong()).toList().map { it.toList() },
                model.velocity(points, 0.1 * k).toList().map { it.toList() },
                model.logLikelihood(points).toList())
            val serial = (0 until 6).map { work(it) }
            val pool = Executors.newFixedThreadPool(4)
            try {
                val parallel = pool.invokeAll((0 until 6).map { k -> Callable { work(k) } }).map { it.get() }
                parallel shouldBe serial
            } finally {
                pool.shutdown()
            }
        }
    }

    test("a labelled model samples the run's classes at its guidance scales") {
        Flowkit.load(labelledDir).use { model ->
            model.classes() shouldBe 3
            val labels = dev.flowkit.spec.NpyHeader.readIntegers(labelledDir.resolve("labels.npy")).map { it.toInt() }.toIntArray()
            labels.take(4) shouldBe listOf(2, 0, 1, 2)
            maxDifference(model.sample(240, 9), Npy.read(labelledDir.resolve("samples-w1.npy"))) shouldBe 0.0
            maxDifference(model.sample(labels, 2.5, 9), Npy.read(labelledDir.resolve("samples-w2.5.npy"))) shouldBe 0.0
            // sampled as 3 row blocks side by side: the same samples
            Flowkit.load(labelledDir, SessionOptions.rowBlocks(3)).use { blocked ->
                maxDifference(blocked.sample(labels, 2.5, 9), Npy.read(labelledDir.resolve("samples-w2.5.npy"))) shouldBeLessThan 1e-5
            }
            // guided samples of class 1 sit near its mean (3, 0)
            val ones = model.sample(IntArray(200) { 1 }, 2.0, 4)
            ones.map { it[0].toDouble() }.average() shouldBe (3.0 plusOrMinus 0.5)
            ones.map { it[1].toDouble() }.average() shouldBe (0.0 plusOrMinus 0.5)
        }
    }

    test("a large sample comes in chunks with progress, and a loaded model draws the same chunks") {
        val big = experiment("trained-chunks") {
            seed = 6
            data { moons() }
            network { mlp(hidden = listOf(16)) }
            train { steps = 20; batchSize = 64; checkpointEvery = 0 }
            sample { eulerMaruyama(steps = 4, sigma = 0.5); count = 20_500 }
            evaluate { meanCovError() }
        }
        val dir = tempdir().toPath().resolve("chunks")
        val progress = mutableListOf<Long>()
        flowkit.run(big, RunOptions.to(dir).withPlots(false).withListener(object : dev.flowkit.runtime.run.TrainingListener {
            override fun sampled(done: Long, total: Long) { progress += done; total shouldBe 20_500L }
        }))
        progress shouldBe listOf(10_000L, 20_000L, 20_500L)
        Flowkit.load(dir).use { model ->
            val all = model.sample(20_500, 6)
            maxDifference(all, Npy.read(dir.resolve("samples.npy"))) shouldBe 0.0
            // the first chunk is drawn on the samples' own stream: a sample of 10 000 is its first rows
            maxDifference(model.sample(10_000, 6), all.copyOfRange(0, 10_000)) shouldBe 0.0
            // later chunks are other draws, not a repeat of the first
            (maxDifference(all.copyOfRange(10_000, 20_000), all.copyOfRange(0, 10_000)) > 0.1) shouldBe true
            // a shard of the draw, from a chunk boundary on, is those rows of it
            model.chunkRows() shouldBe 10_000
            maxDifference(model.sampleRows(10_000, 10_500, 6) {}, all.copyOfRange(10_000, 20_500)) shouldBe 0.0
            shouldThrow<IllegalArgumentException> { model.sampleRows(5_000, 10, 6) {} }.message shouldBe
                "from: must be a multiple of chunkRows() = 10000 and >= 0, was 5000"
        }
        Flowkit.load(labelledDir).use { model ->
            val labels = model.labels(20_000, 6)
            model.labels(10_000, 10_000, 6).toList() shouldBe labels.copyOfRange(10_000, 20_000).toList()
            maxDifference(model.sampleRows(10_000, labels.copyOfRange(10_000, 20_000), 2.0, 6) {},
                model.sample(labels, 2.0, 6).copyOfRange(10_000, 20_000)) shouldBe 0.0
        }
    }

    test("bad requests name the field and what is allowed") {
        Flowkit.load(labelledDir).use { model ->
            shouldThrow<IllegalArgumentException> { model.sample(intArrayOf(0, 3), 1.0, 1) }.message shouldContain
                "labels[1]: must be one of the classes 0 … 2, was 3"
            shouldThrow<IllegalArgumentException> { model.velocity(arrayOf(floatArrayOf(1f, 2f, 3f)), 0.5) }.message shouldContain
                "x[0]: must have the model's dimension 2, had 3"
            shouldThrow<IllegalArgumentException> { model.velocity(arrayOf(floatArrayOf(1f, 2f)), 1.5) }.message shouldContain "t: must be in [0, 1]"
        }
        Flowkit.load(runDir).use { model ->
            shouldThrow<IllegalArgumentException> { model.sample(intArrayOf(0), 1.0, 1) }.message shouldContain
                "labels: the model is unconditional"
            shouldThrow<IllegalArgumentException> { model.sample(0, 1) }.message shouldContain "count: must be > 0, was 0"
        }
    }

    test("a folder without a run, a checkpoint or a decodable spec is refused with a message; a damaged checkpoint falls back") {
        val empty = tempdir().toPath()
        shouldThrow<IllegalArgumentException> { Flowkit.load(empty) }.message shouldContain "spec.json is missing"
        val noCheckpoint = tempdir().toPath()
        Files.copy(runDir.resolve("spec.json"), noCheckpoint.resolve("spec.json"))
        shouldThrow<IllegalArgumentException> { Flowkit.load(noCheckpoint) }.message shouldContain "has no checkpoint"
        val badSpec = tempdir().toPath()
        copyTree(runDir, badSpec)
        Files.writeString(badSpec.resolve("spec.json"), Files.readString(runDir.resolve("spec.json")).replace("\"mlp\"", "\"perceptron\""))
        shouldThrow<IllegalArgumentException> { Flowkit.load(badSpec) }.message shouldContain "spec.json no longer decodes"

        val damaged = tempdir().toPath()
        copyTree(runDir, damaged)
        Files.write(damaged.resolve("checkpoint/variables.index"), ByteArray(100) { 7 })
        val warnings = mutableListOf<String>()
        flowkit.trainedModel(damaged, SessionOptions.DEFAULT) { warnings += it }.use { model ->
            model.step() shouldBe 500L // checkpoint.previous
            model.sample(10, 1).size shouldBe 10
        }
        warnings.joinToString() shouldContain "checkpoint/variables.index is damaged"
        warnings.joinToString() shouldContain "loaded checkpoint.previous instead"
        Files.write(damaged.resolve("checkpoint.previous/variables.index"), ByteArray(10))
        shouldThrow<IllegalArgumentException> { Flowkit.load(damaged) }.message shouldContain "no intact checkpoint to load"
    }

    test("an exported SavedModel, loaded by plain TensorFlow, agrees with the trained model") {
        for (dir in listOf(runDir, labelledDir)) {
            val export = tempdir().toPath().resolve("saved")
            Flowkit.load(dir).use { model ->
                model.exportSavedModel(export)
                val noise = model.noise(64, 3)
                val labels = if (model.classes() > 0) IntArray(64) { it % 3 } else null
                val expected = if (labels == null) model.sample(64, 3) else model.sample(labels, 2.0, 3)
                val points = Array(64) { i -> floatArrayOf(0.1f * i - 3f, 0.5f) }
                val velocity = if (labels == null) model.velocity(points, 0.3) else model.velocity(points, 0.3, labels)
                SavedModelBundle.load(export.toString(), "serve").use { bundle ->
                    // TensorFlow's own ops only: Flowkit's native kernels are not there where plain TensorFlow loads it
                    bundle.graph().operations().asSequence().map { it.type() }.filter { it.startsWith("Flowkit") }.toSet() shouldBe emptySet()
                    val inputs = mutableMapOf<String, org.tensorflow.Tensor>("noise" to Tensors.matrix(noise))
                    if (labels != null) {
                        inputs["labels"] = TInt32.vectorOf(*labels)
                        inputs["guidance"] = TFloat32.scalarOf(2.0f)
                    }
                    bundle.function("sample").call(inputs).use { r -> maxDifference(Tensors.toMatrix(r["samples"].get()), expected) shouldBeLessThan 1e-5 }
                    inputs.values.forEach { it.close() }
                    val fieldInputs = mutableMapOf<String, org.tensorflow.Tensor>("x" to Tensors.matrix(points), "t" to TFloat32.vectorOf(*FloatArray(64) { 0.3f }))
                    if (labels != null) fieldInputs["labels"] = TInt32.vectorOf(*labels)
                    bundle.function("velocity").call(fieldInputs).use { r -> maxDifference(Tensors.toMatrix(r["velocity"].get()), velocity) shouldBeLessThan 1e-5 }
                    fieldInputs.values.forEach { it.close() }
                }
            }
        }
    }

    test("export takes a stochastic sampler's seed, refuses a host-stepped sampler and an existing folder") {
        val export = tempdir().toPath().resolve("sde")
        Flowkit.load(runDir).use { model ->
            val sde = model.withSampler(EulerMaruyama(steps = 30))
            sde.exportSavedModel(export)
            val noise = model.noise(32, 8)
            SavedModelBundle.load(export.toString(), "serve").use { bundle ->
                bundle.function("sample").signature().inputNames() shouldBe setOf("noise", "seed")
                Tensors.matrix(noise).use { n -> TInt64.scalarOf(8L).use { s ->
                    bundle.function("sample").call(mapOf("noise" to n, "seed" to s)).use { r ->
                        maxDifference(Tensors.toMatrix(r["samples"].get()), sde.sample(noise, null, 1.0, 8)) shouldBeLessThan 1e-5
                    }
                } }
            }
            shouldThrow<IllegalArgumentException> { sde.exportSavedModel(export) }.message shouldContain "exists"
            shouldThrow<IllegalArgumentException> { model.withSampler(Dopri5()).exportSavedModel(tempdir().toPath().resolve("x")) }.message shouldContain
                "export with a fixed-step sampler"
        }
    }
})

private fun copyTree(from: Path, to: Path) {
    Files.walk(from).use { paths ->
        for (p in paths.toList()) {
            val target = to.resolve(from.relativize(p).toString())
            if (Files.isDirectory(p)) Files.createDirectories(target) else Files.copy(p, target)
        }
    }
}
