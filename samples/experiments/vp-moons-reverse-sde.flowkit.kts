// The Kotlin-script twin of vp-moons-reverse-sde.json (a test keeps the two equal).
experiment("vp-moons-reverse-sde") {
    seed = 7
    data { moons(noise = 0.05, scale = 3.0) }
    path { gaussian(schedule = vp(betaMin = 0.1, betaMax = 20.0)) }
    network { mlp(hidden = listOf(64, 64, 64, 64), activation = Activation.SILU, predicts = Prediction.NOISE) }
    train {
        scoreMatching(weighting = Weighting.NOISE_VARIANCE)
        steps = 10000
        batchSize = 1000
        adam(learningRate = 0.001)
    }
    sample { eulerMaruyama(steps = 500); count = 2000 }
    evaluate { wasserstein2(); mmd(bandwidths = listOf(0.1, 0.3, 1.0, 3.0)); meanCovError() }
}
