package dev.flowkit.samples

import dev.flowkit.dsl.EvaluateScope
import dev.flowkit.dsl.ExperimentBuilder
import dev.flowkit.dsl.SampleScope
import dev.flowkit.dsl.TrainScope
import dev.flowkit.dsl.experiment
import dev.flowkit.spec.Activation
import dev.flowkit.spec.Prediction
import dev.flowkit.spec.ProbeDistribution
import dev.flowkit.spec.Weighting

/**
 * The shipped experiments written in the Kotlin DSL. samples/experiments/NAME.json holds each one
 * as JSON; a test keeps the two forms identical. They share one recipe for the network, training and
 * metrics — the way to generate families of variants from code.
 */
object ShippedExperiments {

    /** The common 2D recipe: MLP 64×4 (SiLU), flow matching (or [objective]) with Adam, all three metrics. */
    private fun planar(
        name: String, seed: Long, trainSteps: Int, objective: TrainScope.() -> Unit = { flowMatching() },
        block: ExperimentBuilder.() -> Unit,
    ) = experiment(name) {
        this.seed = seed
        network { mlp(hidden = listOf(64, 64, 64, 64), activation = Activation.SILU) }
        train { objective(); steps = trainSteps; batchSize = 1000; adam(learningRate = 1e-3) }
        evaluate { wasserstein2(); mmd(); meanCovError() }
        block()
    }

    /** Two moons from N(0, I) on the linear (conditional OT) Gaussian path. */
    val moons = planar("moons", seed = 7, trainSteps = 5000) {
        source { gaussian(dim = 2) }
        data { moons(noise = 0.05, scale = 3.0) }
        path { gaussian(schedule = linear()) }
        sample { euler(steps = 100); count = 2000 }
    }

    /** The classic 8 Gaussians on a circle of radius 4. */
    val eightGaussians = planar("eight-gaussians", seed = 1, trainSteps = 5000) {
        data { circle(modes = 8, radius = 4.0, std = 0.5) }
        path { gaussian(schedule = linear()) }
        sample { euler(steps = 100); count = 2000 }
    }

    /** A checkerboard from N(0, I): sharp edges, so more steps and Heun sampling. */
    val checkerboard = planar("checkerboard", seed = 3, trainSteps = 15000) {
        source { gaussian(dim = 2) }
        data { checkerboard(squares = 4, size = 8.0) }
        path { gaussian(schedule = linear()) }
        sample { heun(steps = 50); count = 2000 }
    }

    /**
     * Two thin circles to a checkerboard on the interpolation path (the source is not Gaussian, so the
     * path is linear()). The thin rings must spread over 2D cells, which takes longer to learn.
     */
    val circlesToCheckerboard = planar("circles-to-checkerboard", seed = 5, trainSteps = 30000) {
        source { circles(noise = 0.05, factor = 0.5, scale = 3.0) }
        data { checkerboard(squares = 4, size = 8.0) }
        path { linear() }
        sample { heun(steps = 50); count = 2000 }
    }

    /**
     * The Langevin flow SDE of the course labs: a velocity network (flow matching) and a score network (denoising
     * score matching) trained together, sampled with dX = [u + ½σ² ∇log p] dt + σ dW at σ = 1, on a symmetric
     * 5-mode mixture.
     */
    val langevinFlowSde = planar("langevin-flow-sde", seed = 11, trainSteps = 5000, objective = { flowAndScoreMatching() }) {
        data { circle(modes = 5, radius = 5.0, std = 0.7) }
        path { gaussian(schedule = linear()) }
        network { velocityAndScore(velocity = mlp(), score = mlp()) }
        sample { eulerMaruyama(steps = 500, sigma = 1.0); count = 2000 }
    }

    /** A VP-SDE score model on moons (noise-predicting network, DDPM's loss), sampled by [sampler]. */
    private fun vpMoons(name: String, extra: EvaluateScope.() -> Unit = {}, sampler: SampleScope.() -> Unit) =
        planar(name, seed = 7, trainSteps = 10000, objective = { scoreMatching() }) {
            data { moons(noise = 0.05, scale = 3.0) }
            path { gaussian(schedule = vp()) }
            network { mlp(predicts = Prediction.NOISE) }
            sample { sampler(); count = 2000 }
            evaluate { wasserstein2(); mmd(); meanCovError(); extra() }
        }

    /** The reverse-time SDE (σ_t = g_t): Euler–Maruyama, 500 steps. */
    val vpMoonsReverseSde = vpMoons("vp-moons-reverse-sde") { eulerMaruyama(steps = 500) }

