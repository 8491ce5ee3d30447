// The Kotlin-script twin of circles-to-checkerboard.json (a test keeps the two equal).
experiment("circles-to-checkerboard") {
    seed = 5
    source { circles(noise = 0.05, factor = 0.5, scale = 3.0) }
    data { checkerboard(squares = 4, size = 8.0) }
    path { linear() }
    network { mlp(hidden = listOf(64, 64, 64, 64), activation = Activation.SILU) }
    train {
        flowMatching()
        steps = 30000
        batchSize = 1000
        adam(learningRate = 0.001)
    }
    sample { heun(steps = 50); count = 2000 }
    evaluate { wasserstein2(); mmd(); meanCovError() }
}
