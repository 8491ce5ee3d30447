package dev.flowkit.runtime

import dev.flowkit.dsl.experiment
import dev.flowkit.runtime.compiler.Streams
import dev.flowkit.runtime.metrics.Wasserstein2Metric
import dev.flowkit.runtime.output.Npy
import dev.flowkit.runtime.run.RunOptions
import dev.flowkit.runtime.run.TrainingListener
import dev.flowkit.spec.Mlp
import dev.flowkit.spec.ExperimentSpec
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.assertions.withClue
import io.kotest.core.spec.style.FunSpec
import io.kotest.engine.spec.tempdir
import io.kotest.matchers.doubles.shouldBeGreaterThan
import io.kotest.matchers.doubles.shouldBeLessThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldNotContain
import java.nio.file.Files

/** Real training in TensorFlow, kept short; thresholds a broken model cannot pass. */
class TrainingSpec : FunSpec({
    val flowkit = Flowkit.create()

    fun moons(trainSteps: Int, name: String = "moons-test") = experiment(name) {
        seed = 11
        data { moons() }
        network { mlp(hidden = listOf(64, 64, 64)) }
        train { steps = trainSteps; batchSize = 512; logEvery = 20; checkpointEvery = 0 }
        sample { euler(steps = 50); count = 1000 }
        evaluate { wasserstein2() }
    }

    test("a short training run beats the untrained network by a wide margin") {
        val spec = moons(1200)
        val untrained = flowkit.compile(spec).use { e ->
            Wasserstein2Metric.distance(e.sample(1000, Streams.SAMPLES), e.data(1000, Streams.EVAL_DATA))
        }
        val result = flowkit.run(spec, RunOptions.to(tempdir().toPath()).withPlots(false))
        val trained = result.metrics()["wasserstein2"]!!
        val floor = result.metrics()["wasserstein2Floor"]!!
        println("untrained W2 $untrained, trained W2 $trained, data-vs-data floor $floor")
        trained shouldBeLessThan 0.35 * untrained
        trained shouldBeLessThan 2.5 * floor
        result.finalLoss().isFinite() shouldBe true
    }

    test("the run writes every output, with spec.json holding the defaults") {
        val out = tempdir().toPath()
        flowkit.run(moons(40), RunOptions.to(out))
        for (f in listOf("metrics.json", "samples.npy", "samples.png", "trajectories.png", "loss.png", "spec.json", "checkpoint/state.json")) {
            Files.exists(out.resolve(f)) shouldBe true
        }
        Npy.read(out.resolve("samples.npy")).size shouldBe 1000
        val spec = flowkit.specJson().decode(Files.readString(out.resolve("spec.json")))
        spec shouldBe moons(40).withDefaults()
        Files.readString(out.resolve("metrics.json")) shouldContain "\"wasserstein2Floor\""
    }

    test("same spec and seed give the same numbers; resuming from a checkpoint continues exactly") {
        val straight = tempdir().toPath()
        val split = tempdir().toPath()
        val once = flowkit.run(moons(120), RunOptions.to(straight).withPlots(false))
        flowkit.run(moons(60), RunOptions.to(split).withPlots(false))
        val resumed = flowkit.run(moons(120), RunOptions.to(split).withPlots(false).resuming(true))
        val again = flowkit.run(moons(120), RunOptions.to(tempdir().toPath()).withPlots(false))
        again.samples().contentDeepEquals(once.samples()) shouldBe true
        resumed.samples().contentDeepEquals(once.samples()) shouldBe true
        resumed.finalLoss() shouldBe once.finalLoss()
    }

    test("a run interrupted after a mid-run checkpoint resumes exactly, also from checkpoint.previous") {
        fun spec() = moons(90).copy(train = moons(90).train.copy(logEvery = 15, checkpointEvery = 30))
        val straight = flowkit.run(spec(), RunOptions.to(tempdir().toPath()).withPlots(false))
        for (fallback in listOf(false, true)) {
            val out = tempdir().toPath()
            val crash = object : TrainingListener {
                override fun progress(step: Long, loss: Double) { if (step == 45L) throw IllegalStateException("simulated crash") }
            }
            shouldThrow<IllegalStateException> { flowkit.run(spec(), RunOptions.to(out).withPlots(false).withListener(crash)) }
            Files.exists(out.resolve("metrics.json")) shouldBe false
            if (fallback) Files.move(out.resolve("checkpoint"), out.resolve("checkpoint.previous"))
            val resumed = flowkit.run(spec(), RunOptions.to(out).withPlots(false).resuming(true))
            resumed.samples().contentDeepEquals(straight.samples()) shouldBe true
            resumed.finalLoss() shouldBe straight.finalLoss()
        }
    }

    test("a damaged checkpoint is named, and --resume falls back to checkpoint.previous; with none intact it says so") {
        fun spec(steps: Int) = moons(steps).copy(train = moons(steps).train.copy(logEvery = 15, checkpointEvery = 30))
        val straight = flowkit.run(spec(120), RunOptions.to(tempdir().toPath()).withPlots(false))
        data class Damage(val what: String, val file: String, val damage: (java.nio.file.Path) -> Unit, val says: String)
        val damages = listOf(
            Damage("garbage index", "variables.index", { Files.writeString(it, "not an index") },
                "checkpoint/variables.index is damaged (12 bytes, too short for a TensorFlow checkpoint index)"),
            Damage("overwritten index", "variables.index", { f -> Files.write(f, ByteArray(Files.size(f).toInt()) { 7 }) },
                "checkpoint/variables.index is damaged (it does not end as a TensorFlow checkpoint index does)"),
            Damage("truncated variables", "variables.data-00000-of-00001", { f -> Files.write(f, Files.readAllBytes(f).copyOf(100)) },
                "checkpoint/variables are damaged (TensorFlow: "),
        )
        for (d in damages) {
            val out = tempdir().toPath()
            flowkit.run(spec(90), RunOptions.to(out).withPlots(false)) // checkpoint at 90, checkpoint.previous at 60
            Files.exists(out.resolve("checkpoint.previous/state.json")) shouldBe true
            d.damage(out.resolve("checkpoint").resolve(d.file))
            val messages = mutableListOf<String>()
            val listen = object : TrainingListener { override fun status(message: String) { messages += message } }
            val resumed = flowkit.run(spec(120), RunOptions.to(out).withPlots(false).resuming(true).withListener(listen))
            withClue(d.what) {
                messages.joinToString("\n") shouldContain d.says
                messages.joinToString("\n") shouldContain "resumed from checkpoint.previous instead"
                // the older checkpoint continues exactly: 60 steps retrained give the straight run's numbers
                resumed.samples().contentDeepEquals(straight.samples()) shouldBe true
            }
        }
        val out = tempdir().toPath()
        flowkit.run(spec(90), RunOptions.to(out).withPlots(false))
        for (folder in listOf("checkpoint", "checkpoint.previous")) Files.writeString(out.resolve(folder).resolve("variables.index"), "")
        val before = Files.readString(out.resolve("spec.json"))
        val message = shouldThrow<IllegalArgumentException> { flowkit.run(spec(120), RunOptions.to(out).withPlots(false).resuming(true)) }.message!!
        message shouldContain "no intact checkpoint to resume in $out: checkpoint/variables.index is damaged (0 bytes"
        message shouldContain "checkpoint.previous/variables.index is damaged"
        message shouldContain "run without --resume to start over"
        Files.readString(out.resolve("spec.json")) shouldBe before // nothing half-written
    }

    test("a trained model is sampled and evaluated again on resume with another sampler, without retraining") {
        fun heun(steps: Int) = moons(steps).copy(sample = moons(steps).sample.copy(sampler = dev.flowkit.spec.Heun(10), count = 300))
        val straight = flowkit.run(heun(20), RunOptions.to(tempdir().toPath()).withPlots(false))
        val out = tempdir().toPath()
        flowkit.run(moons(20), RunOptions.to(out).withPlots(false))
        // as written by a version without the optimizer's decay field: a field added since, at its default, is no change
        val state = out.resolve("checkpoint/state.json")
        Files.writeString(state, Files.readString(state).replace(Regex(""",\s*"decay"\s*:\s*"constant""""), ""))
        Files.readString(state) shouldNotContain "decay"
        val training = object : TrainingListener {
            override fun progress(step: Long, loss: Double) { throw IllegalStateException("trained again at step $step") }
        }
        val resampled = flowkit.run(heun(20), RunOptions.to(out).withPlots(false).resuming(true).withListener(training))
        resampled.samples().size shouldBe 300
        resampled.samples().contentDeepEquals(straight.samples()) shouldBe true
        // the training time of the run that trained the model is carried over, not reported as 0
        val timings = com.fasterxml.jackson.databind.ObjectMapper().readTree(out.resolve("metrics.json").toFile())["timings"]
        timings["trainingSeconds"].asDouble() shouldBe Files.readString(state).let {
            com.fasterxml.jackson.databind.ObjectMapper().readTree(it)["trainingSeconds"].asDouble()
        }
        timings["trainingSeconds"].asDouble() shouldBeGreaterThan 0.0
    }

    test("a checkpoint of another spec, or past train.steps, is refused on resume before anything is restored; bookkeeping may differ") {
        val out = tempdir().toPath()
        flowkit.run(moons(20), RunOptions.to(out).withPlots(false))
        val otherSeed: ExperimentSpec = moons(40).copy(seed = 12)
        shouldThrow<IllegalArgumentException> { flowkit.run(otherSeed, RunOptions.to(out).withPlots(false).resuming(true)) }
            .message shouldContain "differs in seed;"
        val otherShape: ExperimentSpec = moons(40).copy(network = Mlp(listOf(8)))
        shouldThrow<IllegalArgumentException> { flowkit.run(otherShape, RunOptions.to(out).withPlots(false).resuming(true)) }
            .message shouldContain "different spec"
        shouldThrow<IllegalArgumentException> { flowkit.run(moons(10), RunOptions.to(out).withPlots(false).resuming(true)) }
            .message shouldContain "past train.steps = 10"
        flowkit.specJson().decode(Files.readString(out.resolve("spec.json"))) shouldBe moons(20).withDefaults()
        // how often a run logs, checkpoints and evaluates does not change the trained variables: it may change
        val bookkeeping = moons(20).let { it.copy(train = it.train.copy(logEvery = 5, checkpointEvery = 7, evaluateEvery = 0)) }
        flowkit.run(bookkeeping, RunOptions.to(out).withPlots(false).resuming(true)).samples().size shouldBe 1000
    }

    // Tests run with -Dorg.bytedeco.javacpp.nopointergc=true: native memory that is not closed stays allocated.
    // Native memory ≈ resident set minus the committed Java heap (whose growth is not a leak).
    fun rssMegabytes() = Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))
        .first { it.startsWith("VmRSS:") }.split(Regex("\\s+"))[1].toLong() / 1024.0 - Runtime.getRuntime().totalMemory() / 1048576.0

    /** Native memory growth over [measured] calls of [call], after [warmUp] calls have let the allocators settle. */
    fun growth(warmUp: Int, measured: Int, call: () -> Unit): Double {
        repeat(warmUp) { call() }
        System.gc()
        val before = rssMegabytes()
        repeat(measured) { call() }
        System.gc()
        return rssMegabytes() - before
    }

    test("many experiments in one JVM: every graph and session is closed") {
        // A leaked graph + session of this experiment costs ~11 MB; 20 of them would show.
        val leaked = growth(5, 20) { flowkit.compile(moons(10)).use { e -> e.trainStep(true); e.sample(500, Streams.SAMPLES) } }
        println("native memory growth over 20 compile/train/sample/close cycles: $leaked MB")
        leaked shouldBeLessThan 60.0
    }

    test("a traced training step reports where its kernel time went, by op type, and counts as a step") {
        flowkit.compile(moons(10)).use { e ->
            val profile = e.profileTrainStep()
            e.step() shouldBe 1L
            // the MLP's layers and their gradients: Flowkit's kernels where they are loaded, else TensorFlow's
            val layers = if (dev.flowkit.runtime.graph.NativeKernels.has(dev.flowkit.runtime.graph.NativeKernels.DENSE)) "FlowkitDenseGrad" else "MatMul"
            profile.microsByOpType().keys.contains(layers) shouldBe true
            (profile.microsByOpType().values.sum() > 0L) shouldBe true
            // largest first
            profile.microsByOpType().values.toList() shouldBe profile.microsByOpType().values.sortedDescending()
        }
    }
})
