// The Kotlin-script twin of checkerboard.json (a test keeps the two equal).
experiment("checkerboard") {
    seed = 3
    source { gaussian(dim = 2) }
    data { checkerboard(squares = 4, size = 8.0) }
    path { gaussian(schedule = linear()) }
    network { mlp(hidden = listOf(64, 64, 64, 64), activation = Activation.SILU) }
    train {
        flowMatching()
        steps = 15000
        batchSize = 1000
        adam(learningRate = 0.001)
    }
    sample { heun(steps = 50); count = 2000 }
    evaluate { wasserstein2(); mmd(); meanCovError() }
}
