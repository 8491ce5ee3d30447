package dev.flowkit.samples

import dev.flowkit.dsl.ExperimentBuilder
import dev.flowkit.dsl.experiment
import dev.flowkit.spec.Activation

/**
 * The shipped experiments written in the Kotlin DSL. samples/experiments/NAME.json holds each one
 * as JSON; a test keeps the two forms identical. They share one recipe for the network, training and
 * metrics — the way to generate families of variants from code.
 */
object ShippedExperiments {

    /** The common 2D recipe: MLP 64×4 (SiLU), flow matching with Adam, all three metrics. */
    private fun planar(name: String, seed: Long, trainSteps: Int, block: ExperimentBuilder.() -> Unit) = experiment(name) {
        this.seed = seed
        network { mlp(hidden = listOf(64, 64, 64, 64), activation = Activation.SILU) }
        train { flowMatching(); steps = trainSteps; batchSize = 1000; adam(learningRate = 1e-3) }
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

    val all = listOf(moons, eightGaussians, checkerboard, circlesToCheckerboard)
}
