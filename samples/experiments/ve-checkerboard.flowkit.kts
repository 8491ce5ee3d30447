// The Kotlin-script twin of ve-checkerboard.json (a test keeps the two equal).
experiment("ve-checkerboard") {
    seed = 3
    data { checkerboard(squares = 4, size = 8.0) }
    path { gaussian(schedule = ve(sigmaMin = 0.01, sigmaMax = 50.0)) }
    network { mlp(hidden = listOf(64, 64, 64, 64), activation = Activation.SILU, predicts = Prediction.NOISE) }
    train {
        scoreMatching(weighting = Weighting.NOISE_VARIANCE)
        steps = 15000
        batchSize = 1000
        adam(learningRate = 0.001)
    }
    sample { eulerMaruyama(steps = 1000); count = 2000 }
    evaluate { wasserstein2(); mmd(bandwidths = listOf(0.1, 0.3, 1.0, 3.0)); meanCovError() }
}
