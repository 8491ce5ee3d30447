package dev.flowkit.samples

import dev.flowkit.dsl.experiment
import dev.flowkit.spec.Activation

/**
 * The shipped experiments written in the Kotlin DSL. samples/experiments/NAME.json holds each one
 * as JSON; a test keeps the two forms identical.
 */
object ShippedExperiments {

    /** Two moons from N(0, I) on the linear (conditional OT) Gaussian path. */
    val moons = experiment("moons") {
        seed = 7
        source { gaussian(dim = 2) }
        data { moons(noise = 0.05, scale = 3.0) }
        path { gaussian(schedule = linear()) }
        network { mlp(hidden = listOf(64, 64, 64, 64), activation = Activation.SILU) }
        train { flowMatching(); steps = 5000; batchSize = 1000; adam(learningRate = 1e-3) }
        sample { euler(steps = 100); count = 2000 }
        evaluate { wasserstein2(); mmd(); meanCovError() }
    }

    /** The classic 8 Gaussians on a circle of radius 4. */
    val eightGaussians = experiment("eight-gaussians") {
        seed = 1
        data { circle(modes = 8, radius = 4.0, std = 0.5) }
        path { gaussian(schedule = linear()) }
        network { mlp(hidden = listOf(64, 64, 64, 64), activation = Activation.SILU) }
        train { flowMatching(); steps = 5000; batchSize = 1000; adam(learningRate = 1e-3) }
        sample { euler(steps = 100); count = 2000 }
        evaluate { wasserstein2(); mmd(); meanCovError() }
    }

    /** A checkerboard from N(0, I): sharp edges, so more steps and Heun sampling. */
    val checkerboard = experiment("checkerboard") {
        seed = 3
        source { gaussian(dim = 2) }
        data { checkerboard(squares = 4, size = 8.0) }
        path { gaussian(schedule = linear()) }
        network { mlp(hidden = listOf(64, 64, 64, 64), activation = Activation.SILU) }
        train { flowMatching(); steps = 15000; batchSize = 1000; adam(learningRate = 1e-3) }
        sample { heun(steps = 50); count = 2000 }
        evaluate { wasserstein2(); mmd(); meanCovError() }
    }

    /**
     * Two thin circles to a checkerboard on the interpolation path: the source is not Gaussian, so the
     * path is linear(). The thin rings must spread over 2D cells, which takes longer to learn.
     */
    val circlesToCheckerboard = experiment("circles-to-checkerboard") {
        seed = 5
        source { circles(noise = 0.05, factor = 0.5, scale = 3.0) }
        data { checkerboard(squares = 4, size = 8.0) }
        path { linear() }
        network { mlp(hidden = listOf(64, 64, 64, 64), activation = Activation.SILU) }
        train { flowMatching(); steps = 30000; batchSize = 1000; adam(learningRate = 1e-3) }
        sample { heun(steps = 50); count = 2000 }
        evaluate { wasserstein2(); mmd(); meanCovError() }
    }

    val all = listOf(moons, eightGaussians, checkerboard, circlesToCheckerboard)
}
