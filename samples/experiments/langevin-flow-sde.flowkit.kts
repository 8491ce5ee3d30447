// The Kotlin-script twin of langevin-flow-sde.json (a test keeps the two equal).
experiment("langevin-flow-sde") {
    seed = 11
    data { circle(modes = 5, radius = 5.0, std = 0.7, labelled = false) }
    path { gaussian(schedule = linear()) }
    network { velocityAndScore(velocity = mlp(hidden = listOf(64, 64, 64, 64), activation = Activation.SILU), score = mlp(hidden = listOf(64, 64, 64, 64), activation = Activation.SILU)) }
    train {
        flowAndScoreMatching(weighting = Weighting.NOISE_VARIANCE)
        steps = 5000
        batchSize = 1000
        adam(learningRate = 0.001)
    }
    sample { eulerMaruyama(steps = 500, sigma = constant(value = 1.0)); count = 2000 }
    evaluate { wasserstein2(); mmd(bandwidths = listOf(0.1, 0.3, 1.0, 3.0)); meanCovError() }
}
