// The Kotlin-script twin of moons.json (a test keeps the two equal).
experiment("moons") {
    seed = 7
    source { gaussian(dim = 2) }
    data { moons(noise = 0.05, scale = 3.0) }
    path { gaussian(schedule = linear()) }
    network { mlp(hidden = listOf(64, 64, 64, 64), activation = Activation.SILU) }
    train {
        flowMatching()
        steps = 5000
        batchSize = 1000
        adam(learningRate = 0.001)
    }
    sample { euler(steps = 100); count = 2000 }
    evaluate { wasserstein2(); mmd(); meanCovError() }
}