    /** Predictor–corrector: 250 reverse-SDE steps, each after one Langevin corrector step at snr 0.16. */
    val vpMoonsPc = vpMoons("vp-moons-pc") { pc(predictor = eulerMaruyama(steps = 250), corrector = langevin(snr = 0.16, steps = 1)) }

    /**
     * The probability-flow ODE with adaptive Dormand–Prince (reports its NFE), and the model's exact log-likelihood
     * of held-out data by the same ODE (density.png).
     */
    val vpMoonsOde = vpMoons("vp-moons-ode", { likelihood(solver = dopri5(rtol = 1e-5, atol = 1e-5), divergence = exact()) }) {
        dopri5(rtol = 1e-4, atol = 1e-4)
    }

    /** A VE-SDE (σ from 0.01 to 50) score model on the checkerboard, sampled by the reverse SDE. */
    val veCheckerboard = planar("ve-checkerboard", seed = 3, trainSteps = 15000, objective = { scoreMatching() }) {
        data { checkerboard(squares = 4, size = 8.0) }
        path { gaussian(schedule = ve(sigmaMin = 0.01, sigmaMax = 50.0)) }
        network { mlp(predicts = Prediction.NOISE) }
        sample { eulerMaruyama(steps = 1000); count = 2000 }
    }

    /**
     * Classifier-free guidance on a labelled 8-Gaussian mixture whose modes overlap (std 0.8 at spacing 3.1): one
     * class-conditional model (label dropout 0.1), sampled at w = 1, 2 and 4; class-accuracy shows the concentration.
     */
    val cfgEightGaussians = planar("cfg-eight-gaussians", seed = 1, trainSteps = 5000) {
        data { circle(modes = 8, radius = 4.0, std = 0.8, labelled = true) }
        path { gaussian(schedule = linear()) }
        sample { euler(steps = 100); count = 2000; guidance(1.0, 2.0, 4.0) }
        evaluate { wasserstein2(); classAccuracy() }
    }

    /**
     * The score-SDE tutorial on MNIST (samples/experiments/images/mnist-score-sde.json): its ScoreNet, dx = σ^s dW with
     * σ = 25, denoising score matching to diffusion time 10⁻⁵, Adam 10⁻⁴ at batch 32, EMA 0.999, Euler–Maruyama with 500
     * steps; bits/dim of held-out digits by the probability-flow ODE (Hutchinson, dopri5 10⁻⁵) and LeNet-FID. A function
     * of the data files, since a spec reads their headers (`./flowkit data mnist` writes them).
     */
    fun mnistScoreSde(images: String = "data/mnist/images.npy", labels: String = "data/mnist/labels.npy") = experiment("mnist-score-sde") {
        seed = 1
        data { dataset(file = images, heldOut = 0.1, quantization = quantization(bits = 8, low = 0.0, high = 1.0)) }
        path { gaussian(schedule = exponentialVe(sigma = 25.0)) }
        network { scoreNet() }
        train {
            scoreMatching(weighting = Weighting.NOISE_VARIANCE, maxTime = 0.99999)
            steps = 14_000; batchSize = 32; logEvery = 100; checkpointEvery = 1000
            adam(learningRate = 1e-4)
            ema(decay = 0.999)
        }
        sample { eulerMaruyama(steps = 500); count = 1000; recordEvery = 50 }
        evaluate {
            likelihood(solver = dopri5(rtol = 1e-5, atol = 1e-5), divergence = hutchinson(probes = 1, distribution = ProbeDistribution.GAUSSIAN),
                points = 256, time = 0.99999)
            fid(labels = labels)
        }
    }

    /** The class-conditional counterpart (flow matching on the Gaussian linear path, guidance 1, 2, 4): images/mnist-cfg.json. */
    fun mnistCfg(images: String = "data/mnist/images.npy", labels: String = "data/mnist/labels.npy") = experiment("mnist-cfg") {
        seed = 1
        data { dataset(file = images, heldOut = 0.1, quantization = quantization(bits = 8, low = 0.0, high = 1.0), labels = labels) }
        path { gaussian(schedule = linear()) }
        network { scoreNet(predicts = Prediction.VELOCITY) }
        train {
            flowMatching()
            steps = 7_000; batchSize = 128; labelDropout = 0.1; logEvery = 100; checkpointEvery = 1000
            adam(learningRate = 5e-4)
            ema(decay = 0.999)
        }
        sample { edmHeun(steps = 10); count = 1000; recordEvery = 2; guidance(1.0, 2.0, 4.0) }
        evaluate { fid() }
    }

    val all = listOf(moons, eightGaussians, checkerboard, circlesToCheckerboard, langevinFlowSde, vpMoonsReverseSde, vpMoonsPc,
        vpMoonsOde, veCheckerboard, cfgEightGaussians)
}
