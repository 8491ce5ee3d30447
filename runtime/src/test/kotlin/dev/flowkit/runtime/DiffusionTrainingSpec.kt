package dev.flowkit.runtime

import com.fasterxml.jackson.databind.ObjectMapper
import dev.flowkit.dsl.experiment
import dev.flowkit.runtime.compiler.Streams
import dev.flowkit.runtime.metrics.Wasserstein2Metric
import dev.flowkit.runtime.run.RunOptions
import dev.flowkit.spec.Prediction
import io.kotest.core.spec.style.FunSpec
import io.kotest.engine.spec.tempdir
import io.kotest.matchers.comparables.shouldBeGreaterThan
import io.kotest.matchers.doubles.plusOrMinus
import io.kotest.matchers.doubles.shouldBeLessThan
import io.kotest.matchers.shouldBe
import java.nio.file.Files

/** Score-based training, two-network models, guidance and adaptive sampling through the real runner. */
class DiffusionTrainingSpec : FunSpec({
    val flowkit = Flowkit.create()

    test("denoising score matching on vp (noise-predicting network) trains a model whose reverse-SDE samples reach the data") {
        val spec = experiment("vp-test") {
            seed = 5
            data { gaussianMixture(means = listOf(listOf(-3.0, 0.0), listOf(3.0, 1.0)), stds = listOf(0.5, 0.5)) }
            path { gaussian(schedule = vp()) }
            network { mlp(hidden = listOf(64, 64, 64), predicts = Prediction.NOISE) }
            train { scoreMatching(); steps = 1500; batchSize = 512; checkpointEvery = 0 }
            sample { eulerMaruyama(steps = 100); count = 1000 }
            evaluate { wasserstein2() }
        }
        val untrained = flowkit.compile(spec).use { e ->
            Wasserstein2Metric.distance(e.sample(1000, Streams.SAMPLES), e.data(1000, Streams.EVAL_DATA))
        }
        val result = flowkit.run(spec, RunOptions.to(tempdir().toPath()).withPlots(false))
        val trained = result.metrics()["wasserstein2"]!!
        println("vp score matching: untrained W2 $untrained, trained $trained, floor ${result.metrics()["wasserstein2Floor"]}")
        trained shouldBeLessThan 0.25 * untrained
        trained shouldBeLessThan 1.6 * result.metrics()["wasserstein2Floor"]!!
    }

    test("a class-conditional velocity-and-score model, PC sampling at two guidance scales, class accuracy in metrics.json") {
        val out = tempdir().toPath()
        val spec = experiment("cfg-test") {
            seed = 2
            data { circle(modes = 4, radius = 4.0, std = 0.5, labelled = true) }
            network { velocityAndScore(velocity = mlp(hidden = listOf(32)), score = mlp(hidden = listOf(32))) }
            train { flowAndScoreMatching(); steps = 40; batchSize = 128; checkpointEvery = 0 }
            sample { pc(predictor = eulerMaruyama(steps = 5), corrector = langevin(snr = 0.1)); count = 300; guidance(1.0, 3.0) }
            evaluate { wasserstein2(); classAccuracy() }
        }
        val result = flowkit.run(spec, RunOptions.to(out))
        result.guided().keys.toList() shouldBe listOf(1.0, 3.0)
        result.functionEvaluations() shouldBe 10L // 5 predictor + 5 corrector steps
        val metrics = ObjectMapper().readTree(out.resolve("metrics.json").toFile())
        metrics["guidance"].size() shouldBe 2
        metrics["guidance"][1]["scale"].asDouble() shouldBe 3.0
        metrics["guidance"][1]["metrics"].has("classAccuracy") shouldBe true
        for (f in listOf("samples-w1.npy", "samples-w3.npy", "samples-w1.png", "samples-w3.png", "trajectories-w3.png")) {
            Files.exists(out.resolve(f)) shouldBe true
        }
    }

    test("dopri5 sampling reports its NFE, and its graph state stays out of checkpoints, so resuming works") {
        val out = tempdir().toPath()
        fun spec(steps: Int) = experiment("ode-test") {
            data { moons() }
            network { mlp(hidden = listOf(32)) }
            train { this.steps = steps; batchSize = 128; checkpointEvery = 0 }
            sample { dopri5(rtol = 1e-3, atol = 1e-3); count = 200 }
            evaluate { wasserstein2() }
        }
        val first = flowkit.run(spec(20), RunOptions.to(out).withPlots(false))
        first.functionEvaluations() shouldBeGreaterThan 7L
        val metrics = ObjectMapper().readTree(out.resolve("metrics.json").toFile())
        metrics["sampling"]["functionEvaluations"].asLong() shouldBe first.functionEvaluations()
        flowkit.run(spec(30), RunOptions.to(out).resuming(true).withPlots(false)).metrics()["wasserstein2"]!!.isFinite() shouldBe true
    }

    test("likelihood: a trained 2D model gives held-out data a higher log-likelihood than the source does, and draws density.png") {
        val out = tempdir().toPath()
        val spec = experiment("likelihood-test") {
            seed = 3
            data { gaussianMixture(means = listOf(listOf(-2.0, 0.0), listOf(2.0, 0.0)), stds = listOf(0.4, 0.4)) }
            network { mlp(hidden = listOf(64, 64)) }
            train { steps = 800; batchSize = 256; checkpointEvery = 0 }
            sample { euler(steps = 20); count = 400 }
            evaluate { likelihood(solver = rk4(steps = 10), points = 400, grid = 20) }
        }
        val progress = mutableListOf<Pair<String, Double>>()
        val result = flowkit.run(spec, RunOptions.to(out).withListener(object : dev.flowkit.runtime.run.TrainingListener {
            override fun evaluating(label: String, fraction: Double) { progress += label to fraction }
        }))
        // the listener hears the held-out solve step by step (rk4, 10 steps), not only its end
        progress shouldBe (1..10).map { "likelihood" to it / 10.0 }
        val model = result.metrics()["logLikelihood"]!!
        val source = result.metrics()["logLikelihoodSource"]!!
        // no model beats the data's own entropy on average: E log p_data = −log 2 − log(2πe·0.16) ≈ −1.70 nats
        println("held-out log-likelihood: model $model, source $source, NFE ${result.metrics()["likelihoodNfe"]}")
        model shouldBeGreaterThan source + 1.5
        model shouldBeLessThan -1.70 + 0.25 // 400 points: the sample mean's own spread is ≈ 0.05
        result.metrics()["bitsPerDim"]!! shouldBe (-model / (2 * kotlin.math.ln(2.0)) plusOrMinus 1e-9)
        Files.exists(out.resolve("density.png")) shouldBe true
        // the runtime API: per-point log-likelihoods of any points, here the held-out data's own first 400
        flowkit.compile(spec).use { e ->
            val points = e.data(400, dev.flowkit.runtime.compiler.Streams.EVAL_DATA)
            val perPoint = e.logLikelihood(points)
            perPoint.logDensity().size shouldBe 400
            perPoint.logDensity().all { it.isFinite() } shouldBe true
            perPoint.functionEvaluations() shouldBe 40L // rk4: 10 steps × 4
        }
    }

    test("evaluateEvery records the likelihood during training, improving with steps, and the history survives a resume") {
        fun spec(steps: Int) = experiment("likelihood-curve") {
            seed = 3
            data { gaussianMixture(means = listOf(listOf(-2.0, 0.0), listOf(2.0, 0.0)), stds = listOf(0.4, 0.4)) }
            network { mlp(hidden = listOf(64, 64)) }
            train { this.steps = steps; batchSize = 256; checkpointEvery = 200; evaluateEvery = 200 }
            sample { euler(steps = 10); count = 200 }
            evaluate { likelihood(solver = rk4(steps = 8), points = 200, grid = 0) }
        }
        val out = tempdir().toPath()
        flowkit.run(spec(400), RunOptions.to(out))
        val result = flowkit.run(spec(800), RunOptions.to(out).resuming(true))
        val evaluations = ObjectMapper().readTree(out.resolve("metrics.json").toFile())["evaluations"]
        evaluations.map { it["step"].asLong() } shouldBe listOf(200L, 400L, 600L, 800L)
        val curve = evaluations.map { it["logLikelihood"].asDouble() }
        curve.last() shouldBe (result.metrics()["logLikelihood"]!! plusOrMinus 1e-12) // the final point is the final evaluation
        curve.last() shouldBeGreaterThan curve.first() // training improves the held-out likelihood
        Files.exists(out.resolve("evaluation.png")) shouldBe true
    }
})
